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
import { requireAdmin } from "~/utils/staff.server";

export const meta = title("パスワード再設定(スタッフ管理)");

/** パスワード再設定 of another staff member (admins only), for one who lost the password. */
export async function loader({ context, request, params }: LoaderFunctionArgs) {
  const me = await requireAdmin(context, request);
  // Staff are a handful of rows (the list is what スタッフ管理 shows anyway); one's own password is
  // changed at /admin/password.
  const staff = (await context.caller.staff.list()).find((s) => s.id === params.staffId && s.id !== me.id);
  if (!staff) throw new Response("Not Found", { status: 404 });
  return { staff };
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  await requireAdmin(context, request);
  const form = await request.formData();
  return attempt(
    context.caller.staff.resetPassword({
      id: params.staffId ?? "",
      newPassword: text(form, "newPassword"),
      confirmPassword: text(form, "confirmPassword"),
    }),
    { values: {} as Record<string, string> },
    () =>
      redirectWithFlash(
        "/admin/staff",
        "パスワードを再設定しました。新しいパスワードをご本人にお伝えください。",
        context,
      ),
  );
}

export default function StaffPasswordReset() {
  const { staff } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="card" aria-labelledby="reset-heading">
      <h1 id="reset-heading">パスワード再設定</h1>
      <p>
        {staff.name || staff.email}({staff.email}
        )のパスワードを再設定します。このスタッフの管理画面はログアウトされ、ロックも解除されます。
      </p>
      <PasswordRules level={2} />
      <FormAlert message={result?.formError} fieldErrors={result?.fieldErrors} labels={NEW_PASSWORD_LABELS} />
      <Form method="post" noValidate>
        <NewPasswordFields errors={result?.fieldErrors} />
        <div className="actions">
          <SubmitButton>再設定</SubmitButton>
          <AppLink to="/admin/staff">戻る</AppLink>
        </div>
      </Form>
    </section>
  );
}
