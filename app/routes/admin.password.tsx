import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { Field, FormAlert } from "~/components/Field";
import { NEW_PASSWORD_LABELS, NewPasswordFields } from "~/components/NewPasswordFields";
import { PasswordRules } from "~/components/PasswordRules";
import { SubmitButton } from "~/components/SubmitButton";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { requireStaff } from "~/utils/staff.server";

export const meta = title("パスワード変更(管理画面)");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  return null;
}

/**
 * パスワード変更 of the signed-in staff member. Wrong current passwords count toward the staff lockout;
 * at the limit the server ends the staff sessions, and the next page asks for a sign-in.
 */
export async function action({ context, request }: ActionFunctionArgs) {
  await requireStaff(context, request);
  const form = await request.formData();
  return attempt(
    context.caller.staffAuth.changePassword({
      currentPassword: text(form, "currentPassword"),
      newPassword: text(form, "newPassword"),
      confirmPassword: text(form, "confirmPassword"),
    }),
    { values: {} as Record<string, string> },
    () => redirectWithFlash("/admin", "パスワードを変更しました。", context),
  );
}

export default function StaffPasswordPage() {
  const result = useActionData<typeof action>();
  return (
    <section className="card" aria-labelledby="password-heading">
      <h1 id="password-heading">パスワード変更</h1>
      <PasswordRules level={2} />
      <p className="hint">変更すると、ほかの端末の管理画面はログアウトされます。</p>
      <FormAlert
        message={result?.formError}
        fieldErrors={result?.fieldErrors}
        labels={{ currentPassword: "現パスワード", ...NEW_PASSWORD_LABELS }}
      />
      <Form method="post" noValidate>
        <Field
          label="現パスワード"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          errors={result?.fieldErrors.currentPassword}
        />
        <NewPasswordFields errors={result?.fieldErrors} />
        <div className="actions">
          <SubmitButton>パスワード変更</SubmitButton>
        </div>
      </Form>
    </section>
  );
}
