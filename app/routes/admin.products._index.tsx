import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { Field, FormAlert } from "~/components/Field";
import { TableScroll } from "~/components/TableScroll";
import { redirectWithFlash } from "~/utils/flash.server";
import { yen } from "~/utils/format";
import { attempt, text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { requireStaff } from "~/utils/staff.server";

export const meta = title("商品管理");

const STATUSES = [
  ["all", "すべて"],
  ["on_sale", "販売中"],
  ["ended", "販売終了"],
] as const;
type Status = (typeof STATUSES)[number][0];

/**
 * 商品管理: the catalog by 型番, searched by the start of a 型番 or 商品名 and filtered by 状態, a page at
 * a time (keyset: 次へ carries the cursor).
 */
export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  const url = new URL(request.url);
  const keyword = (url.searchParams.get("keyword") ?? "").slice(0, 100);
  const asked = url.searchParams.get("status");
  const status: Status = STATUSES.some(([v]) => v === asked) ? (asked as Status) : "all";
  const cursor = url.searchParams.get("cursor")?.slice(0, 200) || null;
  const page = await context.caller.backofficeProducts.list({ keyword, status, cursor });
  const filter = new URLSearchParams({ keyword, status });
  const next = page.nextCursor ? new URLSearchParams({ keyword, status, cursor: page.nextCursor }).toString() : null;
  return { keyword, status, paged: cursor !== null, first: filter.toString(), rows: page.rows, next };
}

/** 販売再開 (販売終了 has its confirmation step: /admin/products/<id>/retire). */
export async function action({ context, request }: ActionFunctionArgs) {
  await requireStaff(context, request);
  const form = await request.formData();
  if (text(form, "intent") !== "resume") throw new Response("Bad Request", { status: 400 });
  const modelNo = text(form, "modelNo");
  return attempt(context.caller.backofficeProducts.resume({ id: text(form, "id") }), { values: {} }, () =>
    redirectWithFlash(
      `/admin/products${new URL(request.url).search}`,
      `商品 ${modelNo} の販売を再開しました。`,
      context,
    ),
  );
}

export default function ProductsPage() {
  const { keyword, status, paged, first, rows, next } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="card">
      <h1>商品管理</h1>
      <p className="actions">
        <AppLink to="/admin/products/new">商品登録</AppLink>{" "}
        <AppLink to="/admin/products/import">CSVで一括登録・更新</AppLink>
      </p>
      <FormAlert message={result?.formError} />
      <Form method="get" role="search" aria-label="商品検索" className="search">
        <Field
          label="キーワード"
          name="keyword"
          id="keyword"
          type="search"
          defaultValue={keyword}
          hint="型番または商品名の先頭で検索します。"
        />
        <div className="field">
          <label htmlFor="status">状態</label>
          <select id="status" name="status" defaultValue={status}>
            {STATUSES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="actions">
          <button type="submit">検索</button>
        </div>
      </Form>

      <TableScroll label="商品一覧">
        <table className="table">
          <caption>商品一覧(型番順。キーワードでは型番の一致、商品名の一致の順)</caption>
          <thead>
            <tr>
              <th scope="col">型番</th>
              <th scope="col">メーカー</th>
              <th scope="col">商品名</th>
              <th scope="col">カテゴリ</th>
              <th scope="col">日額</th>
              <th scope="col">月額</th>
              <th scope="col">状態</th>
              <th scope="col">操作</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colSpan={8}>該当する商品はありません。</td>
              </tr>
            ) : (
              rows.map((p) => (
                <tr key={p.id}>
                  <td>{p.modelNo}</td>
                  <td>{p.maker}</td>
                  <td>{p.name}</td>
                  <td>{p.category}</td>
                  <td className="num">{yen(p.dailyPrice)}</td>
                  <td className="num">{yen(p.monthlyPrice)}</td>
                  <td>{p.statusLabel}</td>
                  <td>
                    <div className="row-actions">
                      <AppLink to={`/admin/products/${encodeURIComponent(p.id)}/edit`}>編集</AppLink>
                      {p.status === "on_sale" ? (
                        <Form method="get" action={`/admin/products/${encodeURIComponent(p.id)}/retire`}>
                          <button type="submit" className="secondary">
                            販売終了
                          </button>
                        </Form>
                      ) : (
                        <Form method="post">
                          <input type="hidden" name="id" value={p.id} />
                          <input type="hidden" name="modelNo" value={p.modelNo} />
                          <button type="submit" name="intent" value="resume" className="secondary">
                            販売再開
                          </button>
                        </Form>
                      )}
                    </div>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </TableScroll>
      <nav aria-label="ページ送り" className="actions">
        {paged ? <AppLink to={`/admin/products?${first}`}>最初から</AppLink> : null}
        {next ? <AppLink to={`/admin/products?${next}`}>次へ</AppLink> : null}
      </nav>
    </section>
  );
}
