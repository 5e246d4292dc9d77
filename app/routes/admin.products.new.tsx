import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { FormAlert } from "~/components/Field";
import { PRODUCT_LABELS, ProductFields, readProductForm } from "~/components/ProductFields";
import { SubmitButton } from "~/components/SubmitButton";
import { redirectWithFlash } from "~/utils/flash.server";
import { attempt } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { requireStaff } from "~/utils/staff.server";

export const meta = title("商品登録");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  return null;
}

/** 商品登録: a new product, on sale at once; back to the list, found by its 型番. */
export async function action({ context, request }: ActionFunctionArgs) {
  await requireStaff(context, request);
  const values = readProductForm(await request.formData());
  return attempt(context.caller.backofficeProducts.create(values), { values }, () =>
    redirectWithFlash(
      `/admin/products?${new URLSearchParams({ keyword: values.modelNo.trim() })}`,
      `商品 ${values.modelNo.trim()} を登録しました。`,
      context,
    ),
  );
}

export default function NewProductPage() {
  const result = useActionData<typeof action>();
  return (
    <section className="card">
      <p>
        <AppLink to="/admin/products">商品一覧へ戻る</AppLink>
      </p>
      <h1>商品登録</h1>
      <p className="hint">登録した商品はすぐに商品検索に表示され、ご注文・見積依頼の対象になります。</p>
      <FormAlert message={result?.formError} fieldErrors={result?.fieldErrors} labels={PRODUCT_LABELS} />
      <Form method="post" noValidate>
        <ProductFields values={result?.values} errors={result?.fieldErrors} />
        <div className="actions">
          <SubmitButton>登録</SubmitButton> <AppLink to="/admin/products">キャンセル</AppLink>
        </div>
      </Form>
    </section>
  );
}
