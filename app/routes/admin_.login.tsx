import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, useActionData, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Field, FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { safeRedirect } from "~/utils/redirect";

export const meta = title("スタッフログイン");

export async function loader({ context, request }: LoaderFunctionArgs) {
  if (await context.caller.staffAuth.me()) {
    throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo"), "/admin"));
  }
  return null;
}

/** Step 1: メールアドレス + パスワード. A right password always leads to the mailed code (/admin/login/otp). */
export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = { email: text(form, "email") };
  const redirectTo = safeRedirect(form.get("redirectTo"), "/admin");
  return attempt(context.caller.staffAuth.login({ ...values, password: text(form, "password") }), { values }, () =>
    redirect(`/admin/login/otp${redirectTo === "/admin" ? "" : `?redirectTo=${encodeURIComponent(redirectTo)}`}`),
  );
}

export default function StaffLoginPage() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors = result?.fieldErrors ?? {};
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    const password = result && formRef.current?.elements.namedItem("password");
    if (password instanceof HTMLInputElement) password.value = "";
  }, [result]);
  return (
    <section className="card narrow">
      <h1>スタッフログイン</h1>
      <p>管理画面を利用するスタッフの方は、メールアドレスとパスワードを入力してください。</p>
      <FormAlert
        message={result?.formError}
        fieldErrors={result?.fieldErrors}
        labels={{ email: "メールアドレス", password: "パスワード" }}
      />
      <Form method="post" noValidate ref={formRef}>
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/admin"} />
        <Field
          label="メールアドレス"
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={result?.values.email}
          errors={errors.email}
        />
        <Field
          label="パスワード"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          errors={errors.password}
        />
        <div className="actions">
          <SubmitButton>ログイン</SubmitButton>
        </div>
      </Form>
      <p className="hint">ログインのたびに、ご登録のメールアドレスへワンタイムパスワードをお送りします。</p>
    </section>
  );
}
