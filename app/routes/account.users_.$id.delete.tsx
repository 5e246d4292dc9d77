import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { requireCustomer } from "~/utils/auth.server";
import { redirectWithFlash } from "~/utils/flash.server";
import { useFocusOnMount } from "~/utils/focus";
import { attempt } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { orNotFound } from "~/utils/not-found.server";

export const meta = title("利用者の削除");

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  return orNotFound(context.caller.users.get({ id: params.id ?? "" }));
}

export async function action({ context, params }: ActionFunctionArgs) {
  const user = await loader({ context, params } as LoaderFunctionArgs);
  return attempt(context.caller.users.remove({ id: user.id }), { values: {} }, () =>
    redirectWithFlash(
      "/account/users",
      `${user.email} を削除しました。削除されたメールアドレス宛にお知らせをお送りしました。`,
      context,
    ),
  );
}

export default function DeleteUserPage() {
  const user = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section className="panel" aria-labelledby="delete-heading">
      <h2 id="delete-heading" ref={heading} tabIndex={-1}>
        利用者の削除
      </h2>
      <FormAlert message={result?.formError} />
      <p>
        次の利用者を削除します。削除するとすぐにログインできなくなり、削除したメールアドレス宛にお知らせが届きます。
      </p>
      <dl className="summary">
        <dt>メールアドレス</dt>
        <dd>{user.email}</dd>
        <dt>ユーザ名</dt>
        <dd>{user.name || "—"}</dd>
      </dl>
      <Form method="post" className="actions">
        <SubmitButton className="danger">削除する</SubmitButton> <AppLink to="/account/users">キャンセル</AppLink>
      </Form>
    </section>
  );
}
