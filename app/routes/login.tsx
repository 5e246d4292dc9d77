import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useSearchParams } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { Field, FormAlert } from "~/components/Field";
import { Notice } from "~/components/Notice";
import { SubmitButton } from "~/components/SubmitButton";
import { afterLogin } from "~/utils/auth.server";
import { formFailure, text } from "~/utils/forms.server";
import { safeRedirect } from "~/utils/redirect";

export const meta: MetaFunction = () => [{ title: "ログイン | WEB会員専用ご注文サイト" }];

export async function loader({ context, request }: LoaderFunctionArgs) {
  if (await context.caller.auth.me()) {
    throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  }
  return null;
}

export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = { loginId: text(form, "loginId"), email: text(form, "email") };
  const redirectTo = safeRedirect(form.get("redirectTo"));
  let result: Awaited<ReturnType<typeof context.caller.auth.login>>;
  try {
    result = await context.caller.auth.login({ ...values, password: text(form, "password") });
  } catch (error) {
    return formFailure(error, values);
  }
  if (result.status === "otp_required") {
    throw redirect(`/login/otp${redirectTo === "/" ? "" : `?redirectTo=${encodeURIComponent(redirectTo)}`}`);
  }
  throw redirect(afterLogin(result, redirectTo));
}

export default function LoginPage() {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const errors = result?.fieldErrors ?? {};
  const notice =
    params.get("reset") === "done"
      ? "パスワードを再設定しました。新しいパスワードでログインしてください。"
      : params.get("setup") === "done"
        ? "パスワードを設定しました。ログインID、メールアドレス、設定したパスワードでログインしてください。"
        : params.get("otp") === "ended"
          ? "ワンタイムパスワードの有効期限が切れたか、入力回数の上限に達しました。もう一度ログインしてください。"
          : null;
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
      {result ? null : <Notice message={notice} />}
      <FormAlert message={result?.formError} />
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
        <Link to="/forgot-password">パスワードをお忘れの方はこちら</Link>
      </p>
    </section>
  );
}
