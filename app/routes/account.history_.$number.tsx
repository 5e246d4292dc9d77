import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useRevalidator, useRouteLoaderData } from "@remix-run/react";
import { useEffect } from "react";
import { AppLink } from "~/components/AppLink";
import { FormAlert } from "~/components/Field";
import { LinesTable } from "~/components/LinesTable";
import { MoneySummary } from "~/components/Money";
import { SubmitButton } from "~/components/SubmitButton";
import { TableScroll } from "~/components/TableScroll";
import type { loader as rootLoader } from "~/root";
import { requireCustomer } from "~/utils/auth.server";
import { displayDate } from "~/utils/dates";
import { redirectWithFlash } from "~/utils/flash.server";
import { yen } from "~/utils/format";
import { attempt } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { orNotFound } from "~/utils/not-found.server";

export const meta = title<typeof loader>(({ data }) => (data ? `申込詳細 ${data.number}` : "申込詳細"));

export async function loader({ context, params, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  const a = await orNotFound(context.caller.history.get({ number: params.number ?? "" }));
  // この見積で注文する and この内容で再注文 replace the order form's lines: say how many are there now.
  const orderDraftLines =
    a.kind === "quote" || a.kind === "order" ? (await context.caller.applications.draft({ kind: "order" })).length : 0;
  return { ...a, orderDraftLines };
}

/**
 * この内容で再注文 (`intent=reorder`): the order form filled with this order's or quote's lines and delivery.
 * この見積で注文する (otherwise): filled with this quote's lines at its prices (the service checks 有効期限 again).
 */
export async function action({ context, params, request }: ActionFunctionArgs) {
  const number = params.number ?? "";
  if ((await request.formData()).get("intent") === "reorder") {
    return attempt(context.caller.applications.reorder({ number }), { values: { intent: "reorder" } }, (r) => {
      const parts = [`${r.number} と同じ内容を注文フォームに反映しました。`];
      if (r.replaced) parts.push(`注文フォームにあった商品(${r.replaced}件)は置き換えました。`);
      if (r.retired.length) parts.push(`販売終了のため次の商品は含めていません: ${r.retired.join("、")}。`);
      return redirectWithFlash("/order", parts.join(""), context);
    });
  }
  return attempt(context.caller.applications.orderFromQuote({ number }), { values: { intent: "quote" } }, (r) => {
    const parts = [`見積 ${r.quoteNumber} の商品を注文フォームに反映しました。`];
    if (r.replaced) parts.push(`注文フォームにあった商品(${r.replaced}件)は置き換えました。`);
    if (r.retired.length) parts.push(`販売終了のため次の商品は含めていません: ${r.retired.join("、")}。`);
    return redirectWithFlash("/order", parts.join(""), context);
  });
}

const DOCUMENT_LINK = { quote: "見積書PDF", order: "注文請書PDF" } as const;

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

/**
 * Shown only on paper (the print stylesheet): the head of the 見積書 / 注文請書 as its PDF has it (title, number
 * and date, the customer 御中, the total, the issuer with 登録番号), so that the printed page reads as the document.
 */
function PrintHead({
  number,
  head,
  total,
}: {
  number: string;
  head: NonNullable<Loaded["printHead"]>;
  total: Loaded["money"];
}) {
  return (
    <div className="print-only print-head">
      <p className="print-meta">
        No. {number}
        <br />
        発行日 {displayDate(head.issuedOn)}
      </p>
      <p className="print-title">{head.title}</p>
      <div className="print-parties">
        <div className="print-customer">
          <p className="print-customer-name">{head.customerCompany} 御中</p>
          {head.customerPerson ? <p>{head.customerPerson} 様</p> : null}
          {total?.complete ? (
            <p className="print-total">
              {head.title === "見積書" ? "御見積金額" : "ご注文金額"} {yen(total.total)}(税込)
            </p>
          ) : null}
        </div>
        <div className="print-issuer">
          <p className="print-issuer-name">{head.issuer.name}</p>
          {head.issuer.address ? <p>{head.issuer.address}</p> : null}
          <p>TEL {head.issuer.phone}</p>
          {head.issuer.registrationNumber ? <p>登録番号 {head.issuer.registrationNumber}</p> : null}
        </div>
      </div>
    </div>
  );
}

/** How often a 処理中 application is read again while its page is open. */
const PENDING_REFRESH_MS = 2_000;

/**
 * 処理中 is no end state: while the intake has not answered, the page reads the application again every
 * two seconds (no reload, nothing typed is lost) until it shows 受付完了 or 受付失敗.
 */
function useRefreshWhilePending(pending: boolean) {
  const { revalidate, state } = useRevalidator();
  useEffect(() => {
    if (!pending || state !== "idle") return;
    const timer = setTimeout(revalidate, PENDING_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [pending, state, revalidate]);
}

export default function ApplicationPage() {
  const a = useLoaderData<typeof loader>();
  const refused = useActionData<typeof action>();
  const site = useRouteLoaderData<typeof rootLoader>("root")?.site;
  const confirmedAt =
    a.confirmation === "手配済"
      ? a.arrangedAtLabel
      : a.confirmation === "回答済"
        ? a.answeredAtLabel
        : a.returnedAtLabel;
  const answered = a.kind === "quote" && a.quoteTotal !== null;
  useRefreshWhilePending(a.intakeStatus === "pending");
  return (
    <div className="application-detail">
      {a.printHead ? <PrintHead number={a.number} head={a.printHead} total={a.money} /> : null}
      <p className="no-print">
        <AppLink to="/account/history">← 申込履歴</AppLink>
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
        <dd>
          <span role="status">{a.resultLabel}</span>
          {a.intakeStatus === "pending" ? <span className="hint">(受付が済むと自動で表示が変わります)</span> : null}
        </dd>
        <dt>確認結果</dt>
        <dd>{a.confirmation ? `${a.confirmation}${confirmedAt ? `(${confirmedAt})` : ""}` : "—"}</dd>
        {a.quoteNumber ? (
          <>
            <dt>見積番号</dt>
            <dd>
              <AppLink to={`/account/history/${a.quoteNumber}`}>{a.quoteNumber}</AppLink>
            </dd>
          </>
        ) : null}
        {a.startDate ? (
          <>
            <dt>レンタル開始日</dt>
            <dd>{displayDate(a.startDate)}</dd>
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
            <dd>{displayDate(a.returnDate)}</dd>
          </>
        ) : null}
        {a.contractNo ? (
          <>
            <dt>契約番号</dt>
            <dd>{a.contractNo}</dd>
          </>
        ) : null}
        {a.kind === "extension" ? (
          <>
            <dt>延長前の返却予定日</dt>
            <dd>{displayDate(a.previousEndDate)}</dd>
            <dt>延長後の返却予定日</dt>
            <dd>{displayDate(a.requestedEndDate)}</dd>
            <dt>延長確認</dt>
            <dd>{a.confirmedAtLabel ? `確認済(${a.confirmedAtLabel})` : "当社の確認待ち"}</dd>
          </>
        ) : null}
        {a.poNumber ? (
          <>
            <dt>注文番号(PO)</dt>
            <dd>{a.poNumber}</dd>
          </>
        ) : null}
      </dl>
      {a.documents.length ? (
        <section className="panel documents no-print" aria-labelledby="documents-heading">
          <h3 id="documents-heading">書類</h3>
          <ul>
            {a.documents.map((kind) => (
              <li key={kind}>
                <a href={`/account/history/${encodeURIComponent(a.number)}/${kind}.pdf`} download>
                  {DOCUMENT_LINK[kind]}
                </a>
              </li>
            ))}
          </ul>
          <p className="hint">PDFファイルをダウンロードします。このページを印刷しても同じ内容の書類になります。</p>
        </section>
      ) : null}
      <h3 className="lines-heading">商品</h3>
      <TableScroll label="申込の明細">
        <LinesTable
          numbered
          quantityLabel={a.kind === "cancellation" ? "解約数量" : a.kind === "extension" ? "レンタル中の数量" : "数量"}
          lines={a.lines.map((l) => ({
            key: String(l.lineNo),
            modelNo: l.modelNo,
            name: l.productName,
            quantity: l.quantity,
            ...(a.money ? { unitPrice: l.unitPriceLabel ?? "—", amount: l.amount } : {}),
          }))}
        />
      </TableScroll>
      {a.money ? (
        <MoneySummary
          money={a.money}
          confirmedBy={
            a.kind === "quote"
              ? "見積回答で当社がお知らせします"
              : a.confirmation === "手配済"
                ? "当社からのご請求でご確認ください"
                : "手配時に当社が確定し、ご連絡します"
          }
        />
      ) : null}
      {answered ? (
        <dl className="summary quote-answer">
          <dt>有効期限</dt>
          <dd>{displayDate(a.validUntil)}</dd>
          <dt>コメント</dt>
          <dd className="pre">{a.answerComment || "—"}</dd>
        </dl>
      ) : null}
      {answered ? (
        <section className="panel" aria-labelledby="quote-order-heading">
          <h3 id="quote-order-heading">この見積での注文</h3>
          {refused?.values.intent === "quote" ? <FormAlert message={refused.formError} /> : null}
          {a.canOrderFromQuote ? (
            <Form method="post">
              <p className="hint">
                有効期限({displayDate(a.validUntil)})まで、この見積の商品と数量で注文フォームを開けます。
                {a.orderDraftLines
                  ? `注文フォームにある商品(${a.orderDraftLines}件)は、この見積の商品に置き換わります。`
                  : ""}
              </p>
              <SubmitButton>この見積で注文する</SubmitButton>
            </Form>
          ) : (
            <p>
              有効期限({displayDate(a.validUntil)}
              )を過ぎたため、この見積では注文できません。見積を依頼し直してください。
            </p>
          )}
        </section>
      ) : null}
      {a.kind === "quote" || a.kind === "order" ? (
        <section className="panel" aria-labelledby="reorder-heading">
          <h3 id="reorder-heading">再注文</h3>
          {refused?.values.intent === "reorder" ? <FormAlert message={refused.formError} /> : null}
          <Form method="post">
            <input type="hidden" name="intent" value="reorder" />
            <p className="hint">
              この{a.kind === "quote" ? "見積依頼" : "注文"}
              と同じ商品・数量・お届け先で注文フォームを開きます(価格は現在の価格です)。
              {a.orderDraftLines ? `注文フォームにある商品(${a.orderDraftLines}件)は置き換わります。` : ""}
            </p>
            <SubmitButton>この内容で再注文</SubmitButton>
          </Form>
        </section>
      ) : null}
      {a.delivery.company ? (
        <div className="delivery">
          <h3>お届け先</h3>
          <p>
            {a.delivery.company} {a.delivery.department} {a.delivery.person} 様<br />〒{a.delivery.postalCode}{" "}
            {a.delivery.address} {a.delivery.building}
            <br />
            電話 {a.delivery.phone}
          </p>
        </div>
      ) : null}
      {a.notes ? (
        <div className="notes">
          <h3>備考</h3>
          <p className="pre">{a.notes}</p>
        </div>
      ) : null}
    </div>
  );
}
