import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { AppLink } from "~/components/AppLink";
import { FormAlert } from "~/components/Field";
import { SubmitButton } from "~/components/SubmitButton";
import { redirectWithFlash } from "~/utils/flash.server";
import { yen } from "~/utils/format";
import { attempt } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { orNotFound } from "~/utils/not-found.server";
import { requireStaff } from "~/utils/staff.server";

export const meta = title("販売終了の確認");

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  const product = await orNotFound(context.caller.backofficeProducts.get({ id: params.productId ?? "" }));
  return { product };
}

/** 販売終了, confirmed: the product leaves the customers' search; old applications keep it. */
export async function action({ context, params, request }: ActionFunctionArgs) {
  await requireStaff(context, request);
  const { product } = await loader({ context, params, request } as LoaderFunctionArgs);
  return attempt(context.caller.backofficeProducts.retire({ id: product.id }), { values: {} }, () =>
    redirectWithFlash(
      `/admin/products?${new URLSearchParams({ keyword: product.modelNo })}`,
      `商品 ${product.modelNo} を販売終了にしました。`,
      context,
    ),
  );
}

/** The confirmation step of 販売終了 (as 利用者の削除): what ends, then 販売終了する or キャンセル. */
export default function RetireProductPage() {
  const { product } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="card" aria-labelledby="retire-heading">
      <h1 id="retire-heading" ref={heading} tabIndex={-1}>
        販売終了の確認
      </h1>
      <FormAlert message={result?.formError} />
      {product.status === "ended" ? (
        <p>この商品はすでに販売終了です。</p>
      ) : (
        <p>
          次の商品を販売終了にします。商品検索と商品ページに表示されなくなり、新しいご注文・見積依頼には使えなくなります。
          申込履歴やレンタル中の注文には、これまでどおり表示されます。販売再開はいつでもできます。
        </p>
      )}
      <dl className="summary">
        <dt>型番</dt>
        <dd>{product.modelNo}</dd>
        <dt>メーカー</dt>
        <dd>{product.maker}</dd>
        <dt>商品名</dt>
        <dd>{product.name}</dd>
        <dt>日額 / 月額</dt>
        <dd>
          {yen(product.dailyPrice)} / {yen(product.monthlyPrice)}
        </dd>
      </dl>
      <Form method="post" className="actions">
        {product.status === "on_sale" ? <SubmitButton className="danger">販売終了する</SubmitButton> : null}{" "}
        <AppLink to="/admin/products">キャンセル</AppLink>
      </Form>
    </section>
  );
}
