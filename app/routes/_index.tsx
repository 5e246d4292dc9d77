import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { requireCustomer } from "~/utils/auth.server";
import { title } from "~/utils/meta";

export const meta = title("トップ");

export async function loader({ context, request }: LoaderFunctionArgs) {
  const me = await requireCustomer(context, request);
  return {
    companyName: me.account.companyName,
    loginId: me.account.loginId,
    userName: me.user.name,
    email: me.user.email,
  };
}

export default function Home() {
  const me = useLoaderData<typeof loader>();
  return (
    <section className="card">
      <h1>ようこそ、{me.userName || me.email} 様</h1>
      <dl className="summary">
        <dt>会社名</dt>
        <dd>{me.companyName}</dd>
        <dt>ログインID</dt>
        <dd>{me.loginId}</dd>
        <dt>ユーザ名</dt>
        <dd>{me.userName || "(未設定)"}</dd>
        <dt>メールアドレス</dt>
        <dd>{me.email}</dd>
      </dl>
      <nav aria-label="メニュー" className="menu">
        <ul>
          <li>
            <Link to="/products">商品検索</Link>
          </li>
          <li>
            <Link to="/quote">見積依頼</Link>
          </li>
          <li>
            <Link to="/order">注文</Link>
          </li>
          <li>
            <Link to="/rentals">レンタル中の注文</Link>
          </li>
          <li>
            <Link to="/account/history">申込履歴</Link>
          </li>
          <li>
            <Link to="/account">お客様情報</Link>
          </li>
        </ul>
        <p className="hint">
          ログインのたびに、ご登録のメールアドレスへ「ログイン通知」メールをお送りしています。
          お心当たりのない通知が届いた場合は、コンタクトセンタまでお問い合わせください。
        </p>
      </nav>
    </section>
  );
}
