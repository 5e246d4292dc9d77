import { type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useSearchParams } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import { useEffect, useRef } from "react";
import { AppLink, type SitePath } from "~/components/AppLink";
import { Field, FormAlert } from "~/components/Field";
import { Notice } from "~/components/Notice";
import { SubmitButton } from "~/components/SubmitButton";
import { afterLogin, signedInCustomer } from "~/utils/auth.server";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { safeRedirect } from "~/utils/redirect";

export const meta = title("ワンタイムパスワード認証");

/** The code expired or was mistyped too often: back to the first step, saying why. */
const backToLogin = (context: AppLoadContext) =>
  redirectWithFlash(
    "/login",
    "ワンタイムパスワードの有効期限が切れたか、入力回数の上限に達しました。もう一度ログインしてください。",
    context,
  );

export async function loader({ context }: LoaderFunctionArgs) {
  if (await signedInCustomer(context)) throw redirect("/");
  const challenge = await context.caller.auth.otpChallenge();
  if (!challenge) throw await backToLogin(context);
  return challenge;
}

function challengeEnded(error: unknown): boolean {
  return error instanceof TRPCError && (error.cause as { code?: string } | undefined)?.code === "OTP_CHALLENGE_ENDED";
}

/** For a call's catch: an ended challenge becomes the redirect back to /login; any other error goes on. */
const endedGoesToLogin = (context: AppLoadContext) => async (error: unknown) => {
  if (challengeEnded(error)) throw await backToLogin(context);
  throw error;
};

export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  if (text(form, "intent") === "resend") {
    return attempt(
      context.caller.auth.resendOtp().catch(endedGoesToLogin(context)),
      { values: { code: "" } },
      ({ expiresAtLabel }) => ({
        notice: "ワンタイムパスワードを再送しました。新しいメールのワンタイムパスワードを入力してください。",
        expiresAtLabel,
      }),
    );
  }
  const signedIn = (result: { mustChangePassword: boolean }) =>
    redirect(afterLogin(result, safeRedirect(new URL(request.url).searchParams.get("redirectTo"))));
  if (text(form, "intent") === "recovery") {
    return attempt(
      context.caller.auth
        .verifyRecoveryCode({ recoveryCode: text(form, "recoveryCode") })
        .catch(endedGoesToLogin(context)),
      { values: { recoveryCode: "" } },
      signedIn,
    );
  }
  return attempt(
    context.caller.auth.verifyOtp({ code: text(form, "code") }).catch(endedGoesToLogin(context)),
    { values: { code: "" } },
    signedIn,
  );
}

/** The form's URL with the query of this page (redirectTo), with or without the recovery-code mode. */
function withQuery(params: URLSearchParams, recovery: boolean): SitePath {
  const next = new URLSearchParams(params);
  if (recovery) next.set("recovery", "1");
  else next.delete("recovery");
  const query = next.toString();
  return `/login/otp${query ? `?${query}` : ""}`;
}

export default function OtpPage() {
  const challenge = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  if (challenge.method === "authenticator") return <AuthenticatorStep recovery={params.get("recovery") === "1"} />;
  return <MailedCodeStep />;
}

/**
 * An enrolled user's second step (SPEC §3): the authenticator app's ワンタイムパスワード, or with
 * リカバリーコードを使用する one of the recovery codes.
 */
function AuthenticatorStep({ recovery }: { recovery: boolean }) {
  const result = useActionData<typeof action>();
  const [params] = useSearchParams();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = result && "fieldErrors" in result ? result : undefined;
  const field = recovery ? "recoveryCode" : "code";
  useEffect(() => {
    const input = result && formRef.current?.elements.namedItem(field);
    if (input instanceof HTMLInputElement) input.value = "";
  }, [result, field]);
  return (
    <section className="card narrow">
      <h1>ワンタイムパスワード認証</h1>
      {recovery ? (
        <p>
          認証アプリを登録したときに控えたリカバリーコードを1つ入力し、「送信」を押してください。使用したリカバリーコードは、再び使用できません。
        </p>
      ) : (
        <p>スマートフォンの認証アプリに表示されている6桁のワンタイムパスワードを入力し、「送信」を押してください。</p>
      )}
      <FormAlert message={errors?.formError} />
      <Form method="post" noValidate ref={formRef} action={withQuery(params, recovery)} key={field}>
        <input type="hidden" name="intent" value={recovery ? "recovery" : "verify"} />
        {recovery ? (
          <Field
            label="リカバリーコード"
            name="recoveryCode"
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
            maxLength={32}
            required
            errors={errors?.fieldErrors.recoveryCode}
          />
        ) : (
          <Field
            label="ワンタイムパスワード"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
            errors={errors?.fieldErrors.code}
          />
        )}
        <div className="actions">
          <SubmitButton>送信</SubmitButton>
        </div>
      </Form>
      <p className="aside">
        {recovery ? (
          <AppLink to={withQuery(params, false)}>認証アプリのワンタイムパスワードを使用する</AppLink>
        ) : (
          <AppLink to={withQuery(params, true)}>リカバリーコードを使用する</AppLink>
        )}
      </p>
      <p className="aside">
        <AppLink to="/login">ログイン画面に戻る</AppLink>
      </p>
    </section>
  );
}

/** The mailed code's step (SPEC §3): the code of ワンタイムパスワード通知, with its expiry and a resend. */
function MailedCodeStep() {
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
  return (
    <section className="card narrow">
      <h1>ワンタイムパスワード認証</h1>
      <p>
        ご登録のメールアドレスに「ワンタイムパスワード通知」メールをお送りしました。
        記載されたワンタイムパスワードを有効期限内に入力し、「送信」を押してください。
      </p>
      <p className="expiry">
        有効期限: <strong>{expiresAtLabel}</strong>
      </p>
      <Notice message={notice} />
      <FormAlert message={errors?.formError} />
      <Form method="post" noValidate ref={formRef} action={`/login/otp${query ? `?${query}` : ""}`}>
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
      <Form method="post" className="aside" action={`/login/otp${query ? `?${query}` : ""}`}>
        <input type="hidden" name="intent" value="resend" />
        <p className="hint">メールが届かない場合は、1分ほど待ってから再送してください。</p>
        <button type="submit" className="secondary">
          ワンタイムパスワードを再送する
        </button>
      </Form>
      <p className="aside">
        <AppLink to="/login">ログイン画面に戻る</AppLink>
      </p>
    </section>
  );
}
