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

export const meta = title("パスワード設定");

// Opening the link uses nothing: only the POST below does.
export async function loader({ context, params }: LoaderFunctionArgs) {
  return { link: await context.caller.users.setupLink({ token: params.token ?? "" }) };
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  return attempt(
    context.caller.users.completeSetup({
      token: params.token ?? "",
      newPassword: text(form, "newPassword"),
      confirmPassword: text(form, "confirmPassword"),
    }),
    { values: {} },
    () =>
      redirectWithFlash(
        "/login",
        "パスワードを設定しました。ログインID、メールアドレス、設定したパスワードでログインしてください。",
        context,
      ),
  );
}

export default function SetupPasswordPage() {
  const { link } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="card narrow">
      <h1>パスワード設定</h1>
      {link ? (
        <>
          <dl className="summary">
            <dt>ログインID</dt>
            <dd>{link.loginId}</dd>
            <dt>メールアドレス</dt>
            <dd>{link.email}</dd>
          </dl>
          <PasswordRules level={2} />
          <FormAlert message={result?.formError} fieldErrors={result?.fieldErrors} labels={NEW_PASSWORD_LABELS} />
          <Form method="post" noValidate>
            <NewPasswordFields errors={result?.fieldErrors} />
            <div className="actions">
              <SubmitButton>パスワードを設定</SubmitButton>
            </div>
          </Form>
        </>
      ) : (
        <div className="alert" role="alert">
          このURLは無効か、有効期限が切れています。お手数ですが、利用者管理から設定メールの再送を依頼してください。
        </div>
      )}
      <p className="aside">
        <AppLink to="/login">ログイン画面へ</AppLink>
      </p>
    </section>
  );
}
