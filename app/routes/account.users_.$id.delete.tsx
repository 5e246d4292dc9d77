import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { formFailure } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "利用者の削除 | WEB会員専用ご注文サイト" }];

export async function loader({ context, params }: LoaderFunctionArgs) {
  try {
    return await context.caller.users.get({ id: params.id ?? "" });
  } catch {
    throw new Response("Not Found", { status: 404 });
  }
}

export async function action({ context, params }: ActionFunctionArgs) {
  const user = await loader({ context, params } as LoaderFunctionArgs);
  try {
    await context.caller.users.remove({ id: user.id });
  } catch (error) {
    return formFailure(error, {});
  }
  throw redirect(`/account/users?done=deleted&email=${encodeURIComponent(user.email)}`);
}

export default function DeleteUserPage() {
  const user = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="panel" aria-labelledby="delete-heading">
      <h2 id="delete-heading">利用者の削除</h2>
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
        <SubmitButton className="danger">削除する</SubmitButton> <Link to="/account/users">キャンセル</Link>
      </Form>
    </section>
  );
}
