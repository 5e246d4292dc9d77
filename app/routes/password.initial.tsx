import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { FormAlert } from "~/components/Field";
import { NEW_PASSWORD_LABELS, NewPasswordFields } from "~/components/NewPasswordFields";
import { PasswordRules } from "~/components/PasswordRules";
import { SubmitButton } from "~/components/SubmitButton";
import { requireSignedIn } from "~/utils/auth.server";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { safeRedirect } from "~/utils/redirect";

export const meta = title("初回ログイン時のパスワード変更");

export async function loader({ context, request }: LoaderFunctionArgs) {
  const me = await requireSignedIn(context, request);
  if (!me.user.mustChangePassword) throw redirect("/");
  return null;
}

export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  return attempt(
    context.caller.account.changeInitialPassword({
      newPassword: text(form, "newPassword"),
      confirmPassword: text(form, "confirmPassword"),
    }),
    { values: {} },
    // On to the page the user was going to when the login asked for the change (a deep link).
    () =>
      redirectWithFlash(
        safeRedirect(new URL(request.url).searchParams.get("redirectTo")),
        "パスワードを変更しました。",
        context,
      ),
  );
}

export default function InitialPasswordPage() {
  const result = useActionData<typeof action>();
  return (
    <section className="card narrow">
      <h1>初回ログイン時のパスワード変更</h1>
      <p>
        初めてログインされたため、パスワードの変更をお願いしております。新しいパスワードを設定すると、サイトをご利用いただけます。
      </p>
      <PasswordRules level={2} />
      <FormAlert message={result?.formError} fieldErrors={result?.fieldErrors} labels={NEW_PASSWORD_LABELS} />
      <Form method="post" noValidate>
        <NewPasswordFields errors={result?.fieldErrors} />
        <div className="actions">
          <SubmitButton>パスワード変更</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
