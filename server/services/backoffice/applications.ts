import { type ExpressionBuilder, sql } from "kysely";
import type { ApplicationKind, Database } from "../../../db/schema";
import { formatTokyoShort, tokyoDateString } from "../../lib/format";
import { cursorOf, parseCursor } from "../../lib/keyset";
import type { ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { deliveryOf, KIND_LABEL } from "../ordering/applications";
import { INTAKE_LABEL, moneyOf, nextDay, tokyoDayStart } from "../ordering/history";
import { quotedPrices } from "../ordering/quote-orders";
import { accountKeywordMatch, loginKeyOf } from "./accounts";

/**
 * 申込一覧 of the back office: every account's applications, newest first, keyset-paginated, and the
 * dashboard's counts. Every query reads an index (migration 0005); none scans `applications`.
 */

/** Staff act as themselves: audit rows name them (actor_type staff). */
export interface StaffActor {
  type: "staff";
  id: string;
}

/** 確認状況: the staff's side of an application, per kind. */
export type Confirmation =
  | "unarranged"
  | "arranged"
  | "unanswered"
  | "answered"
  | "unreturned"
  | "returned"
  | "unconfirmed"
  | "extended";

export const CONFIRMATION_LABEL: Record<Confirmation, string> = {
  unarranged: "未手配",
  arranged: "手配済",
  unanswered: "未回答",
  answered: "回答済",
  unreturned: "未処理",
  returned: "返却済",
  unconfirmed: "未確認",
  extended: "延長済",
};

/** Each 確認状況 is one kind plus whether its "done" column is set. */
const CONFIRMATION: Record<
  Confirmation,
  { kind: ApplicationKind; column: "arranged_at" | "answered_at" | "returned_at" | "confirmed_at"; done: boolean }
> = {
  unarranged: { kind: "order", column: "arranged_at", done: false },
  arranged: { kind: "order", column: "arranged_at", done: true },
  unanswered: { kind: "quote", column: "answered_at", done: false },
  answered: { kind: "quote", column: "answered_at", done: true },
  unreturned: { kind: "cancellation", column: "returned_at", done: false },
  returned: { kind: "cancellation", column: "returned_at", done: true },
  unconfirmed: { kind: "extension", column: "confirmed_at", done: false },
  extended: { kind: "extension", column: "confirmed_at", done: true },
};

export interface StaffApplicationFilter {
  kind?: ApplicationKind;
  result?: "pending" | "accepted" | "failed";
  confirmation?: Confirmation;
  /** Inclusive dates in Japan time, "YYYY-MM-DD". */
  from?: string;
  to?: string;
  /**
   * キーワード, read in this order (each an index lookup, never a scan): an application number
   * (exact, e.g. O-2026-000123); else a ログインID (exact) or the start of a 会社名 (prefix, at most
   * COMPANY_MATCH_LIMIT accounts). "Contains" is not offered: it cannot use a B-tree index.
   */
  keyword?: string;
}

export interface StaffApplicationRow {
  number: string;
  kind: ApplicationKind;
  kindLabel: string;
  createdAt: string;
  createdAtLabel: string;
  loginId: string;
  companyName: string;
  intakeStatus: "pending" | "accepted" | "failed";
  resultLabel: string;
  confirmation: Confirmation;
  confirmationLabel: string;
}

export const STAFF_PAGE_SIZE = 50;
/** A company-name prefix matching more accounts than this asks for a longer keyword. */
export const COMPANY_MATCH_LIMIT = 20;

const NUMBER_PATTERN = /^[QOCE]-\d{4}-\d{6}$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

function confirmationOf(a: {
  kind: ApplicationKind;
  arranged_at: string | null;
  answered_at: string | null;
  returned_at: string | null;
  confirmed_at: string | null;
}): Confirmation {
  if (a.kind === "order") return a.arranged_at ? "arranged" : "unarranged";
  if (a.kind === "quote") return a.answered_at ? "answered" : "unanswered";
  if (a.kind === "extension") return a.confirmed_at ? "extended" : "unconfirmed";
  return a.returned_at ? "returned" : "unreturned";
}

type AppEb = ExpressionBuilder<Database, "applications">;

/**
 * The filter's conditions. Kinds and states are literals (not parameters) so that the planner can
 * match the partial indexes of migration 0005.
 */
function conditions(eb: AppEb, filter: StaffApplicationFilter) {
  const and = [];
  const state = filter.confirmation ? CONFIRMATION[filter.confirmation] : undefined;
  const kind = state?.kind ?? filter.kind;
  if (kind) and.push(eb("applications.kind", "=", sql.lit(kind)));
  if (state && filter.kind && filter.kind !== state.kind) and.push(sql<boolean>`1 = 0`);
  if (state) and.push(eb(`applications.${state.column}`, state.done ? "is not" : "is", null));
  if (filter.result) and.push(eb("applications.intake_status", "=", sql.lit(filter.result)));
  if (filter.from && DATE_PATTERN.test(filter.from))
    and.push(eb("applications.created_at", ">=", tokyoDayStart(filter.from)));
  if (filter.to && DATE_PATTERN.test(filter.to))
    and.push(eb("applications.created_at", "<", tokyoDayStart(nextDay(filter.to))));
  return and;
}

/**
 * The accounts a keyword names, as 顧客管理's 検索 finds them (accountKeywordMatch: ログインID or 会社名
 * starting with it, normalised, on the login_key / company_key indexes). More than COMPANY_MATCH_LIMIT
 * asks for a longer keyword, unless the keyword is a whole ログインID: that names its one account.
 */
async function accountsForKeyword(deps: ServiceDeps, keyword: string): Promise<string[]> {
  const matched = await deps.db
    .selectFrom("accounts")
    .select("id")
    .where((eb) => accountKeywordMatch(eb, keyword))
    .limit(COMPANY_MATCH_LIMIT + 1)
    .execute();
  if (matched.length <= COMPANY_MATCH_LIMIT) return matched.map((a) => a.id);
  const exact = await deps.db
    .selectFrom("accounts")
    .select("id")
    .where("login_key", "=", loginKeyOf(keyword))
    .executeTakeFirst();
  if (exact) return [exact.id];
  throw new DomainError("VALIDATION", "該当する会社が多すぎます。会社名をもう少し詳しく入力してください。", {
    keyword: [`会社名またはログインIDで絞り込めるのは${COMPANY_MATCH_LIMIT}社までです。`],
  });
}

/**
 * 申込一覧: every account's applications matching the filter, newest first, keyset pages of
 * STAFF_PAGE_SIZE. With a ログインID / 会社名 keyword, each matched account's newest rows are read on
 * its own index (account_id, created_at, id) and merged, so a page costs at most
 * accounts × (page size + 1) index entries.
 */
export async function listApplications(
  deps: ServiceDeps,
  filter: StaffApplicationFilter,
  cursor?: string,
): Promise<{ rows: StaffApplicationRow[]; nextCursor: string | null }> {
  const after = parseCursor(cursor);
  const keyword = filter.keyword?.trim() ?? "";
  const page = (accountId?: string, number?: string) => {
    let q = deps.db
      .selectFrom("applications")
      .select([
        "applications.id",
        "applications.number",
        "applications.kind",
        "applications.created_at",
        "applications.account_id",
        "applications.intake_status",
        "applications.arranged_at",
        "applications.answered_at",
        "applications.returned_at",
        "applications.confirmed_at",
      ])
      .where((eb) => eb.and(conditions(eb, filter)));
    if (accountId) q = q.where("applications.account_id", "=", accountId);
    if (number) q = q.where("applications.number", "=", number);
    if (after) {
      q = q.where((eb) =>
        eb(eb.refTuple("applications.created_at", "applications.id"), "<", eb.tuple(after.at, after.id)),
      );
    }
    return q
      .orderBy("applications.created_at", "desc")
      .orderBy("applications.id", "desc")
      .limit(STAFF_PAGE_SIZE + 1)
      .execute();
  };

  let rows: Awaited<ReturnType<typeof page>>;
  if (!keyword) rows = await page();
  else if (NUMBER_PATTERN.test(keyword.toUpperCase())) rows = await page(undefined, keyword.toUpperCase());
  else {
    const accounts = await accountsForKeyword(deps, keyword);
    const pages = [];
    for (const id of accounts) pages.push(...(await page(id)));
    rows = pages
      .sort((a, b) => (a.created_at === b.created_at ? cmp(b.id, a.id) : cmp(b.created_at, a.created_at)))
      .slice(0, STAFF_PAGE_SIZE + 1);
  }

  const shown = rows.slice(0, STAFF_PAGE_SIZE);
  const accountIds = [...new Set(shown.map((r) => r.account_id))];
  const accounts = accountIds.length
    ? await deps.db
        .selectFrom("accounts")
        .select(["id", "login_id", "company_name"])
        .where("id", "in", accountIds)
        .execute()
    : [];
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const last = shown[shown.length - 1];
  return {
    rows: shown.map((a) => {
      const confirmation = confirmationOf(a);
      return {
        number: a.number,
        kind: a.kind,
        kindLabel: KIND_LABEL[a.kind],
        createdAt: a.created_at,
        createdAtLabel: formatTokyoShort(new Date(a.created_at)),
        loginId: byId.get(a.account_id)?.login_id ?? "",
        companyName: byId.get(a.account_id)?.company_name ?? "",
        intakeStatus: a.intake_status,
        resultLabel: INTAKE_LABEL[a.intake_status],
        confirmation,
        confirmationLabel: CONFIRMATION_LABEL[confirmation],
      };
    }),
    nextCursor: rows.length > STAFF_PAGE_SIZE && last ? cursorOf(last) : null,
  };
}

/** Byte-order comparison, the same order as the databases' index on these ASCII values. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface OpenCounts {
  /** 未手配の注文: accepted orders not yet arranged. */
  unarrangedOrders: number;
  /** 未回答の見積: accepted quote requests not yet answered. */
  unansweredQuotes: number;
  /** 未処理の解約: accepted cancellations whose return is not yet confirmed. */
  unreturnedCancellations: number;
  /** 未確認の延長: accepted extensions not yet confirmed. */
  unconfirmedExtensions: number;
  /** 受付失敗: applications whose intake gave up (再送 waits for staff). */
  failedIntake: number;
}

/**
 * The dashboard's counts. Each reads only its partial index (the open work, not the history), so the
 * cost follows the staff's backlog, not the number of applications ever made.
 */
export async function countOpen(deps: ServiceDeps): Promise<OpenCounts> {
  const count = async (filter: StaffApplicationFilter) => {
    const row = await deps.db
      .selectFrom("applications")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where((eb) => eb.and(conditions(eb, filter)))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    unarrangedOrders: await count({ confirmation: "unarranged", result: "accepted" }),
    unansweredQuotes: await count({ confirmation: "unanswered", result: "accepted" }),
    unreturnedCancellations: await count({ confirmation: "unreturned", result: "accepted" }),
    unconfirmedExtensions: await count({ confirmation: "unconfirmed", result: "accepted" }),
    failedIntake: await count({ result: "failed" }),
  };
}

/** 申込詳細 for staff: everything the customer sent, who sent it, and where it stands. */
export async function getApplicationForStaff(deps: ServiceDeps, number: string) {
  const a = await deps.db.selectFrom("applications").selectAll().where("number", "=", number).executeTakeFirst();
  if (!a) throw new DomainError("NOT_FOUND", `申込 ${number} は見つかりません。`);
  const [account, user, lines, rental] = await Promise.all([
    deps.db
      .selectFrom("accounts")
      .select(["id", "login_id", "company_name", "status"])
      .where("id", "=", a.account_id)
      .executeTakeFirstOrThrow(),
    deps.db.selectFrom("users").select(["id", "email", "name"]).where("id", "=", a.user_id).executeTakeFirst(),
    deps.db
      .selectFrom("application_lines")
      .leftJoin("rental_lines", "rental_lines.id", "application_lines.rental_line_id")
      .select([
        "application_lines.id",
        "application_lines.line_no",
        "application_lines.product_id",
        "application_lines.model_no",
        "application_lines.product_name",
        "application_lines.quantity",
        "application_lines.unit_price",
        "application_lines.list_price",
        "rental_lines.quantity as rental_quantity",
        "rental_lines.quantity_cancel_requested",
        "rental_lines.quantity_returned",
        "rental_lines.due_date as rental_line_due",
      ])
      .where("application_lines.application_id", "=", a.id)
      .orderBy("application_lines.line_no")
      .execute(),
    a.rental_id
      ? deps.db
          .selectFrom("rentals")
          .select(["id", "contract_no", "status", "ended_at", "due_date"])
          .where("id", "=", a.rental_id)
          .executeTakeFirst()
      : undefined,
  ]);
  const confirmation = confirmationOf(a);
  const quote = a.quote_id ? await quoteOfOrder(deps, a.quote_id, a.created_at) : null;
  const money = moneyOf(a, lines);
  return {
    number: a.number,
    kind: a.kind,
    kindLabel: KIND_LABEL[a.kind],
    createdAt: a.created_at,
    createdAtLabel: formatTokyoShort(new Date(a.created_at)),
    account: { id: account.id, loginId: account.login_id, companyName: account.company_name, status: account.status },
    /** Null when the user has since been deleted. */
    user: user ? { id: user.id, email: user.email, name: user.name } : null,
    intakeStatus: a.intake_status,
    resultLabel: INTAKE_LABEL[a.intake_status],
    intakeError: a.intake_error,
    intakeAttempts: a.intake_attempts,
    confirmation,
    confirmationLabel: CONFIRMATION_LABEL[confirmation],
    arrangedAt: a.arranged_at,
    arrangedBy: a.arranged_by,
    answeredAt: a.answered_at,
    answeredBy: a.answered_by,
    validUntil: a.valid_until,
    answerComment: a.answer_comment,
    returnedAt: a.returned_at,
    returnedBy: a.returned_by,
    startDate: a.start_date,
    period: a.period,
    periodUnit: a.period_unit,
    returnDate: a.return_date,
    delivery: deliveryOf(a),
    notes: a.notes,
    poNumber: a.po_number,
    rental: rental
      ? {
          id: rental.id,
          contractNo: rental.contract_no,
          status: rental.status,
          endedAt: rental.ended_at,
          dueDate: rental.due_date,
        }
      : null,
    /** 延長申込: the 返却予定日 then and the one asked for; 延長確認 when and by whom. */
    previousEndDate: a.previous_end_date,
    requestedEndDate: a.requested_end_date,
    confirmedAt: a.confirmed_at,
    confirmedBy: a.confirmed_by,
    /** An answered quote's 小計 (before tax). */
    quoteTotal: a.answered_at ? (money.money?.subtotal ?? null) : null,
    /** 小計, 消費税, 合計 as the customer sees them (null on a cancellation). */
    money: money.money,
    /** An order placed from a quote (この見積で注文する): the quote, to honour its prices. */
    quote: quote
      ? { number: quote.number, validUntil: quote.validUntil, orderedAfterExpiry: quote.orderedAfterExpiry }
      : null,
    lines: lines.map((l, i) => ({
      id: l.id,
      lineNo: l.line_no,
      productId: l.product_id,
      modelNo: l.model_no,
      productName: l.product_name,
      quantity: l.quantity,
      unitPrice: l.unit_price,
      unitPriceLabel: money.priced[i]?.unitPriceLabel ?? null,
      amount: money.priced[i]?.amount ?? null,
      /** For an order placed from a quote: the quote's 単価 for this product (null if the quote had none). */
      quotedUnitPrice: quote?.unitPrices.get(l.product_id) ?? null,
      /** For a cancellation: the rental line as it is now. */
      rentalLine:
        l.rental_quantity === null
          ? null
          : {
              quantity: l.rental_quantity,
              cancelRequested: l.quantity_cancel_requested ?? 0,
              returned: l.quantity_returned ?? 0,
              /** Its own 返却予定日 after an extension of some lines (null: the rental's). */
              dueDate: l.rental_line_due,
            },
    })),
  };
}

/** The quote an order was placed from: its number, 有効期限, 単価 per product. */
async function quoteOfOrder(deps: ServiceDeps, quoteId: string, orderedAt: string) {
  const q = await deps.db
    .selectFrom("applications")
    .select(["id", "number", "valid_until"])
    .where("id", "=", quoteId)
    .executeTakeFirst();
  if (!q) return null;
  return {
    number: q.number,
    validUntil: q.valid_until,
    // The prices hold through 有効期限 (Japan); the draft may have been filled in time and sent later.
    orderedAfterExpiry: q.valid_until !== null && tokyoDateString(new Date(orderedAt)) > q.valid_until,
    unitPrices: await quotedPrices(deps.db, q.id),
  };
}
