import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { ErrorList, FormAlert } from "~/components/Field";
import { Notice } from "~/components/Notice";
import { SubmitButton } from "~/components/SubmitButton";
import { attempt } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("メールアドレス変更の確認");

export async function loader({ context, params }: LoaderFunctionArgs) {
  return { link: await context.caller.account.emailConfirmLink({ token: params.token ?? "" }) };
}

export async function action({ context, params }: ActionFunctionArgs) {
  return attempt(
    context.caller.account.confirmEmailChange({ token: params.token ?? "" }),
    { values: {} },
    ({ newEmail }) => ({ changed: newEmail }),
  );
}

export default function EmailConfirmPage() {
  const { link } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const changed = result && "changed" in result ? result.changed : null;
  const failure = result && !("changed" in result) ? result : undefined;
  return (
    <section className="card narrow">
      <h1>メールアドレス変更の確認</h1>
      {changed ? (
        <>
          <Notice
            message={`メールアドレスを ${changed} に変更しました。新しいメールアドレスでログインしてください。`}
          />
          <p>
            <AppLink to="/login">ログイン画面へ</AppLink>
          </p>
        </>
      ) : link ? (
        <>
          <p>
            メールアドレスを <strong>{link.newEmail}</strong> に変更します。
          </p>
          <FormAlert message={failure?.formError} />
          <ErrorList errors={failure?.fieldErrors.newEmail} />
          <Form method="post">
            <div className="actions">
              <SubmitButton>メールアドレスを変更する</SubmitButton>
            </div>
          </Form>
        </>
      ) : (
        <div className="alert" role="alert">
          このURLは無効か、有効期限が切れています。お手数ですが、もう一度メールアドレス変更依頼から手続きしてください。
        </div>
      )}
    </section>
  );
}
