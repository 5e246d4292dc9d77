import { type SelectQueryBuilder, sql } from "kysely";
import type { Database, DB } from "../../../db";
import { compiledPerShape } from "../../../db/compiled-once";
import type { ApplicationKind, ApplicationLineTable, ApplicationTable } from "../../../db/schema";
import { CSV_BOM, csvRecord } from "../../lib/csv";
import { formatTokyoShort, tokyoDateString } from "../../lib/format";
import { cursorOf, parseCursor } from "../../lib/keyset";
import type { ServiceDeps } from "../deps";
import { DOCUMENT_TITLE, documentKindsOf } from "../documents/kinds";
import { DomainError } from "../errors";
import { deliveryOf, KIND_LABEL } from "./applications";
import { lineAmount, storedPrice, summarize, unitPriceLabel } from "./pricing";
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
  /** 申込者: the submitting user's name (else email); DELETED_USER_LABEL once that user is deleted. */
  applicant: string;
  /** 商品: the first line's model number (else name) and how many lines more, 「LX-100 ほか2点」. */
  itemSummary: string;
  /** 注文番号(PO), as typed ("" when none). */
  poNumber: string;
}

export const HISTORY_PAGE_SIZE = 20;
export const DELETED_USER_LABEL = "削除済みの利用者";

/** 商品 of a history row: the first line and the count of the others. */
export function itemSummary(first: string, lineCount: number): string {
  return lineCount > 1 ? `${first} ほか${lineCount - 1}点` : first;
}

/**
 * 申込者 and 商品 of each application, as columns of the statement that reads it (correlated subqueries, so a page
 * or a CSV chunk is one statement however many rows it has): the user by primary key (null once deleted), the
 * number of lines and the first line's 型番 (else its name) on application_lines_app_idx. Lines are numbered from
 * 1 (applications.ts, rentals.ts), so line 1 is the first.
 */
function withExtras<O>(q: SelectQueryBuilder<Database, "applications", O>) {
  return q.select((eb) => [
    eb
      .selectFrom("users")
      .select(sql<string>`coalesce(nullif("users"."name", ''), "users"."email")`.as("v"))
      .whereRef("users.id", "=", "applications.user_id")
      .as("applicant"),
    eb
      .selectFrom("application_lines")
      .select((l) => l.fn.countAll<number | string>().as("n"))
      .whereRef("application_lines.application_id", "=", "applications.id")
      .as("line_count"),
    eb
      .selectFrom("application_lines")
      .select(
        sql<string>`coalesce(nullif("application_lines"."model_no", ''), "application_lines"."product_name")`.as("v"),
      )
      .whereRef("application_lines.application_id", "=", "applications.id")
      .where("application_lines.line_no", "=", sql.lit(1))
      .limit(1)
      .as("first_item"),
  ]);
}

/** What `withExtras` reads, as a history row shows it. */
interface Extras {
  applicant: string | null;
  line_count: number | string | null;
  first_item: string | null;
  po_number: string;
}

/** A date in Japan → the UTC instant its day starts. */
export function tokyoDayStart(date: string): string {
  return new Date(`${date}T00:00:00+09:00`).toISOString();
}

export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The filter's conditions as the statement compares them (a date as the instant its day starts in Japan). */
interface Conditions {
  kind?: string;
  result?: string;
  fromStart?: string;
  toEnd?: string;
  after?: { at: string; id: string };
}

function conditionsOf(filter: HistoryFilter, cursor: string | null | undefined): Conditions {
  return {
    kind: filter.kind || undefined,
    result: filter.result || undefined,
    fromStart: filter.from && /^\d{4}-\d{2}-\d{2}$/.test(filter.from) ? tokyoDayStart(filter.from) : undefined,
    toEnd: filter.to && /^\d{4}-\d{2}-\d{2}$/.test(filter.to) ? tokyoDayStart(nextDay(filter.to)) : undefined,
    after: parseCursor(cursor) ?? undefined,
  };
}

/**
 * `limit` of the account's applications matching the conditions, newest first. Every page reads
 * applications_history_idx (account_id, created_at, id): 種別 and 申込結果 are compared as expressions
 * (`kind || ''`), which no index serves, so that neither database walks the back office's all-accounts indexes
 * (kind, created_at, id) or (intake_status, created_at, id) and filters out every other account's rows.
 */
function historyRows(db: DB, accountId: string, c: Conditions, limit: number) {
  let q = withExtras(db.selectFrom("applications"))
    .select([
      "id",
      "number",
      "kind",
      "created_at",
      "intake_status",
      "arranged_at",
      "answered_at",
      "returned_at",
      "confirmed_at",
      "po_number",
    ])
    .where("account_id", "=", accountId);
  if (c.kind !== undefined) q = q.where(sql`kind || ''`, "=", c.kind);
  if (c.result !== undefined) q = q.where(sql`intake_status || ''`, "=", c.result);
  if (c.fromStart !== undefined) q = q.where("created_at", ">=", c.fromStart);
  if (c.toEnd !== undefined) q = q.where("created_at", "<", c.toEnd);
  const after = c.after;
  if (after) {
    // A row-value comparison: both databases seek to it on applications_history_idx (an OR of the
    // two conditions would walk the account's index from its newest row, page after page).
    q = q.where((eb) => eb(eb.refTuple("created_at", "id"), "<", eb.tuple(after.at, after.id)));
  }
  return q.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit);
}

/** The conditions present, as the key of the page's compiled statement (five flags: 32 shapes at most). */
const shapeOf = (c: Conditions) =>
  (c.kind !== undefined ? 1 : 0) |
  (c.result !== undefined ? 2 : 0) |
  (c.fromStart !== undefined ? 4 : 0) |
  (c.toEnd !== undefined ? 8 : 0) |
  (c.after ? 16 : 0);

/** The values of the conditions present, in the order `historyRows` uses them. */
const valuesOf = (c: Conditions): string[] =>
  [c.kind, c.result, c.fromStart, c.toEnd, c.after?.at, c.after?.id].filter((v): v is string => v !== undefined);

/** A page of 申込履歴 (one more row than shown: whether there is a next), compiled once per shape. */
const historyPageRows = compiledPerShape((shape: number) => (db: DB, accountId: string, ...values: string[]) => {
  const next = () => values.shift() as string;
  const c: Conditions = {};
  if (shape & 1) c.kind = next();
  if (shape & 2) c.result = next();
  if (shape & 4) c.fromStart = next();
  if (shape & 8) c.toEnd = next();
  if (shape & 16) c.after = { at: next(), id: next() };
  return historyRows(db, accountId, c, HISTORY_PAGE_SIZE + 1);
});

/** 確認結果 as the customer sees it (DOMAIN.md "Status words on screen"); empty while staff have not acted. */
export function confirmationOf(a: {
  arranged_at: string | null;
  answered_at: string | null;
  returned_at: string | null;
  confirmed_at: string | null;
}): string {
  if (a.arranged_at) return "手配済";
  if (a.answered_at) return "回答済";
  if (a.returned_at) return "返却済";
  if (a.confirmed_at) return "延長済";
  return "";
}

function toRow(
  a: {
    id: string;
    number: string;
    kind: ApplicationKind;
    created_at: string;
    intake_status: HistoryRow["intakeStatus"];
    arranged_at: string | null;
    answered_at: string | null;
    returned_at: string | null;
    confirmed_at: string | null;
  } & Extras,
): HistoryRow {
  return {
    applicant: a.applicant ?? DELETED_USER_LABEL,
    itemSummary: itemSummary(a.first_item ?? "", Number(a.line_count ?? 0)),
    poNumber: a.po_number,
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

/**
 * `size` rows of the account's history after `cursor`, newest first (keyset: stable while new applications
 * arrive), with 申込者 and 商品; the page and the CSV read it alike.
 */
async function historyPage(
  deps: ServiceDeps,
  accountId: string,
  filter: HistoryFilter,
  cursor: string | null | undefined,
  size: number,
): Promise<{ rows: HistoryRow[]; nextCursor: string | null }> {
  const c = conditionsOf(filter, cursor);
  const rows =
    size === HISTORY_PAGE_SIZE
      ? await historyPageRows(shapeOf(c)).all(deps.db, accountId, ...valuesOf(c))
      : await historyRows(deps.db, accountId, c, size + 1).execute();
  const page = rows.slice(0, size);
  const last = page[page.length - 1];
  return {
    rows: page.map(toRow),
    nextCursor: rows.length > size && last ? cursorOf(last) : null,
  };
}

/** 申込履歴: a page of HISTORY_PAGE_SIZE rows. */
export function listHistory(
  deps: ServiceDeps,
  accountId: string,
  filter: HistoryFilter,
  cursor?: string,
): Promise<{ rows: HistoryRow[]; nextCursor: string | null }> {
  return historyPage(deps, accountId, filter, cursor, HISTORY_PAGE_SIZE);
}

/** An application still in progress, as the home page lists it. */
export interface OpenApplication {
  id: string;
  number: string;
  kindLabel: string;
  createdAtLabel: string;
  resultLabel: string;
}

/** The newest open applications: the limit is the shape (SQLite's LIMIT is written into the SQL). */
const newestOpen = compiledPerShape(
  (limit: number) => (db: DB, accountId: string) =>
    db
      .selectFrom("applications")
      .select(["id", "number", "kind", "created_at", "intake_status"])
      .where("account_id", "=", accountId)
      .where("arranged_at", "is", null)
      .where("answered_at", "is", null)
      .where("returned_at", "is", null)
      .where("confirmed_at", "is", null)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit),
);

/**
 * お手続き中のお申し込み: the account's `limit` newest applications that staff have not yet arranged, answered or
 * closed (確認結果 empty), on the partial index applications_account_open_idx (migration 0015).
 */
export async function openApplications(
  deps: ServiceDeps,
  accountId: string,
  limit: number,
): Promise<OpenApplication[]> {
  const rows = await newestOpen(limit).all(deps.db, accountId);
  return rows.map((a) => ({
    id: a.id,
    number: a.number,
    kindLabel: KIND_LABEL[a.kind],
    createdAtLabel: formatTokyoShort(new Date(a.created_at)),
    resultLabel: INTAKE_LABEL[a.intake_status],
  }));
}

export async function getApplication(deps: ServiceDeps, accountId: string, number: string) {
  const a = await withExtras(deps.db.selectFrom("applications").selectAll())
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
  const documents = documentKindsOf(a);
  // The head of the printed page (print stylesheet): the document's, as its PDF has it (documents/pdf.ts).
  const kind = documents[0];
  const printHead = kind
    ? {
        title: DOCUMENT_TITLE[kind],
        issuedOn: tokyoDateString(new Date((kind === "quote" ? a.answered_at : a.arranged_at) ?? a.created_at)),
        customerCompany:
          (await deps.db.selectFrom("accounts").select("company_name").where("id", "=", accountId).executeTakeFirst())
            ?.company_name ?? "",
        customerPerson: a.applicant ?? "",
        issuer: deps.config.company,
      }
    : null;
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
    /** An answered quote's 小計 (before tax). */
    quoteTotal: a.answered_at ? (money.money?.subtotal ?? null) : null,
    money: money.money,
    /** この見積で注文する is offered while today (Japan) is on or before 有効期限. */
    canOrderFromQuote: a.kind === "quote" && quoteValid(a, tokyoDateString(deps.clock.now())),
    quoteNumber: quote?.number ?? null,
    returnedAtLabel: a.returned_at ? formatTokyoShort(new Date(a.returned_at)) : null,
    /** 延長申込: the 返却予定日 before and the one asked for; when staff confirmed it (延長確認). */
    previousEndDate: a.previous_end_date,
    requestedEndDate: a.requested_end_date,
    confirmedAtLabel: a.confirmed_at ? formatTokyoShort(new Date(a.confirmed_at)) : null,
    /** 見積書PDF / 注文請書PDF offered on the page (documents/kinds.ts), and the head of its printout. */
    documents,
    printHead,
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
 * cancellation or an extension has no money (staff price an extension with the rental).
 */
export function moneyOf(
  a: Pick<ApplicationTable, "kind" | "period" | "period_unit">,
  lines: Pick<ApplicationLineTable, "unit_price" | "list_price" | "quantity">[],
) {
  const priced = lines.map((l) => {
    const price =
      a.kind === "cancellation" || a.kind === "extension"
        ? null
        : storedPrice({ unitPrice: l.unit_price, listPrice: l.list_price, periodUnit: a.period_unit });
    return {
      price,
      unitPriceLabel: price ? unitPriceLabel(price) : null,
      amount: lineAmount(price, l.quantity, a.period ?? 0),
    };
  });
  return { priced, money: a.kind === "cancellation" || a.kind === "extension" ? null : summarize(priced) };
}

/**
 * Rows per chunk of the CSV: a chunk is one statement, whatever the account's size. With 1,000 rows (a text
 * of 80,000 characters, 160 KB as V8 holds Japanese) the server's memory grew by 40–57 MB during a 100,000-row
 * download, with 250 by 29–34 MB, as fast; what grows is garbage that V8's next full collection frees
 * (docs/benchmarks.md).
 */
export const HISTORY_CSV_CHUNK = 250;

const HISTORY_CSV_HEADER = ["申込日時", "申込番号", "種別", "申込結果", "確認結果", "申込者", "商品", "注文番号(PO)"];

/**
 * The account's history as CSV (UTF-8, CRLF, the screen's columns in its order; 注文番号(PO) stays last), a
 * keyset chunk at a time after `cursor`: the first chunk starts with a BOM (so that Excel reads UTF-8) and the
 * header. The page streams the chunks, so a history of any length is never held whole in memory.
 */
export async function historyCsvChunk(
  deps: ServiceDeps,
  accountId: string,
  filter: HistoryFilter,
  cursor: string | null,
): Promise<{ text: string; nextCursor: string | null }> {
  const { rows, nextCursor } = await historyPage(deps, accountId, filter, cursor, HISTORY_CSV_CHUNK);
  let text = cursor ? "" : CSV_BOM + csvRecord(HISTORY_CSV_HEADER);
  for (const r of rows) {
    text += csvRecord([
      r.createdAtLabel,
      r.number,
      r.kindLabel,
      r.resultLabel,
      r.confirmation,
      r.applicant,
      r.itemSummary,
      r.poNumber,
    ]);
  }
  return { text, nextCursor };
}
