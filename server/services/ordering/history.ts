import type { ApplicationKind, ApplicationLineTable, ApplicationTable } from "../../../db/schema";
import { csvCell } from "../../lib/csv";
import { formatTokyoShort, tokyoDateString } from "../../lib/format";
import type { ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { deliveryOf, KIND_LABEL } from "./applications";
import { lineAmount, quotedPrice, storedPrice, summarize, unitPriceLabel } from "./pricing";
import { quoteValid } from "./quote-orders";

/** What 申込結果 and 確認結果 show for a stored status (DOMAIN.md "Status words on screen"). */
export const INTAKE_LABEL = { pending: "処理中", accepted: "受付完了", failed: "受付失敗" } as const;

export interface HistoryFilter {
  kind?: ApplicationKind;
  result?: "pending" | "accepted" | "failed";
  /** Inclusive dates in Japan time, "YYYY-MM-DD". */
  from?: string;
  to?: string;
}

export interface HistoryRow {
  id: string;
  number: string;
  kind: ApplicationKind;
  kindLabel: string;
  createdAt: string;
  createdAtLabel: string;
  intakeStatus: "pending" | "accepted" | "failed";
  resultLabel: string;
  confirmation: string;
}

export const HISTORY_PAGE_SIZE = 20;

/** A date in Japan → the UTC instant its day starts. */
export function tokyoDayStart(date: string): string {
  return new Date(`${date}T00:00:00+09:00`).toISOString();
}

export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function cursorOf(row: { created_at: string; id: string }): string {
  return Buffer.from(`${row.created_at}|${row.id}`).toString("base64url");
}

function parseCursor(cursor: string | undefined): { at: string; id: string } | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, "base64url").toString().split("|");
  return at && id ? { at, id } : null;
}

function baseQuery(deps: ServiceDeps, accountId: string, filter: HistoryFilter) {
  let q = deps.db.selectFrom("applications").where("account_id", "=", accountId);
  if (filter.kind) q = q.where("kind", "=", filter.kind);
  if (filter.result) q = q.where("intake_status", "=", filter.result);
  if (filter.from && /^\d{4}-\d{2}-\d{2}$/.test(filter.from))
    q = q.where("created_at", ">=", tokyoDayStart(filter.from));
  if (filter.to && /^\d{4}-\d{2}-\d{2}$/.test(filter.to))
    q = q.where("created_at", "<", tokyoDayStart(nextDay(filter.to)));
  return q;
}

/** 確認結果 as the customer sees it (DOMAIN.md "Status words on screen"); empty while staff have not acted. */
export function confirmationOf(a: {
  arranged_at: string | null;
  answered_at: string | null;
  returned_at: string | null;
}): string {
  if (a.arranged_at) return "手配済";
  if (a.answered_at) return "回答済";
  if (a.returned_at) return "返却済";
  return "";
}

function toRow(a: {
  id: string;
  number: string;
  kind: ApplicationKind;
  created_at: string;
  intake_status: HistoryRow["intakeStatus"];
  arranged_at: string | null;
  answered_at: string | null;
  returned_at: string | null;
}): HistoryRow {
  return {
    id: a.id,
    number: a.number,
    kind: a.kind,
    kindLabel: KIND_LABEL[a.kind],
    createdAt: a.created_at,
    createdAtLabel: formatTokyoShort(new Date(a.created_at)),
    intakeStatus: a.intake_status,
    resultLabel: INTAKE_LABEL[a.intake_status],
    confirmation: confirmationOf(a),
  };
}

/** 申込履歴: newest first, keyset pagination (stable while new applications arrive). */
export async function listHistory(
  deps: ServiceDeps,
  accountId: string,
  filter: HistoryFilter,
  cursor?: string,
): Promise<{ rows: HistoryRow[]; nextCursor: string | null }> {
  let q = baseQuery(deps, accountId, filter).select([
    "id",
    "number",
    "kind",
    "created_at",
    "intake_status",
    "arranged_at",
    "answered_at",
    "returned_at",
  ]);
  const after = parseCursor(cursor);
  if (after) {
    q = q.where((eb) =>
      eb.or([eb("created_at", "<", after.at), eb.and([eb("created_at", "=", after.at), eb("id", "<", after.id)])]),
    );
  }
  const rows = await q
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(HISTORY_PAGE_SIZE + 1)
    .execute();
  const page = rows.slice(0, HISTORY_PAGE_SIZE);
  const last = page[page.length - 1];
  return { rows: page.map(toRow), nextCursor: rows.length > HISTORY_PAGE_SIZE && last ? cursorOf(last) : null };
}

export async function getApplication(deps: ServiceDeps, accountId: string, number: string) {
  const a = await deps.db
    .selectFrom("applications")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("number", "=", number)
    .executeTakeFirst();
  if (!a) throw new DomainError("NOT_FOUND", "指定されたお申し込みは見つかりません。");
  const lines = await deps.db
    .selectFrom("application_lines")
    .selectAll()
    .where("application_id", "=", a.id)
    .orderBy("line_no")
    .execute();
  const rental = a.rental_id
    ? await deps.db.selectFrom("rentals").select(["contract_no"]).where("id", "=", a.rental_id).executeTakeFirst()
    : undefined;
  // An order placed from a quote (この見積で注文する) names it: 見積番号.
  const quote = a.quote_id
    ? await deps.db
        .selectFrom("applications")
        .select(["number"])
        .where("id", "=", a.quote_id)
        .where("account_id", "=", accountId)
        .executeTakeFirst()
    : undefined;
  const money = moneyOf(a, lines);
  return {
    ...toRow(a),
    startDate: a.start_date,
    period: a.period,
    periodUnit: a.period_unit,
    returnDate: a.return_date,
    contractNo: rental?.contract_no ?? null,
    delivery: deliveryOf(a),
    notes: a.notes,
    poNumber: a.po_number,
    arrangedAtLabel: a.arranged_at ? formatTokyoShort(new Date(a.arranged_at)) : null,
    // A quote's answer (見積回答): prices per line, their total, until when they hold.
    answeredAtLabel: a.answered_at ? formatTokyoShort(new Date(a.answered_at)) : null,
    validUntil: a.valid_until,
    answerComment: a.answer_comment,
    quoteTotal: a.answered_at ? quoteTotal(lines) : null,
    money: money.money,
    /** この見積で注文する is offered while today (Japan) is on or before 有効期限. */
    canOrderFromQuote: a.kind === "quote" && quoteValid(a, tokyoDateString(deps.clock.now())),
    quoteNumber: quote?.number ?? null,
    returnedAtLabel: a.returned_at ? formatTokyoShort(new Date(a.returned_at)) : null,
    lines: lines.map((l, i) => ({
      lineNo: l.line_no,
      modelNo: l.model_no,
      productName: l.product_name,
      quantity: l.quantity,
      unitPrice: l.unit_price,
      unitPriceLabel: money.priced[i]?.unitPriceLabel ?? null,
      amount: money.priced[i]?.amount ?? null,
    })),
  };
}

/**
 * Each line's price and 金額, and 小計 / 消費税 / 合計 (pricing.ts, the one place they are computed); a
 * cancellation has no money.
 */
export function moneyOf(
  a: Pick<ApplicationTable, "kind" | "period" | "period_unit">,
  lines: Pick<ApplicationLineTable, "unit_price" | "list_price" | "quantity">[],
) {
  const priced = lines.map((l) => {
    const price =
      a.kind === "cancellation"
        ? null
        : storedPrice({ unitPrice: l.unit_price, listPrice: l.list_price, periodUnit: a.period_unit });
    return {
      price,
      unitPriceLabel: price ? unitPriceLabel(price) : null,
      amount: lineAmount(price, l.quantity, a.period ?? 0),
    };
  });
  return { priced, money: a.kind === "cancellation" ? null : summarize(priced) };
}

/** 合計 (before tax) of a quote's 単価 × 数量: what 見積回答 quotes. */
export function quoteTotal(lines: { unit_price: number | null; quantity: number }[]): number {
  return summarize(
    lines.map((l) => {
      const price = l.unit_price === null ? null : quotedPrice(l.unit_price);
      return { price, amount: lineAmount(price, l.quantity, 1) };
    }),
  ).subtotal;
}

/** The account's history as CSV, UTF-8 with a BOM so that Excel opens it as UTF-8. */
export async function historyCsv(deps: ServiceDeps, accountId: string, filter: HistoryFilter): Promise<string> {
  const rows = await baseQuery(deps, accountId, filter)
    .select([
      "id",
      "number",
      "kind",
      "created_at",
      "intake_status",
      "arranged_at",
      "answered_at",
      "returned_at",
      "po_number",
    ])
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(50_000)
    .execute();
  const header = ["申込日時", "申込番号", "種別", "申込結果", "確認結果", "注文番号(PO)"];
  const lines = rows.map((a) => {
    const r = toRow(a);
    return [r.createdAtLabel, r.number, r.kindLabel, r.resultLabel, r.confirmation, a.po_number].map(csvCell).join(",");
  });
  return `\uFEFF${[header.map(csvCell).join(","), ...lines].join("\r\n")}\r\n`;
}
