import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useRouteLoaderData, useSearchParams } from "@remix-run/react";
import { TRPCError } from "@trpc/server";
import { AppLink } from "~/components/AppLink";
import { PeriodFields } from "~/components/Field";
import { KeysetPager } from "~/components/KeysetPager";
import type { loader as rootLoader } from "~/root";
import { requireCustomer } from "~/utils/auth.server";
import { formErrorsFrom } from "~/utils/forms.server";
import { title } from "~/utils/meta";

export const meta = title("申込履歴");

const KINDS = [
  ["", "すべて"],
  ["quote", "見積"],
  ["order", "注文"],
  ["cancellation", "解約"],
  ["extension", "延長"],
] as const;
const RESULTS = [
  ["", "すべて"],
  ["accepted", "受付完了"],
  ["failed", "受付失敗"],
  ["pending", "処理中"],
] as const;

function filterOf(params: URLSearchParams) {
  const kind = params.get("kind");
  const result = params.get("result");
  return {
    kind:
      kind === "quote" || kind === "order" || kind === "cancellation" || kind === "extension"
        ? (kind as typeof kind)
        : undefined,
    result:
      result === "accepted" || result === "failed" || result === "pending" ? (result as typeof result) : undefined,
    from: params.get("from") || undefined,
    to: params.get("to") || undefined,
  };
}

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  const params = new URL(request.url).searchParams;
  try {
    const list = await context.caller.history.list({ ...filterOf(params), cursor: params.get("cursor") ?? undefined });
    return { ...list, fieldErrors: {} as Record<string, string[]> };
  } catch (error) {
    // A period that is no date: its message beside the field, and no rows until it is put right.
    if (!(error instanceof TRPCError) || error.code !== "BAD_REQUEST") throw error;
    return { rows: [], nextCursor: null, fieldErrors: formErrorsFrom(error).errors.fieldErrors };
  }
}

export default function HistoryPage() {
  const { rows, nextCursor, fieldErrors } = useLoaderData<typeof loader>();
  const site = useRouteLoaderData<typeof rootLoader>("root")?.site;
  const [params] = useSearchParams();
  const filterQuery = new URLSearchParams(params);
  filterQuery.delete("cursor");
  return (
    <div>
      <Form method="get" className="search filters" aria-label="申込履歴の絞り込み">
        <div className="field">
          <label htmlFor="kind">種別</label>
          <select id="kind" name="kind" defaultValue={params.get("kind") ?? ""}>
            {KINDS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="result">申込結果</label>
          <select id="result" name="result" defaultValue={params.get("result") ?? ""}>
            {RESULTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <PeriodFields params={params} errors={fieldErrors} />
        <div className="actions">
          <button type="submit">絞り込み</button>
        </div>
      </Form>
      <p>
        <a href={`/account/history.csv${filterQuery.size ? `?${filterQuery}` : ""}`} download>
          CSVダウンロード
        </a>
      </p>
      {rows.length ? (
        <table className="table stack">
          <thead>
            <tr>
              <th scope="col">申込日時</th>
              <th scope="col">申込番号</th>
              <th scope="col">種別</th>
              <th scope="col">申込結果</th>
              <th scope="col">確認結果</th>
              <th scope="col">申込者</th>
              <th scope="col">商品</th>
              <th scope="col">注文番号(PO)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td data-label="申込日時">{r.createdAtLabel}</td>
                <td data-label="申込番号">
                  <AppLink to={`/account/history/${r.number}`}>{r.number}</AppLink>
                </td>
                <td data-label="種別">{r.kindLabel}</td>
                <td data-label="申込結果" className={r.intakeStatus === "failed" ? "status-failed" : undefined}>
                  {r.resultLabel}
                </td>
                <td data-label="確認結果">{r.confirmation}</td>
                <td data-label="申込者">{r.applicant}</td>
                <td data-label="商品">{r.itemSummary}</td>
                <td data-label="注文番号(PO)">{r.poNumber}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>お申し込みの履歴はありません。</p>
      )}
      {rows.some((r) => r.intakeStatus === "failed") ? (
        <p className="alert" role="alert">
          申込結果が「受付失敗」のお申し込みは、お手数ですがコンタクトセンタ({site?.contactPhone}
          )へお問い合わせください。{site?.contactHours}
        </p>
      ) : null}
      <KeysetPager path="/account/history" nextCursor={nextCursor} />
    </div>
  );
}
