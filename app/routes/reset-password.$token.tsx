import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { FormAlert } from "~/components/Field";
import { NEW_PASSWORD_LABELS, NewPasswordFields } from "~/components/NewPasswordFields";
import { PasswordRules } from "~/components/PasswordRules";
import { SubmitButton } from "~/components/SubmitButton";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("新しいパスワードの設定");

// The link's token is used only by the POST below: opening the page (or a mail scanner fetching it) uses nothing.
export async function loader({ context, params }: LoaderFunctionArgs) {
  return { valid: await context.caller.auth.resetTokenValid({ token: params.token ?? "" }) };
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  return attempt(
    context.caller.auth.resetPassword({
      token: params.token ?? "",
      newPassword: text(form, "newPassword"),
      confirmPassword: text(form, "confirmPassword"),
    }),
    { values: {} },
    () => redirectWithFlash("/login", "パスワードを再設定しました。新しいパスワードでログインしてください。", context),
  );
}

export default function ResetPasswordPage() {
  const { valid } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="card narrow">
      <h1>新しいパスワードの設定</h1>
      {valid ? (
        <>
          <PasswordRules level={2} />
          <FormAlert message={result?.formError} fieldErrors={result?.fieldErrors} labels={NEW_PASSWORD_LABELS} />
          <Form method="post" noValidate>
            <NewPasswordFields errors={result?.fieldErrors} />
            <div className="actions">
              <SubmitButton>パスワードを再設定</SubmitButton>
            </div>
          </Form>
        </>
      ) : (
        <div className="alert" role="alert">
          このURLは無効か、有効期限が切れています。お手数ですが、もう一度パスワード再設定をお申し込みください。
        </div>
      )}
      <p className="aside">
        <AppLink to="/forgot-password">パスワード再設定を申し込む</AppLink> /{" "}
        <AppLink to="/login">ログイン画面に戻る</AppLink>
      </p>
    </section>
  );
}
