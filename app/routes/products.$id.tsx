import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { Field, FormAlert } from "~/components/Field";
import { requireCustomer } from "~/utils/auth.server";
import { redirectWithFlash } from "~/utils/flash.server";
import { yen } from "~/utils/format";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { orNotFound } from "~/utils/not-found.server";

export const meta = title<typeof loader>(({ data }) => data?.product.modelNo ?? "商品");

export async function loader({ context, request, params }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  return { product: await orNotFound(context.caller.catalog.product({ id: params.id ?? "" })) };
}

export async function action({ context, request, params }: ActionFunctionArgs) {
  const form = await request.formData();
  const kind = text(form, "intent") === "quote" ? "quote" : "order";
  const values = { quantity: text(form, "quantity") };
  return attempt(
    context.caller.applications.addToDraft({ kind, productId: params.id ?? "", quantity: values.quantity }),
    { values },
    () =>
      kind === "quote"
        ? redirectWithFlash("/quote", "商品を見積依頼に追加しました。", context)
        : redirectWithFlash("/order", "商品を注文に追加しました。", context),
  );
}

export default function ProductPage() {
  const { product } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="card">
      <p>
        <AppLink to="/products">← 商品検索</AppLink>
      </p>
      <h1>{product.name}</h1>
      <dl className="summary">
        <dt>型番</dt>
        <dd>{product.modelNo}</dd>
        <dt>メーカー</dt>
        <dd>{product.maker}</dd>
        <dt>カテゴリ</dt>
        <dd>{product.category}</dd>
        <dt>仕様</dt>
        <dd>{product.specSummary}</dd>
        <dt>レンタル単価</dt>
        <dd>
          日額 {yen(product.dailyPrice)} / 月額 {yen(product.monthlyPrice)}(税抜)
        </dd>
      </dl>
      <FormAlert message={result?.formError} />
      <Form method="post" noValidate className="add-to">
        <Field
          label="数量"
          required
          name="quantity"
          type="number"
          inputMode="numeric"
          min={1}
          max={99}
          defaultValue={result?.values.quantity ?? "1"}
          errors={result?.fieldErrors.quantity}
        />
        <div className="actions">
          <button type="submit" name="intent" value="quote" className="secondary">
            見積依頼に追加
          </button>{" "}
          <button type="submit" name="intent" value="order">
            注文に追加
          </button>
        </div>
      </Form>
    </section>
  );
}
