import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction, redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { DeliveryFields, readDelivery } from "~/components/DeliveryFields";
import { Field, FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { formFailure, text } from "~/utils/forms.server";

export const meta: MetaFunction = () => [{ title: "お届け先テンプレートの編集 | WEB会員専用ご注文サイト" }];

export async function loader({ context, params }: LoaderFunctionArgs) {
  try {
    return await context.caller.templates.get({ id: params.id ?? "" });
  } catch {
    throw new Response("Not Found", { status: 404 });
  }
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = { name: text(form, "name"), ...readDelivery(form) };
  try {
    await context.caller.templates.update({ id: params.id ?? "", ...values });
  } catch (error) {
    return formFailure(error, values as Record<string, string>);
  }
  throw redirect("/account/templates?done=updated");
}

export default function EditTemplatePage() {
  const template = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const values = result?.values ?? template;
  return (
    <section className="panel" aria-labelledby="edit-heading">
      <h2 id="edit-heading">お届け先テンプレートの編集</h2>
      <FormAlert message={result?.formError} />
      <Form method="post" noValidate>
        <Field
          label="テンプレート名"
          name="name"
          required
          defaultValue={values.name}
          errors={result?.fieldErrors.name}
        />
        <DeliveryFields values={values} errors={result?.fieldErrors} />
        <div className="actions">
          <SubmitButton>登録</SubmitButton> <Link to="/account/templates">キャンセル</Link>
        </div>
      </Form>
    </section>
  );
}
