import { type ActionFunctionArgs, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, useActionData, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { AppLink } from "~/components/AppLink";
import { Field, FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { afterLogin, signedInCustomer } from "~/utils/auth.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { safeRedirect } from "~/utils/redirect";

export const meta = title("ログイン");

export async function loader({ context, request }: LoaderFunctionArgs) {
  if (await signedInCustomer(context)) {
    throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  }
  return null;
}

export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = { loginId: text(form, "loginId"), email: text(form, "email") };
  const redirectTo = safeRedirect(form.get("redirectTo"));
  return attempt(context.caller.auth.login({ ...values, password: text(form, "password") }), { values }, (result) =>
    redirect(
      result.status === "otp_required"
        ? `/login/otp${redirectTo === "/" ? "" : `?redirectTo=${encodeURIComponent(redirectTo)}`}`
        : afterLogin(result, redirectTo),
    ),
  );
}

export default function LoginPage() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors = result?.fieldErrors ?? {};
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    // After a refused attempt the password is typed again (without JavaScript it is never sent back).
    const password = result && formRef.current?.elements.namedItem("password");
    if (password instanceof HTMLInputElement) password.value = "";
  }, [result]);
  return (
    <section className="card narrow">
      <h1>ログイン</h1>
      <p>ログインID、メールアドレス、パスワードを入力してください。</p>
      <FormAlert
        message={result?.formError}
        fieldErrors={result?.fieldErrors}
        labels={{ loginId: "ログインID", email: "メールアドレス", password: "パスワード" }}
      />
      <Form method="post" noValidate ref={formRef}>
        <input type="hidden" name="redirectTo" value={params.get("redirectTo") ?? "/"} />
        <Field
          label="ログインID"
          name="loginId"
          autoComplete="username"
          required
          defaultValue={result?.values.loginId}
          errors={errors.loginId}
        />
        <Field
          label="メールアドレス"
          name="email"
          type="email"
          autoComplete="email"
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
      <p className="aside">
        <AppLink to="/forgot-password">パスワードをお忘れの方はこちら</AppLink>
      </p>
    </section>
  );
}
