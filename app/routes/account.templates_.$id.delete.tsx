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

export const meta = title("お届け先テンプレートの削除");

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  return orNotFound(context.caller.templates.get({ id: params.id ?? "" }));
}

export async function action({ context, params }: ActionFunctionArgs) {
  const template = await loader({ context, params } as LoaderFunctionArgs);
  return attempt(context.caller.templates.remove({ id: template.id }), { values: {} }, () =>
    redirectWithFlash("/account/templates", `お届け先テンプレート「${template.name}」を削除しました。`, context),
  );
}

/** The confirmation step of a template's 削除 (as 利用者の削除): what goes, then 削除する or 戻る. */
export default function DeleteTemplatePage() {
  const t = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section className="panel" aria-labelledby="delete-heading">
      <h2 id="delete-heading" ref={heading} tabIndex={-1}>
        お届け先テンプレートの削除
      </h2>
      <FormAlert message={result?.formError} />
      <p>次のお届け先テンプレートを削除します。これまでのお申し込みのお届け先は変わりません。</p>
      <dl className="summary">
        <dt>テンプレート名</dt>
        <dd>{t.name}</dd>
        <dt>お届け先</dt>
        <dd>
          {t.company} {t.department} {t.person} 様 〒{t.postalCode} {t.address} {t.building} / {t.phone}
        </dd>
      </dl>
      <Form method="post" className="actions">
        <SubmitButton className="danger">削除する</SubmitButton> <AppLink to="/account/templates">戻る</AppLink>
      </Form>
    </section>
  );
}
