import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("心当たりのないログイン");

// The ログイン通知's link (心当たりがない場合). Opening it (or a mail scanner fetching it) changes nothing: only
// the button's POST below does.
export async function loader({ context, params }: LoaderFunctionArgs) {
  return { login: await context.caller.auth.loginReportInfo({ token: params.token ?? "" }) };
}

export async function action({ context, params }: ActionFunctionArgs) {
  return attempt(context.caller.auth.reportLogin({ token: params.token ?? "" }), { values: {} }, () =>
    redirectWithFlash(
      "/login",
      "すべての端末からログアウトし、パスワードを無効にしました。ご登録のメールアドレスにお送りした「パスワード再設定のご案内」のURLから、新しいパスワードを設定してください。",
      context,
    ),
  );
}

export default function LoginReportPage() {
  const { login } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="card narrow">
      <h1>心当たりのないログイン</h1>
      {login ? (
        <>
          <p>
            ログイン通知でお知らせした次のログインにお心当たりがない場合は、第三者による不正アクセスのおそれがあります。
          </p>
          <dl className="summary">
            <dt>ログイン日時</dt>
            <dd>{login.loginAt}</dd>
            <dt>IPアドレス</dt>
            <dd>{login.ip}</dd>
            <dt>ブラウザ</dt>
            <dd>{login.browser}</dd>
          </dl>
          <p>下のボタンを押すと、次のことをすぐに行います。</p>
          <ul>
            <li>この利用者でログインしているすべての端末(この端末を含む)をログアウトします。</li>
            <li>現在のパスワードを無効にし、新しいパスワードを設定するためのメールをお送りします。</li>
            <li>コンタクトセンタにお知らせします。</li>
          </ul>
          <FormAlert message={result?.formError} />
          <Form method="post">
            <div className="actions">
              <SubmitButton className="danger">すべての端末からログアウト</SubmitButton>
            </div>
          </Form>
        </>
      ) : (
        <div className="alert" role="alert">
          このURLは無効か、有効期限が切れています。ログインにお心当たりがない場合は、パスワード再設定をお申し込みのうえ、コンタクトセンタまでお問い合わせください。
        </div>
      )}
      <p className="aside">
        <AppLink to="/forgot-password">パスワード再設定を申し込む</AppLink> /{" "}
        <AppLink to="/login">ログイン画面へ</AppLink>
      </p>
    </section>
  );
}
