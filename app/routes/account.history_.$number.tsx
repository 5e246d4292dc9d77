import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useRouteLoaderData } from "@remix-run/react";
import { LinesTable } from "~/components/LinesTable";
import type { loader as rootLoader } from "~/root";
import { title } from "~/utils/meta";
import { orNotFound } from "~/utils/not-found.server";

export const meta = title("申込内容");

export async function loader({ context, params }: LoaderFunctionArgs) {
  return orNotFound(context.caller.history.get({ number: params.number ?? "" }));
}

export default function ApplicationPage() {
  const a = useLoaderData<typeof loader>();
  const site = useRouteLoaderData<typeof rootLoader>("root")?.site;
  return (
    <div>
      <p>
        <Link to="/account/history">← 申込履歴</Link>
      </p>
      <h2>申込番号 {a.number}</h2>
      {a.intakeStatus === "failed" ? (
        <div className="alert" role="alert">
          受付失敗 — お手数ですがコンタクトセンタ({site?.contactPhone})へお問い合わせください。{site?.contactHours}
        </div>
      ) : null}
      <dl className="summary">
        <dt>申込日時</dt>
        <dd>{a.createdAtLabel}</dd>
        <dt>種別</dt>
        <dd>{a.kindLabel}</dd>
        <dt>申込結果</dt>
        <dd>{a.resultLabel}</dd>
        <dt>確認結果</dt>
        <dd>{a.confirmation ? `${a.confirmation}(${a.arrangedAtLabel})` : "—"}</dd>
        {a.startDate ? (
          <>
            <dt>レンタル開始日</dt>
            <dd>{a.startDate}</dd>
            <dt>レンタル期間</dt>
            <dd>
              {a.period}
              {a.periodUnit === "day" ? "日" : "か月"}
            </dd>
          </>
        ) : null}
        {a.returnDate ? (
          <>
            <dt>返却希望日</dt>
            <dd>{a.returnDate}</dd>
          </>
        ) : null}
        {a.contractNo ? (
          <>
            <dt>契約番号</dt>
            <dd>{a.contractNo}</dd>
          </>
        ) : null}
        {a.poNumber ? (
          <>
            <dt>注文番号(PO)</dt>
            <dd>{a.poNumber}</dd>
          </>
        ) : null}
      </dl>
      <h3>商品</h3>
      <LinesTable
        numbered
        quantityLabel={a.kind === "cancellation" ? "解約数量" : "数量"}
        lines={a.lines.map((l) => ({
          key: String(l.lineNo),
          modelNo: l.modelNo,
          name: l.productName,
          quantity: l.quantity,
        }))}
      />
      {a.delivery.company ? (
        <>
          <h3>お届け先</h3>
          <p>
            {a.delivery.company} {a.delivery.department} {a.delivery.person} 様<br />〒{a.delivery.postalCode}{" "}
            {a.delivery.address} {a.delivery.building}
            <br />
            電話 {a.delivery.phone}
          </p>
        </>
      ) : null}
      {a.notes ? (
        <>
          <h3>備考</h3>
          <p className="pre">{a.notes}</p>
        </>
      ) : null}
    </div>
  );
}
