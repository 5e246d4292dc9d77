import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { TableScroll } from "~/components/TableScroll";
import type { loader as rootLoader } from "~/root";
import { requireCustomer } from "~/utils/auth.server";
import { displayDate, rentalStatusLabel } from "~/utils/dates";
import { telHref } from "~/utils/format";
import { title } from "~/utils/meta";

export const meta = title("トップ");

export async function loader({ context, request }: LoaderFunctionArgs) {
  const me = await requireCustomer(context, request);
  const home = await context.caller.account.home();
  return {
    companyName: me.account.companyName,
    loginId: me.account.loginId,
    userName: me.user.name,
    email: me.user.email,
    ...home,
  };
}

/** The signed-in home: who, the last sign-in, what is in progress, what is on rent, and the main actions. */
export default function Home() {
  const me = useLoaderData<typeof loader>();
  const site = useRouteLoaderData<typeof rootLoader>("root")?.site;
  const phone = site?.contactPhone ?? "";
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
            <AppLink to="/products">商品検索</AppLink>
          </li>
          <li>
            <AppLink to="/quote">見積依頼</AppLink>
          </li>
          <li>
            <AppLink to="/order">注文</AppLink>
          </li>
          <li>
            <AppLink to="/rentals">レンタル中の注文</AppLink>
          </li>
          <li>
            <AppLink to="/account/history">申込履歴</AppLink>
          </li>
          <li>
            <AppLink to="/account">お客様情報</AppLink>
          </li>
        </ul>
      </nav>

      <section aria-labelledby="last-login-heading" className="panel">
        <h2 id="last-login-heading">前回のログイン</h2>
        {me.previousLogin ? (
          <dl className="summary">
            <dt>日時</dt>
            <dd>{me.previousLogin.atLabel}</dd>
            <dt>IPアドレス</dt>
            <dd>{me.previousLogin.ip}</dd>
            <dt>ブラウザ</dt>
            <dd>{me.previousLogin.browser}</dd>
          </dl>
        ) : (
          <p>今回が初めてのログインです。</p>
        )}
        <p className="hint">
          お心当たりのないログインやログイン通知メールがあった場合は、至急パスワードを変更のうえ、コンタクトセンタ(
          <a href={telHref(phone)}>{phone}</a>)までお問い合わせください。
        </p>
      </section>

      <section aria-labelledby="open-heading" className="panel">
        <h2 id="open-heading">お手続き中のお申し込み</h2>
        {me.openApplications.length ? (
          <TableScroll label="お手続き中のお申し込みの一覧">
            <table className="table stack">
              <caption>お手続き中のお申し込み(新しい順)</caption>
              <thead>
                <tr>
                  <th scope="col">申込日時</th>
                  <th scope="col">申込番号</th>
                  <th scope="col">種別</th>
                  <th scope="col">申込結果</th>
                </tr>
              </thead>
              <tbody>
                {me.openApplications.map((a) => (
                  <tr key={a.id}>
                    <td data-label="申込日時" className="nowrap">
                      {a.createdAtLabel}
                    </td>
                    <td data-label="申込番号">
                      <AppLink to={`/account/history/${a.number}`}>{a.number}</AppLink>
                    </td>
                    <td data-label="種別">{a.kindLabel}</td>
                    <td data-label="申込結果">{a.resultLabel}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : (
          <p>お手続き中のお申し込みはありません。</p>
        )}
        <p>
          <AppLink to="/account/history">申込履歴をすべて見る</AppLink>
        </p>
      </section>

      <section aria-labelledby="rentals-heading" className="panel">
        <h2 id="rentals-heading">レンタル中の注文</h2>
        {me.rentals.length ? (
          <ul>
            {me.rentals.map((r) => (
              <li key={r.id}>
                契約番号 {r.contractNo}(注文 {r.orderNumber}):{rentalStatusLabel(r)}
                {r.plannedEndDate ? `、返却予定日 ${displayDate(r.plannedEndDate)}` : ""}
              </li>
            ))}
          </ul>
        ) : (
          <p>レンタル中の注文はありません。</p>
        )}
        {me.rentalCount > me.rentals.length ? (
          <p className="hint">
            返却予定日の近い{me.rentals.length}件を表示しています(全{me.rentalCount}件)。
          </p>
        ) : null}
        <p>
          <AppLink to="/rentals">レンタル中の注文・解約へ</AppLink>
        </p>
      </section>
    </section>
  );
}
