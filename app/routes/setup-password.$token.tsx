import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormAlert } from "~/components/Field";
import { NewPasswordFields } from "~/components/NewPasswordFields";
import { PasswordRules } from "~/components/PasswordRules";
import { SubmitButton } from "~/components/SubmitButton";
import { formFailure, text } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "パスワード設定 | WEB会員専用ご注文サイト" }];

// Opening the link uses nothing: only the POST below does.
export async function loader({ context, params }: LoaderFunctionArgs) {
  return { link: await context.caller.users.setupLink({ token: params.token ?? "" }) };
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  try {
    await context.caller.users.completeSetup({
      token: params.token ?? "",
      newPassword: text(form, "newPassword"),
      confirmPassword: text(form, "confirmPassword"),
    });
  } catch (error) {
    return formFailure(error, {});
  }
  throw redirect("/login?setup=done");
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
          <PasswordRules />
          <FormAlert message={result?.formError} />
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
        <Link to="/login">ログイン画面へ</Link>
      </p>
    </section>
  );
}
