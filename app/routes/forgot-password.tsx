import type { ActionFunctionArgs } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { Field, FormAlert } from "~/components/Field";
import { Notice } from "~/components/Notice";
import { SubmitButton } from "~/components/SubmitButton";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("パスワード再設定");

export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = { loginId: text(form, "loginId"), email: text(form, "email") };
  // The same answer whether or not the pair exists.
  return attempt(context.caller.auth.requestPasswordReset(values), { values }, () => ({
    sent: true as const,
    values,
    formError: undefined,
    fieldErrors: {} as Record<string, string[]>,
  }));
}

export default function ForgotPasswordPage() {
  const result = useActionData<typeof action>();
  const sent = result && "sent" in result;
  return (
    <section className="card narrow">
      <h1>パスワード再設定</h1>
      {sent ? (
        <>
          <Notice message="入力されたログインIDとメールアドレスが登録されている場合、パスワード再設定のご案内をメールでお送りしました。メールに記載のURL(30分間有効)から新しいパスワードを設定してください。" />
          <p className="hint">
            メールが届かない場合は、入力内容をご確認のうえ再度お試しいただくか、コンタクトセンタまでお問い合わせください。
          </p>
        </>
      ) : (
        <>
          <p>ご登録のログインIDとメールアドレスを入力してください。パスワード再設定用のURLをメールでお送りします。</p>
          <FormAlert
            message={result?.formError}
            fieldErrors={result?.fieldErrors}
            labels={{ loginId: "ログインID", email: "メールアドレス" }}
          />
          <Form method="post" noValidate>
            <Field
              label="ログインID"
              name="loginId"
              autoComplete="username"
              required
              defaultValue={result?.values.loginId}
              errors={result?.fieldErrors.loginId}
            />
            <Field
              label="メールアドレス"
              name="email"
              type="email"
              autoComplete="email"
              required
              defaultValue={result?.values.email}
              errors={result?.fieldErrors.email}
            />
            <div className="actions">
              <SubmitButton>再設定メールを送信</SubmitButton>
            </div>
          </Form>
        </>
      )}
      <p className="aside">
        <AppLink to="/login">ログイン画面に戻る</AppLink>
      </p>
    </section>
  );
}
