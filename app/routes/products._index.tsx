import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { requireCustomer } from "~/utils/auth.server";
import { yen } from "~/utils/format";
import { title } from "~/utils/meta";

export const meta = title("商品検索");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  const url = new URL(request.url);
  return context.caller.catalog.search({
    keyword: url.searchParams.get("q") ?? undefined,
    category: url.searchParams.get("category") || undefined,
    maker: url.searchParams.get("maker") || undefined,
    page: url.searchParams.get("page") ?? undefined,
  });
}

export default function ProductsPage() {
  const { items, total, page, pages, facets } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const pageLink = (p: number) => {
    const next = new URLSearchParams(params);
    next.set("page", String(p));
    return `/products?${next}`;
  };
  return (
    <section className="card wide">
      <h1>商品検索</h1>
      <Form method="get" className="search" role="search">
        <div className="field">
          <label htmlFor="q">キーワード</label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={params.get("q") ?? ""}
            placeholder="型番・商品名・メーカー"
          />
        </div>
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
        <table className="table">
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
                <td>
                  <Link to={`/products/${p.id}`}>{p.modelNo}</Link>
                </td>
                <td>{p.name}</td>
                <td>{p.maker}</td>
                <td>{p.category}</td>
                <td className="num">{yen(p.dailyPrice)}</td>
                <td className="num">{yen(p.monthlyPrice)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>条件に合う商品は見つかりませんでした。キーワードを変えてお試しください。</p>
      )}
      {pages > 1 ? (
        <nav className="pagination" aria-label="ページ">
          {page > 1 ? <Link to={pageLink(page - 1)}>前へ</Link> : null}
          <span>
            {page} / {pages}
          </span>
          {page < pages ? <Link to={pageLink(page + 1)}>次へ</Link> : null}
        </nav>
      ) : null}
    </section>
  );
}
