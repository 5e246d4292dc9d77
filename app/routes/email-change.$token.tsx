import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { Field, FormAlert } from "~/components/Field";
import { Notice } from "~/components/Notice";
import { SubmitButton } from "~/components/SubmitButton";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("メールアドレス変更");

export async function loader({ context, params }: LoaderFunctionArgs) {
  return { link: await context.caller.account.emailChangeLink({ token: params.token ?? "" }) };
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = { newEmail: text(form, "newEmail") };
  return attempt(
    context.caller.account.submitNewEmail({ token: params.token ?? "", ...values }),
    { values },
    ({ newEmail }) => ({ sent: newEmail, values }),
  );
}

export default function EmailChangePage() {
  const { link } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const sent = result && "sent" in result ? result.sent : null;
  const failure = result && !("sent" in result) ? result : undefined;
  return (
    <section className="card narrow">
      <h1>メールアドレス変更</h1>
      {sent ? (
        <Notice
          message={`${sent} 宛に「メールアドレス変更確認」メールをお送りしました。メールに記載のURL(1時間有効)を開いて変更を完了してください。`}
        />
      ) : link ? (
        <>
          <p>
            現在のメールアドレス: <strong>{link.currentEmail}</strong>
          </p>
          <p>新しいメールアドレスを入力してください。入力したアドレス宛に確認メールをお送りします。</p>
          <FormAlert
            message={failure?.formError}
            fieldErrors={failure?.fieldErrors}
            labels={{ newEmail: "新しいメールアドレス" }}
          />
          <Form method="post" noValidate>
            <Field
              label="新しいメールアドレス"
              name="newEmail"
              type="email"
              autoComplete="email"
              required
              defaultValue={failure?.values.newEmail}
              errors={failure?.fieldErrors.newEmail}
            />
            <div className="actions">
              <SubmitButton>確認メールを送信</SubmitButton>
            </div>
          </Form>
        </>
      ) : (
        <div className="alert" role="alert">
          このURLは無効か、有効期限が切れています。お手数ですが、もう一度メールアドレス変更依頼から手続きしてください。
        </div>
      )}
      <p className="aside">
        <AppLink to="/login">ログイン画面へ</AppLink>
      </p>
    </section>
  );
}
