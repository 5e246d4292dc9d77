import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import type { applicationAction, applicationLoader } from "~/utils/application.server";
import { displayDate } from "~/utils/dates";
import { yen, yenOrDash } from "~/utils/format";
import {
  catalogPrice,
  type LinePrice,
  lineAmount,
  type PeriodUnit,
  quotedPrice,
  summarize,
} from "../../server/services/ordering/pricing";
import { AppLink } from "./AppLink";
import { ConfirmStep } from "./ConfirmStep";
import { DELIVERY_FIELDS, DeliveryFields } from "./DeliveryFields";
import { ErrorList, Field, FormAlert, fieldId, Need } from "./Field";
import { LineQuantityField } from "./LineQuantityField";
import { MoneySummary } from "./Money";
import { SubmitButton } from "./SubmitButton";
import { TableScroll } from "./TableScroll";

const TITLE = { quote: "見積依頼", order: "注文" } as const;
/** Who fixes the final price of the estimate shown, per kind. */
const CONFIRMED_BY = { quote: "見積回答で当社がお知らせします", order: "手配時に当社が確定し、ご連絡します" } as const;

interface Typed {
  period: string;
  unit: PeriodUnit;
  quantities: Record<string, string>;
}

/** A whole number ≥ 1 as typed ("３" counts as 3, as the server reads it), else null. */
function wholeNumber(value: string): number | null {
  const n = Number(value.normalize("NFKC").trim());
  return value.trim() && Number.isInteger(n) && n >= 1 ? n : null;
}

/** What the form holds now: period, unit and each line's 数量, read when the user changes a field. */
function readTyped(form: HTMLFormElement): Typed {
  const value = (name: string) => {
    const el = form.elements.namedItem(name);
    return el instanceof HTMLInputElement || el instanceof HTMLSelectElement ? el.value : "";
  };
  const quantities: Record<string, string> = {};
  for (const el of Array.from(form.elements)) {
    if (el instanceof HTMLInputElement && el.name.startsWith("qty.")) quantities[el.name.slice(4)] = el.value;
  }
  return { period: value("period"), unit: value("periodUnit") === "day" ? "day" : "month", quantities };
}

type LoaderData = Awaited<ReturnType<typeof applicationLoader>>;

/** 見積依頼 / 注文: lines, rental dates, delivery (with templates), notes; then a confirmation step. */
export function ApplicationForm() {
  const data = useLoaderData<LoaderData>();
  const result = useActionData<typeof applicationAction>();
  const formRef = useRef<HTMLFormElement>(null);
  const title = TITLE[data.kind];

  if (result?.step === "confirm")
    return <Confirmation title={title} result={result} quoteNumber={data.quote?.number} />;
  return <FormStep data={data} result={result} title={title} formRef={formRef} />;
}

function FormStep({
  data,
  result,
  title,
  formRef,
}: {
  data: ReturnType<typeof useLoaderData<LoaderData>>;
  result: Exclude<ReturnType<typeof useActionData<typeof applicationAction>>, { step: "confirm" }>;
  title: string;
  formRef: React.RefObject<HTMLFormElement>;
}) {
  const values = result?.values;
  const errors = result?.fieldErrors ?? {};
  const quote = data.quote;
  // What the form starts with: the quote of この見積で注文する, else the application of この内容で再注文.
  const start = quote ?? data.source;
  const lines = data.lines.map((l) => ({
    ...l,
    quantity: values?.lines.find((v) => v.productId === l.productId)?.quantity ?? String(l.quantity),
  }));

  // The estimate follows what is typed (with JavaScript); it starts from what the form shows.
  const shown: Typed = {
    period: values?.period ?? (start?.period ? String(start.period) : "1"),
    unit: values?.periodUnit ?? start?.periodUnit ?? "month",
    quantities: Object.fromEntries(lines.map((l) => [l.productId, l.quantity])),
  };
  const [typed, setTyped] = useState<Typed | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new answer of the action starts from its values
  useEffect(() => setTyped(null), [result]);
  const now = typed ?? shown;
  const period = wholeNumber(now.period);
  const priced = lines.map((l) => {
    const quoted = quote?.valid ? quote.unitPrices[l.productId] : undefined;
    const price: LinePrice = typeof quoted === "number" ? quotedPrice(quoted) : catalogPrice(l, now.unit);
    const quantity = wholeNumber(now.quantities[l.productId] ?? "");
    const amount = quantity !== null && period !== null ? lineAmount(price, quantity, period) : null;
    return { productId: l.productId, price, amount };
  });
  const money = summarize(priced);
  const amountOf = (productId: string) => priced.find((p) => p.productId === productId)?.amount ?? null;

  // With JavaScript the chosen template fills the fields in place; without, the button posts the form.
  const applyTemplate = (event: React.MouseEvent<HTMLButtonElement>) => {
    const form = formRef.current;
    const select = form?.elements.namedItem("templateId");
    if (!(select instanceof HTMLSelectElement)) return;
    const template = data.templates.find((t) => t.id === select.value);
    if (!template) return;
    event.preventDefault();
    for (const f of DELIVERY_FIELDS) {
      const input = form?.elements.namedItem(f.name);
      if (input instanceof HTMLInputElement) input.value = template[f.name];
    }
  };

  return (
    <section className="card wide">
      <h1>{title}</h1>
      <FormAlert
        message={result?.formError}
        fieldErrors={errors}
        labels={{
          ...Object.fromEntries(lines.map((l) => [`qty.${l.productId}`, `${l.modelNo} の数量`])),
          startDate: "レンタル開始日",
          period: "レンタル期間",
          templateId: "お届け先",
          ...Object.fromEntries(DELIVERY_FIELDS.map((f) => [f.name, f.label])),
          notes: "備考",
          poNumber: "注文番号(PO)",
        }}
      />
      {lines.length === 0 ? (
        <p>
          {title}する商品が選ばれていません。<AppLink to="/products">商品を探す</AppLink>から「{title}
          に追加」してください。
        </p>
      ) : (
        <Form method="post" noValidate ref={formRef} onChange={(e) => setTyped(readTyped(e.currentTarget))}>
          <input type="hidden" name="formKey" value={values?.formKey ?? data.formKey} />
          {quote ? (
            <p className="hint">
              見積 {quote.number} の内容で注文します(有効期限 {displayDate(quote.validUntil)}
              )。見積単価は表の「見積単価」のとおりです。
            </p>
          ) : data.source ? (
            <p className="hint">
              {data.source.number}{" "}
              と同じ商品・数量・お届け先を反映しました。レンタル開始日を選び、内容をご確認ください。
            </p>
          ) : null}
          <section className="panel">
            <h2 id="lines-heading">商品</h2>
            <ErrorList errors={errors.lines} />
            <TableScroll label="商品一覧">
              <table className="table stack">
                <thead>
                  <tr>
                    <th scope="col">型番</th>
                    <th scope="col">商品名</th>
                    <th scope="col">日額 / 月額</th>
                    {quote ? <th scope="col">見積単価</th> : null}
                    <th scope="col">数量</th>
                    <th scope="col">金額</th>
                    <th scope="col">操作</th>
                  </tr>
                </thead>
                <tbody>
                  {lines.map((l) => (
                    <tr key={l.productId}>
                      <td data-label="型番">{l.modelNo}</td>
                      <td data-label="商品名">{l.name}</td>
                      <td data-label="日額 / 月額" className="num">
                        {yen(l.dailyPrice)} / {yen(l.monthlyPrice)}
                      </td>
                      {quote ? (
                        <td data-label="見積単価" className="num">
                          {typeof quote.unitPrices[l.productId] === "number"
                            ? yen(quote.unitPrices[l.productId] as number)
                            : "—"}
                        </td>
                      ) : null}
                      <td data-label="数量">
                        <LineQuantityField
                          label="数量"
                          lineId={l.productId}
                          modelNo={l.modelNo}
                          min={1}
                          max={99}
                          required
                          defaultValue={l.quantity}
                          fieldErrors={errors}
                        />
                      </td>
                      <td data-label="金額" className="num">
                        {yenOrDash(amountOf(l.productId))}
                      </td>
                      <td data-label="操作">
                        <button type="submit" name="intent" value={`remove:${l.productId}`} className="secondary">
                          削除
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableScroll>
            <MoneySummary
              money={money}
              confirmedBy={CONFIRMED_BY[data.kind]}
              pending="数量とレンタル期間を入力すると、金額と合計を表示します。"
            />
          </section>

          <section className="panel">
            <h2 id="period-heading">レンタル期間</h2>
            <Field
              label="レンタル開始日"
              name="startDate"
              type="date"
              min={data.today}
              required
              defaultValue={values?.startDate ?? quote?.startDate ?? ""}
              errors={errors.startDate}
            />
            <div className="inline-fields">
              <Field
                label="レンタル期間"
                name="period"
                type="number"
                inputMode="numeric"
                min={1}
                required
                defaultValue={values?.period ?? (start?.period ? String(start.period) : "1")}
                errors={errors.period}
              />
              <div className="field">
                <div className="field-label">
                  <label htmlFor={fieldId("periodUnit")}>単位</label>
                  <Need required />
                </div>
                <select
                  id={fieldId("periodUnit")}
                  required
                  name="periodUnit"
                  defaultValue={values?.periodUnit ?? start?.periodUnit ?? "month"}
                >
                  <option value="day">日</option>
                  <option value="month">か月</option>
                </select>
              </div>
            </div>
          </section>

          <section className="panel">
            <h2 id="delivery-heading">お届け先情報</h2>
            <div className="template-picker">
              <div className="field">
                <div className="field-label">
                  <label htmlFor={fieldId("templateId")}>お届け先</label>
                  <Need optional />
                </div>
                <select id={fieldId("templateId")} name="templateId" defaultValue={values?.templateId ?? ""}>
                  <option value="">テンプレートを選択</option>
                  {data.templates.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
                </select>
                <ErrorList errors={errors.templateId} />
              </div>
              <button type="submit" name="intent" value="apply-template" className="secondary" onClick={applyTemplate}>
                届先情報へ反映
              </button>
            </div>
            {data.templates.length === 0 ? (
              <p className="hint">
                よく使うお届け先は<AppLink to="/account/templates">お届け先テンプレート管理</AppLink>で登録できます。
              </p>
            ) : null}
            <DeliveryFields values={values?.delivery ?? start?.delivery} errors={errors} />
          </section>

          <section className="panel">
            <h2 id="notes-heading">その他</h2>
            <div className="field">
              <div className="field-label">
                <label htmlFor={fieldId("notes")}>備考</label>
                <Need optional />
              </div>
              <textarea id={fieldId("notes")} name="notes" rows={4} defaultValue={values?.notes ?? ""} />
              <ErrorList errors={errors.notes} />
            </div>
            <Field
              label="注文番号(PO)"
              name="poNumber"
              optional
              defaultValue={values?.poNumber ?? ""}
              errors={errors.poNumber}
            />
          </section>
          <div className="actions">
            <SubmitButton name="intent" value="confirm">
              確認画面へ
            </SubmitButton>
          </div>
        </Form>
      )}
    </section>
  );
}

function Confirmation({
  title,
  result,
  quoteNumber,
}: {
  title: string;
  /** この見積で注文する: the quote the order refers to. */
  quoteNumber?: string;
  result: Extract<NonNullable<ReturnType<typeof useActionData<typeof applicationAction>>>, { step: "confirm" }>;
}) {
  const v = result.values;
  return (
    <ConfirmStep
      title={title}
      lead="以下の内容でお申し込みます。よろしければ「申し込む」を押してください。"
      lines={result.lines.map((l) => ({
        key: l.productId,
        modelNo: l.modelNo,
        name: l.name,
        quantity: l.quantity,
        unitPrice: l.unitPrice,
        amount: l.amount,
      }))}
      money={result.money}
      summary={[
        ...(quoteNumber ? [{ term: "見積番号", detail: quoteNumber }] : []),
        { term: "レンタル開始日", detail: displayDate(v.startDate) },
        { term: "レンタル期間", detail: `${v.period}${v.periodUnit === "day" ? "日" : "か月"}` },
        ...DELIVERY_FIELDS.map((f) => ({ term: f.label, detail: v.delivery[f.name] || "—" })),
        { term: "備考", detail: v.notes || "—", pre: true },
        { term: "注文番号(PO)", detail: v.poNumber || "—" },
      ]}
      hidden={[
        ["formKey", v.formKey],
        ...v.lines.map((l): [string, string] => [`qty.${l.productId}`, l.quantity]),
        ["startDate", v.startDate],
        ["period", v.period],
        ["periodUnit", v.periodUnit],
        ["templateId", v.templateId],
        ...DELIVERY_FIELDS.map((f): [string, string] => [f.name, v.delivery[f.name]]),
        ["notes", v.notes],
        ["poNumber", v.poNumber],
      ]}
    />
  );
}
