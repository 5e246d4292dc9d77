import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useSearchParams } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import { AppLink, type SitePath } from "~/components/AppLink";
import { Field } from "~/components/Field";
import { requireCustomer } from "~/utils/auth.server";
import { yen } from "~/utils/format";
import { formErrorsFrom } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("商品検索");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  const url = new URL(request.url);
  const filter = {
    category: url.searchParams.get("category") || undefined,
    maker: url.searchParams.get("maker") || undefined,
  };
  try {
    const found = await context.caller.catalog.search({
      ...filter,
      keyword: url.searchParams.get("q") ?? undefined,
      page: url.searchParams.get("page") ?? undefined,
    });
    return { ...found, fieldErrors: {} as Record<string, string[]> };
  } catch (error) {
    // A keyword the server refuses (a control character pasted with it): its message beside キーワード,
    // no results, and the form still offers its categories and makers.
    if (!(error instanceof TRPCError) || error.code !== "BAD_REQUEST") throw error;
    const { facets } = await context.caller.catalog.search(filter);
    const { fieldErrors } = formErrorsFrom(error).errors;
    return { items: [], total: 0, page: 1, pages: 1, facets, fieldErrors: { q: fieldErrors.keyword ?? [] } };
  }
}

export default function ProductsPage() {
  const { items, total, page, pages, facets, fieldErrors } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const pageLink = (p: number): SitePath => {
    const next = new URLSearchParams(params);
    next.set("page", String(p));
    return `/products?${next}`;
  };
  return (
    <section className="card wide">
      <h1>商品検索</h1>
      <Form method="get" className="search" role="search">
        <Field
          label="キーワード"
          name="q"
          id="q"
          type="search"
          defaultValue={params.get("q") ?? ""}
          placeholder="型番・商品名・メーカー"
          errors={fieldErrors.q}
        />
        <div className="field">
          <label htmlFor="category">カテゴリ</label>
          <select id="category" name="category" defaultValue={params.get("category") ?? ""}>
            <option value="">すべて</option>
            {facets.categories.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="maker">メーカー</label>
          <select id="maker" name="maker" defaultValue={params.get("maker") ?? ""}>
            <option value="">すべて</option>
            {facets.makers.map((m) => (
              <option key={m}>{m}</option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button type="submit">検索</button>
        </div>
      </Form>
      <p aria-live="polite">
        {total}件{total > 0 ? `(${page}/${pages}ページ)` : ""}
      </p>
      {items.length ? (
        <table className="table stack">
          <thead>
            <tr>
              <th scope="col">型番</th>
              <th scope="col">商品名</th>
              <th scope="col">メーカー</th>
              <th scope="col">カテゴリ</th>
              <th scope="col">日額</th>
              <th scope="col">月額</th>
            </tr>
          </thead>
          <tbody>
            {items.map((p) => (
              <tr key={p.id}>
                <td data-label="型番">
                  <AppLink to={`/products/${p.id}`}>{p.modelNo}</AppLink>
                </td>
                <td data-label="商品名">{p.name}</td>
                <td data-label="メーカー">{p.maker}</td>
                <td data-label="カテゴリ">{p.category}</td>
                <td data-label="日額" className="num">
                  {yen(p.dailyPrice)}
                </td>
                <td data-label="月額" className="num">
                  {yen(p.monthlyPrice)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>条件に合う商品は見つかりませんでした。キーワードを変えてお試しください。</p>
      )}
      {pages > 1 ? (
        <nav className="pagination" aria-label="ページ">
          {page > 1 ? <AppLink to={pageLink(page - 1)}>前へ</AppLink> : null}
          <span>
            {page} / {pages}
          </span>
          {page < pages ? <AppLink to={pageLink(page + 1)}>次へ</AppLink> : null}
        </nav>
      ) : null}
    </section>
  );
}
