import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { DeliveryFields, readDelivery, TEMPLATE_LABELS } from "~/components/DeliveryFields";
import { Field, FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { requireCustomer } from "~/utils/auth.server";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { orNotFound } from "~/utils/not-found.server";

export const meta = title("お届け先テンプレートの編集");

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  return orNotFound(context.caller.templates.get({ id: params.id ?? "" }));
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const values = { name: text(form, "name"), ...readDelivery(form) };
  return attempt(
    context.caller.templates.update({ id: params.id ?? "", ...values }),
    { values: values as Record<string, string> },
    () => redirectWithFlash("/account/templates", "お届け先テンプレートを変更しました。", context),
  );
}

export default function EditTemplatePage() {
  const template = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const values = result?.values ?? template;
  return (
    <section className="panel" aria-labelledby="edit-heading">
      <h2 id="edit-heading">お届け先テンプレートの編集</h2>
      <FormAlert message={result?.formError} fieldErrors={result?.fieldErrors} labels={TEMPLATE_LABELS} />
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
          <SubmitButton>登録</SubmitButton> <AppLink to="/account/templates">キャンセル</AppLink>
        </div>
      </Form>
    </section>
  );
}
