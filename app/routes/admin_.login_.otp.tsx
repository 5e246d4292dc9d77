import { type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import { useEffect, useRef } from "react";
import { AppLink } from "~/components/AppLink";
import { Field, FormAlert } from "~/components/Field";
import { Notice } from "~/components/Notice";
import { SubmitButton } from "~/components/SubmitButton";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { safeRedirect } from "~/utils/redirect";

export const meta = title("ワンタイムパスワード認証(スタッフ)");

const backToLogin = (context: AppLoadContext) =>
  redirectWithFlash(
    "/admin/login",
    "ワンタイムパスワードの有効期限が切れたか、入力回数の上限に達しました。もう一度ログインしてください。",
    context,
  );

export async function loader({ context }: LoaderFunctionArgs) {
  if (await context.caller.staffAuth.me()) throw redirect("/admin");
  const challenge = await context.caller.staffAuth.otpChallenge();
  if (!challenge) throw await backToLogin(context);
  return challenge;
}

function challengeEnded(error: unknown): boolean {
  return error instanceof TRPCError && (error.cause as { code?: string } | undefined)?.code === "OTP_CHALLENGE_ENDED";
}

const endedGoesToLogin = (context: AppLoadContext) => async (error: unknown) => {
  if (challengeEnded(error)) throw await backToLogin(context);
  throw error;
};

export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  if (text(form, "intent") === "resend") {
    return attempt(
      context.caller.staffAuth.resendOtp().catch(endedGoesToLogin(context)),
      { values: { code: "" } },
      ({ expiresAtLabel }) => ({
        notice: "ワンタイムパスワードを再送しました。新しいメールのワンタイムパスワードを入力してください。",
        expiresAtLabel,
      }),
    );
  }
  return attempt(
    context.caller.staffAuth.verifyOtp({ code: text(form, "code") }).catch(endedGoesToLogin(context)),
    { values: { code: "" } },
    () => redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo"), "/admin")),
  );
}

export default function StaffOtpPage() {
  const challenge = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const formRef = useRef<HTMLFormElement>(null);
  const notice = result && "notice" in result ? result.notice : null;
  const errors = result && "fieldErrors" in result ? result : undefined;
  const expiresAtLabel = result && "expiresAtLabel" in result ? result.expiresAtLabel : challenge.expiresAtLabel;
  useEffect(() => {
    const input = result && formRef.current?.elements.namedItem("code");
    if (input instanceof HTMLInputElement) input.value = "";
  }, [result]);
  const query = params.toString();
  const formAction = `/admin/login/otp${query ? `?${query}` : ""}`;
  return (
    <section className="card narrow">
      <h1>ワンタイムパスワード認証</h1>
      <p>
        ご登録のメールアドレスに「管理画面ワンタイムパスワード通知」メールをお送りしました。
        記載されたワンタイムパスワードを有効期限内に入力し、「送信」を押してください。
      </p>
      <p className="expiry">
        有効期限: <strong>{expiresAtLabel}</strong>
      </p>
      <Notice message={notice} />
      <FormAlert message={errors?.formError} />
      <Form method="post" noValidate ref={formRef} action={formAction}>
        <input type="hidden" name="intent" value="verify" />
        <Field
          label="ワンタイムパスワード"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          required
          errors={errors?.fieldErrors.code}
        />
        <div className="actions">
          <SubmitButton>送信</SubmitButton>
        </div>
      </Form>
      <Form method="post" className="aside" action={formAction}>
        <input type="hidden" name="intent" value="resend" />
        <p className="hint">メールが届かない場合は、1分ほど待ってから再送してください。</p>
        <button type="submit" className="secondary">
          ワンタイムパスワードを再送する
        </button>
      </Form>
      <p className="aside">
        <AppLink to="/admin/login">スタッフログイン画面に戻る</AppLink>
      </p>
    </section>
  );
}
