import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { Field, FormAlert } from "~/components/Field";
import { NEW_PASSWORD_LABELS, NewPasswordFields } from "~/components/NewPasswordFields";
import { PasswordRules } from "~/components/PasswordRules";
import { SubmitButton } from "~/components/SubmitButton";
import { requireCustomer } from "~/utils/auth.server";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("お客様情報設定");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  return context.caller.account.settings();
}

export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  const intent = text(form, "intent");
  const done = (message: string) => () => redirectWithFlash("/account", message, context);
  if (intent === "password") {
    return attempt(
      context.caller.account.changePassword({
        currentPassword: text(form, "currentPassword"),
        newPassword: text(form, "newPassword"),
        confirmPassword: text(form, "confirmPassword"),
      }),
      { values: {} as Record<string, string>, extra: { intent: "password" } },
      done("パスワードを変更しました。"),
    );
  }
  if (intent === "email") {
    return attempt(
      context.caller.account.requestEmailChange({ currentPassword: text(form, "emailPassword") }),
      {
        values: {} as Record<string, string>,
        extra: { intent: "email" },
        rename: { currentPassword: "emailPassword" },
      },
      done(
        "現在のメールアドレス宛に「メールアドレス変更依頼受付」メールをお送りしました。メールに記載のURL(1時間有効)から新しいメールアドレスを登録してください。",
      ),
    );
  }
  const values = { name: text(form, "name"), mfa: text(form, "mfa") };
  return attempt(
    context.caller.account.updateProfile({
      name: values.name,
      mfaEnabled: values.mfa === "on",
      currentPassword: text(form, "profilePassword") || undefined,
    }),
    {
      values: values as Record<string, string>,
      extra: { intent: "profile" },
      rename: { currentPassword: "profilePassword" },
    },
    done("登録情報を変更しました。"),
  );
}

export default function AccountSettings() {
  const settings = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const password = result?.intent === "password" ? result : undefined;
  const profile = result?.intent === "profile" ? result : undefined;
  const email = result?.intent === "email" ? result : undefined;
  const mfaOn = profile ? profile.values.mfa === "on" : settings.mfaEnabled;
  return (
    <div className="settings">
      <section aria-labelledby="password-heading" className="panel">
        <h2 id="password-heading">パスワード変更</h2>
        <PasswordRules />
        <FormAlert
          message={password?.formError}
          fieldErrors={password?.fieldErrors}
          labels={{ currentPassword: "現パスワード", ...NEW_PASSWORD_LABELS }}
        />
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="password" />
          <Field
            label="現パスワード"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            errors={password?.fieldErrors.currentPassword}
          />
          <NewPasswordFields errors={password?.fieldErrors} />
          <div className="actions">
            <SubmitButton>パスワード変更</SubmitButton>
          </div>
        </Form>
      </section>

      <section aria-labelledby="profile-heading" className="panel">
        <h2 id="profile-heading">登録情報変更</h2>
        <FormAlert message={profile?.formError} />
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="profile" />
          <Field
            label="ユーザ名"
            optional
            name="name"
            autoComplete="name"
            defaultValue={profile?.values.name ?? settings.name}
            errors={profile?.fieldErrors.name}
          />
          <fieldset className="field" aria-describedby="mfa-note">
            <legend>多要素認証</legend>
            <label className="inline">
              <input type="radio" name="mfa" value="off" defaultChecked={!mfaOn} /> 利用しない
            </label>
            <label className="inline">
              <input type="radio" name="mfa" value="on" defaultChecked={mfaOn} /> 利用する
            </label>
            <p id="mfa-note" className="hint">
              ※多要素認証を利用する場合、ログイン時、登録されたメールアドレス宛にメールを送信します。メールに記載されたワンタイムパスワードを、有効期限内に画面へ入力してください。
            </p>
          </fieldset>
          <Field
            label="現在のパスワード(多要素認証の設定を変更する場合)"
            required
            name="profilePassword"
            type="password"
            autoComplete="current-password"
            errors={profile?.fieldErrors.profilePassword}
          />
          <div className="actions">
            <SubmitButton>登録情報変更</SubmitButton>
          </div>
        </Form>
      </section>

      <section aria-labelledby="email-heading" className="panel">
        <h2 id="email-heading">メールアドレス</h2>
        <p>
          現在のメールアドレス: <strong>{settings.email}</strong>
        </p>
        <p className="hint">
          「メールアドレス変更依頼」を押すと、現在のメールアドレス宛に「メールアドレス変更依頼受付」メールをお送りします。本文記載のURLから手続きを行ってください。
          ※現在設定しているアドレス宛のメールが確認できない場合は、「利用者管理」からメールアドレスの削除→追加でご対応をお願いします。
        </p>
        <FormAlert message={email?.formError} />
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="email" />
          <Field
            label="現在のパスワード(メールアドレス変更依頼)"
            name="emailPassword"
            type="password"
            autoComplete="current-password"
            required
            errors={email?.fieldErrors.emailPassword}
          />
          <div className="actions">
            <SubmitButton>メールアドレス変更依頼</SubmitButton>
          </div>
        </Form>
      </section>
    </div>
  );
}
