import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { KeysetPager } from "~/components/KeysetPager";
import { TableScroll } from "~/components/TableScroll";
import { requireCustomer } from "~/utils/auth.server";
import { displayDate, periodLabel, rentalStatusLabel } from "~/utils/dates";
import { title } from "~/utils/meta";

export const meta = title("レンタル中の注文");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  const cursor = new URL(request.url).searchParams.get("cursor") ?? undefined;
  return context.caller.rentals.list({ cursor: cursor?.slice(0, 200) });
}

export default function RentalsPage() {
  const { rentals, nextCursor, total } = useLoaderData<typeof loader>();
  return (
    <section className="card wide">
      <h1>レンタル中の注文</h1>
      {total === 0 ? (
        <p>レンタル中の注文はありません。</p>
      ) : (
        <p className="hint">全{total}件を新しい順に表示しています。</p>
      )}
      {rentals.map((r) => (
        <section key={r.id} className="panel" aria-labelledby={`rental-${r.id}`}>
          <h2 id={`rental-${r.id}`}>
            契約番号 {r.contractNo}(注文 {r.orderNumber})
          </h2>
          <dl className="summary">
            <dt>状態</dt>
            <dd>{rentalStatusLabel(r)}</dd>
            <dt>レンタル開始日</dt>
            <dd>{displayDate(r.startDate)}</dd>
            {r.period ? (
              <>
                <dt>レンタル期間</dt>
                <dd>{periodLabel(r.period)}</dd>
              </>
            ) : null}
            {r.plannedEndDate ? (
              <>
                <dt>返却予定日</dt>
                <dd>
                  {displayDate(r.plannedEndDate)}
                  {r.lineDates ? "(最も早い日。商品ごとの日付は下の表のとおり)" : ""}
                </dd>
              </>
            ) : null}
          </dl>
          <TableScroll label="レンタル中の商品">
            <table className="table stack">
              <thead>
                <tr>
                  <th scope="col">型番</th>
                  <th scope="col">商品名</th>
                  <th scope="col">数量</th>
                  <th scope="col">解約申込済</th>
                  <th scope="col">返却済</th>
                  <th scope="col">レンタル中</th>
                  {r.lineDates ? <th scope="col">返却予定日</th> : null}
                </tr>
              </thead>
              <tbody>
                {r.lines.map((l) => (
                  <tr key={l.id}>
                    <td data-label="型番">{l.modelNo}</td>
                    <td data-label="商品名">{l.productName}</td>
                    <td data-label="数量" className="num">
                      {l.quantity}
                    </td>
                    <td data-label="解約申込済" className="num">
                      {l.cancelRequested}
                    </td>
                    <td data-label="返却済" className="num">
                      {l.returned}
                    </td>
                    <td data-label="レンタル中" className="num">
                      {l.cancellable}
                    </td>
                    {r.lineDates ? <td data-label="返却予定日">{displayDate(l.plannedEndDate)}</td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          {r.openExtension ? (
            <p className="hint">
              延長申込中(
              <AppLink to={`/account/history/${encodeURIComponent(r.openExtension)}`}>{r.openExtension}</AppLink>
              、当社の確認待ち)
            </p>
          ) : null}
          {r.lines.some((l) => l.cancellable > 0) ? (
            <p className="actions">
              <AppLink className="button" to={`/rentals/${r.id}/cancel`} aria-label={`契約番号 ${r.contractNo} を解約`}>
                解約
              </AppLink>{" "}
              {r.plannedEndDate && !r.openExtension ? (
                <AppLink
                  className="button secondary"
                  to={`/rentals/${r.id}/extend`}
                  aria-label={`契約番号 ${r.contractNo} を延長`}
                >
                  延長
                </AppLink>
              ) : null}
            </p>
          ) : (
            <p className="hint">全ての商品の解約を申し込み済みです。</p>
          )}
        </section>
      ))}
      <KeysetPager path="/rentals" nextCursor={nextCursor} />
    </section>
  );
}
