import type { DB } from "../../../db";
import type { CompanyInfo } from "../../config";
import { formatDate, tokyoDateString } from "../../lib/format";
import { DomainError } from "../errors";
import { moneyOf } from "../ordering/history";
import { type MoneySummary, TAX_RATES } from "../ordering/pricing";
import { plannedEndDate } from "../ordering/rentals";
import { DOCUMENT_TITLE, type DocumentKind, documentFilename, documentKindsOf } from "./kinds";

/**
 * What a 見積書 or 注文請書 says (SPEC §3, ADR 023), read from the database for one application: the same
 * lines and money as the detail page (history.ts `moneyOf`, pricing.ts: ADR 018), never a second computation.
 * The renderers (pdf.ts, and the print stylesheet of the detail page) only lay it out.
 */
export interface DocumentData {
  kind: DocumentKind;
  /** 見積書 / 注文請書 */
  title: string;
  filename: string;
  /** The application's number: Q-2026-000123 / O-2026-000123. */
  number: string;
  /** 発行日, "YYYY-MM-DD" in Japan: the day staff answered the quote or arranged the order (stable). */
  issuedOn: string;
  /** When that happened (the PDF's creation date): the same file whenever it is downloaded. */
  issuedAt: string;
  /** To whom: the account's company (御中) and the user who applied (様), "" once that user is deleted. */
  customer: { company: string; person: string };
  issuer: CompanyInfo;
  /** One sentence under the customer's name. */
  lead: string;
  /** 御見積金額 / ご注文金額 (税込). */
  totalLabel: string;
  /** Label and value pairs of the document's head: dates, numbers, the rental, the delivery. */
  details: { label: string; value: string }[];
  lines: DocumentLine[];
  money: MoneySummary;
  /** Text blocks at the end (コメント, 備考, what 概算 means). */
  notes: { label: string; text: string }[];
}

export interface DocumentLine {
  lineNo: number;
  modelNo: string;
  productName: string;
  quantity: number;
  /** "12,000円", "3,000円/日" (pricing.ts unitPriceLabel); "—" without a price. */
  unitPriceLabel: string;
  amount: number | null;
  /** 税率 in percent; null without a price. */
  taxRatePercent: number | null;
}

export const NO_APPLICATION = "指定されたお申し込みは見つかりません。";

/** Why an application has no such document, in the customer's words. */
function refusal(kind: DocumentKind, a: { number: string; kind: string }): DomainError {
  if (kind === "quote" && a.kind !== "quote")
    return new DomainError("NOT_FOUND", `${a.number} は見積依頼ではないため、見積書はありません。`);
  if (kind === "order" && a.kind !== "order")
    return new DomainError("NOT_FOUND", `${a.number} は注文ではないため、注文請書はありません。`);
  return kind === "quote"
    ? new DomainError("VALIDATION", "見積書は、当社が見積に回答した後にご利用いただけます。")
    : new DomainError("VALIDATION", "注文請書は、当社が注文の手配を完了した後にご利用いただけます。");
}

function periodLabel(period: number | null, unit: "day" | "month" | null): string {
  return period && unit ? `${period}${unit === "day" ? "日" : "か月"}` : "";
}

/**
 * The document of one application. `accountId` is the customer's account: another account's application is
 * NOT_FOUND, exactly as on the detail page. `db` may be a transaction (the status mails render it in the
 * transaction that answers or arranges).
 */
export async function loadDocument(
  db: DB,
  company: CompanyInfo,
  accountId: string,
  number: string,
  kind: DocumentKind,
): Promise<DocumentData> {
  const a = await db
    .selectFrom("applications")
    .innerJoin("accounts", "accounts.id", "applications.account_id")
    .leftJoin("users", "users.id", "applications.user_id")
    .selectAll("applications")
    .select(["accounts.company_name", "users.name as user_name", "users.email as user_email"])
    .where("applications.account_id", "=", accountId)
    .where("applications.number", "=", number)
    .executeTakeFirst();
  if (!a) throw new DomainError("NOT_FOUND", NO_APPLICATION);
  if (!documentKindsOf(a).includes(kind)) throw refusal(kind, a);
  const issuedAt = (kind === "quote" ? a.answered_at : a.arranged_at) as string;

  const lines = await db
    .selectFrom("application_lines")
    .selectAll()
    .where("application_id", "=", a.id)
    .orderBy("line_no")
    .execute();
  const { priced, money } = moneyOf(a, lines);
  if (!money) throw new Error(`${number}: no money on a ${a.kind}`);

  const details: { label: string; value: string }[] = [];
  const add = (label: string, value: string | null | undefined) => {
    if (value) details.push({ label, value });
  };
  if (kind === "quote") {
    add("有効期限", formatDate(a.valid_until));
  } else {
    const rental = a.rental_id
      ? await db
          .selectFrom("rentals")
          .select(["contract_no", "start_date"])
          .where("id", "=", a.rental_id)
          .executeTakeFirst()
      : undefined;
    const quote = a.quote_id
      ? await db
          .selectFrom("applications")
          .select("number")
          .where("id", "=", a.quote_id)
          .where("account_id", "=", accountId)
          .executeTakeFirst()
      : undefined;
    add("契約番号", rental?.contract_no);
    add("見積番号", quote?.number);
    add("貴社注文番号", a.po_number);
    // The order's own 返却予定日 (its start plus its period), as arranged: a later 延長 moves the rental's date,
    // not what this acknowledgement of the order says, so the document stays the same at every download.
    if (rental && a.period && a.period_unit) {
      add("返却予定日", formatDate(plannedEndDate(rental.start_date, a.period_unit, a.period)));
    }
  }
  if (a.start_date) add("レンタル開始日", formatDate(a.start_date));
  add("レンタル期間", periodLabel(a.period, a.period_unit));
  if (a.delivery_company) {
    add(
      "お届け先",
      [
        a.delivery_company,
        a.delivery_department,
        a.delivery_person ? `${a.delivery_person} 様` : "",
        `〒${a.delivery_postal_code}`,
        a.delivery_address,
        a.delivery_building,
      ]
        .filter(Boolean)
        .join(" "),
    );
  }

  const notes: { label: string; text: string }[] = [];
  if (kind === "quote" && a.answer_comment) notes.push({ label: "コメント", text: a.answer_comment });
  if (a.notes) notes.push({ label: kind === "quote" ? "ご依頼時の備考" : "ご注文時の備考", text: a.notes });
  if (!money.complete) {
    notes.push({ label: "金額", text: "一部の商品の金額が記録されていないため、合計は表示できません。" });
  } else if (money.estimate) {
    notes.push({
      label: "金額",
      text: "カタログ価格(税抜)による概算です。最終的な金額は当社からのご請求でご確認ください。",
    });
  }

  return {
    kind,
    title: DOCUMENT_TITLE[kind],
    filename: documentFilename(kind, number),
    number,
    issuedOn: tokyoDateString(new Date(issuedAt)),
    issuedAt,
    customer: { company: a.company_name, person: a.user_name || a.user_email || "" },
    issuer: company,
    lead: kind === "quote" ? "下記のとおりお見積り申し上げます。" : "下記のとおりご注文をお請けいたします。",
    totalLabel: kind === "quote" ? "御見積金額" : "ご注文金額",
    details,
    lines: lines.map((l, i) => {
      const p = priced[i];
      return {
        lineNo: l.line_no,
        modelNo: l.model_no,
        productName: l.product_name,
        quantity: l.quantity,
        unitPriceLabel: p?.unitPriceLabel ?? "—",
        amount: p?.amount ?? null,
        taxRatePercent: p?.price ? TAX_RATES[p.price.taxRate] : null,
      };
    }),
    money,
    notes,
  };
}
