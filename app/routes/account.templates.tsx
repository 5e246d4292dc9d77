import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useLocation } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { DeliveryFields, readDelivery, TEMPLATE_LABELS } from "~/components/DeliveryFields";
import { Field, FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { requireCustomer } from "~/utils/auth.server";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("お届け先テンプレート管理");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  return context.caller.templates.list();
}

export async function action({ context, request }: ActionFunctionArgs) {
  const form = await request.formData();
  const done = (message: string) => () => redirectWithFlash("/account/templates", message, context);
  const values = { name: text(form, "name"), ...readDelivery(form) };
  return attempt(
    context.caller.templates.create(values),
    { values: values as Record<string, string> },
    done("お届け先テンプレートを登録しました。"),
  );
}

export default function TemplatesPage() {
  const { templates, max } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const full = templates.length >= max;
  // A new form after each navigation: empty after 登録 (no values left to register twice), what was
  // typed after a refusal (the action's values).
  const { key } = useLocation();
  return (
    <div>
      <section className="panel" aria-labelledby="templates-heading">
        <h2 id="templates-heading">
          お届け先テンプレート一覧({templates.length}/{max}件)
        </h2>
        {templates.length ? (
          <table className="table stack">
            <thead>
              <tr>
                <th scope="col">テンプレート名</th>
                <th scope="col">お届け先</th>
                <th scope="col">操作</th>
              </tr>
            </thead>
            <tbody>
              {templates.map((t) => (
                <tr key={t.id}>
                  <td data-label="テンプレート名">{t.name}</td>
                  <td data-label="お届け先">
                    <span>
                      {t.company} {t.department} {t.person} 様<br />〒{t.postalCode} {t.address} {t.building} /{" "}
                      {t.phone}
                    </span>
                  </td>
                  <td data-label="操作">
                    <div className="row-actions">
                      <AppLink
                        className="button secondary"
                        to={`/account/templates/${t.id}/edit`}
                        aria-label={`${t.name} を編集`}
                      >
                        編集
                      </AppLink>
                      {/* 削除 asks first (a step of its own, as 利用者の削除). */}
                      <Form method="get" action={`/account/templates/${t.id}/delete`}>
                        <button type="submit" className="danger" aria-label={`${t.name} を削除`}>
                          削除
                        </button>
                      </Form>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>登録されているテンプレートはありません。</p>
        )}
      </section>

      <section className="panel" aria-labelledby="new-template-heading">
        <h2 id="new-template-heading">テンプレートの登録</h2>
        <p className="hint">
          よく使うお届け先を登録しておくと、見積依頼・注文の画面で「お届け先」のプルダウンから呼び出せます(最大{max}
          件)。
        </p>
        <FormAlert message={result?.formError} fieldErrors={result?.fieldErrors} labels={TEMPLATE_LABELS} />
        {full && !result ? (
          <p className="hint">登録できる件数の上限に達しています。不要なテンプレートを削除してください。</p>
        ) : null}
        <Form method="post" noValidate key={key}>
          <Field
            label="テンプレート名"
            name="name"
            required
            defaultValue={result?.values.name ?? ""}
            errors={result?.fieldErrors.name}
          />
          <DeliveryFields values={result?.values} errors={result?.fieldErrors} />
          <div className="actions">
            <SubmitButton name="intent" value="create">
              登録
            </SubmitButton>
          </div>
        </Form>
      </section>
    </div>
  );
}
