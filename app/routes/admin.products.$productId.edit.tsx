import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { FormAlert } from "~/components/Field";
import { PRODUCT_LABELS, ProductFields, readProductForm } from "~/components/ProductFields";
import { SubmitButton } from "~/components/SubmitButton";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { orNotFound } from "~/utils/not-found.server";
import { requireStaff } from "~/utils/staff.server";

export const meta = title<typeof loader>(({ data }) => (data ? `商品の編集 ${data.product.modelNo}` : "商品の編集"));

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  const product = await orNotFound(context.caller.backofficeProducts.get({ id: params.productId ?? "" }));
  return { product };
}

/** 編集: the product keeps its id and sale status, so old applications and rentals still point at it. */
export async function action({ context, params, request }: ActionFunctionArgs) {
  await requireStaff(context, request);
  const values = readProductForm(await request.formData());
  return attempt(context.caller.backofficeProducts.update({ id: params.productId ?? "", ...values }), { values }, () =>
    redirectWithFlash(
      `/admin/products?${new URLSearchParams({ keyword: values.modelNo.trim() })}`,
      `商品 ${values.modelNo.trim()} を保存しました。`,
      context,
    ),
  );
}

export default function EditProductPage() {
  const { product } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const values = result?.values ?? {
    modelNo: product.modelNo,
    maker: product.maker,
    name: product.name,
    category: product.category,
    specSummary: product.specSummary,
    dailyPrice: String(product.dailyPrice),
    monthlyPrice: String(product.monthlyPrice),
  };
  return (
    <section className="card">
      <p>
        <AppLink to="/admin/products">商品一覧へ戻る</AppLink>
      </p>
      <h1>商品の編集</h1>
      <dl>
        <dt>状態</dt>
        <dd>{product.statusLabel}</dd>
      </dl>
      <p className="hint">価格の変更は、これからのご注文・見積依頼に適用されます。申込済みの内容は変わりません。</p>
      <FormAlert message={result?.formError} fieldErrors={result?.fieldErrors} labels={PRODUCT_LABELS} />
      <Form method="post" noValidate>
        <ProductFields values={values} errors={result?.fieldErrors} />
        <div className="actions">
          <SubmitButton>保存</SubmitButton> <AppLink to="/admin/products">キャンセル</AppLink>
        </div>
      </Form>
    </section>
  );
}
