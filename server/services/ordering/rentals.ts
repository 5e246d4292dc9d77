import { type ExpressionBuilder, sql } from "kysely";
import { type Database, type DB, lockAccount } from "../../../db";
import { compiledForList, compiledOnce, compiledPerShape } from "../../../db/compiled-once";
import { iso } from "../../lib/clock";
import { newId } from "../../lib/crypto";
import { formatTokyo, tokyoDateString } from "../../lib/format";
import { cursorOf, parseCursor } from "../../lib/keyset";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { documentAttachment, documentNote } from "../documents/documents";
import { DomainError } from "../errors";
import { type Actor, emptyApplication, nextNumber, submitOnce } from "./applications";
import { notifyNewApplication } from "./staff-notify";

export interface RentalLineView {
  id: string;
  lineNo: number;
  modelNo: string;
  productName: string;
  quantity: number;
  cancelRequested: number;
  returned: number;
  /** Still on rent and not yet asked back: what a cancellation (or an extension) may still cover. */
  cancellable: number;
  /** This line's 返却予定日: its own after an extension of some lines, else the rental's (null without one). */
  plannedEndDate: string | null;
}

export interface RentalView {
  id: string;
  contractNo: string;
  orderNumber: string;
  startDate: string;
  /** The order's レンタル期間, when it had one. */
  period: { unit: "day" | "month"; count: number } | null;
  /**
   * 返却予定日: the start date plus the period ("YYYY-MM-DD"), moved by confirmed extensions, or null without a
   * period. When lines have dates of their own (an extension of some lines), the earliest of the lines still out.
   */
  plannedEndDate: string | null;
  /** The lines' 返却予定日 differ (an extension covered only some of them): each line shows its own. */
  lineDates: boolean;
  /** Today in Japan is before the start date: arranged, not yet running (開始前). */
  notStarted: boolean;
  /** Days from today (Japan) to 返却予定日; negative once it has passed; null without a period. */
  daysLeft: number | null;
  /** The number of the rental's 延長申込 waiting for 延長確認, if any (extensions.ts: one at a time). */
  openExtension: string | null;
  lines: RentalLineView[];
}

/** Whole days from one "YYYY-MM-DD" to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * 返却予定日 of a rental that starts on `start` ("YYYY-MM-DD") for `count` days or months: the day the
 * period is over (start + count). A month from Jan 31 ends on the last day of February.
 */
export function plannedEndDate(start: string, unit: "day" | "month", count: number): string {
  const [y, m, d] = start.split("-").map(Number) as [number, number, number];
  if (unit === "day") return new Date(Date.UTC(y, m - 1, d + count)).toISOString().slice(0, 10);
  const lastDay = new Date(Date.UTC(y, m - 1 + count + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + count, Math.min(d, lastDay))).toISOString().slice(0, 10);
}

/** Who arranges an order: a staff member (the back office), or the system (admin CLI, demo seed). */
export type ArrangeActor = { type: "staff"; id: string } | { type: "system"; id?: string };

/**
 * 手配済: staff arrange an order; its goods go out on rent. Makes the rental with the order's lines
 * and mails 手配完了のお知らせ to the submitting user (the back office calls this; so do the admin CLI
 * and the demo seed).
 *
 * Idempotent under double clicks and races: the order is claimed by one conditional UPDATE
 * (`arranged_at is null`) before anything else is written, so of two staff members arranging it at
 * once one makes the rental and the other gets that rental back (`arranged: false`); on PostgreSQL
 * the second waits on the row lock and then finds it arranged. `rentals.order_application_id` is
 * unique as a backstop.
 */
export async function arrangeOrder(
  deps: ServiceDeps,
  orderNumber: string,
  by: ArrangeActor,
  meta: RequestMeta | null = null,
): Promise<{ rentalId: string; contractNo: string; arranged: boolean }> {
  return deps.db.transaction().execute(async (trx) => {
    const order = await trx.selectFrom("applications").selectAll().where("number", "=", orderNumber).executeTakeFirst();
    if (order?.kind !== "order") throw new DomainError("NOT_FOUND", `注文 ${orderNumber} は見つかりません。`);
    if (order.intake_status !== "accepted")
      throw new DomainError("VALIDATION", `注文 ${orderNumber} は受付が完了していません。`);
    const now = deps.clock.now();
    const rentalId = newId();
    const claimed = await trx
      .updateTable("applications")
      .set({ arranged_at: iso(now), arranged_by: by.id ?? by.type, rental_id: rentalId })
      .where("id", "=", order.id)
      .where("arranged_at", "is", null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) {
      const existing = await trx
        .selectFrom("rentals")
        .select(["id", "contract_no"])
        .where("order_application_id", "=", order.id)
        .executeTakeFirstOrThrow();
      return { rentalId: existing.id, contractNo: existing.contract_no, arranged: false };
    }
    const contractNo = orderNumber.replace(/^O-/, "R-");
    const startDate = order.start_date ?? tokyoDateString(now);
    await trx
      .insertInto("rentals")
      .values({
        id: rentalId,
        contract_no: contractNo,
        account_id: order.account_id,
        order_application_id: order.id,
        status: "active",
        start_date: startDate,
        due_date: order.period_unit && order.period ? plannedEndDate(startDate, order.period_unit, order.period) : null,
        created_at: iso(now),
      })
      .execute();
    const lines = await trx
      .selectFrom("application_lines")
      .selectAll()
      .where("application_id", "=", order.id)
      .orderBy("line_no")
      .execute();
    await trx
      .insertInto("rental_lines")
      .values(
        lines.map((l) => ({
          id: newId(),
          rental_id: rentalId,
          line_no: l.line_no,
          product_id: l.product_id,
          model_no: l.model_no,
          product_name: l.product_name,
          quantity: l.quantity,
          quantity_cancel_requested: 0,
          quantity_returned: 0,
        })),
      )
      .execute();
    const user = await submitter(trx, order.user_id);
    if (user) {
      // The 注文請書, made from what this transaction just wrote (ADR 023).
      const pdf = await documentAttachment(trx, deps, order.account_id, orderNumber, "order");
      await deps.outbox.enqueue(
        trx,
        user.email,
        "order-arranged",
        {
          accountCompany: user.company_name,
          userName: user.name || user.email,
          number: orderNumber,
          contractNo,
          arrangedAt: formatTokyo(now),
          url: `${deps.config.appOrigin}/rentals`,
          documentNote: documentNote("注文請書", pdf !== null),
          documentUrl: `${deps.config.appOrigin}/account/history/${encodeURIComponent(orderNumber)}`,
        },
        { attachments: pdf ? [pdf] : [] },
      );
    }
    await recordAudit(trx, deps.clock, { ...by, accountId: order.account_id }, meta, "order.arrange", {
      target: orderNumber,
    });
    return { rentalId, contractNo, arranged: true };
  });
}

/**
 * A rental's 返却予定日 after its lines' dates changed (an extension of some lines confirmed, goods returned): the
 * earliest date of the lines still out (not all returned). Nothing changes while every line follows the rental
 * (no line has a date of its own), or when no line is out any more (the rental keeps its last date).
 */
export async function refreshRentalDueDate(trx: DB, rentalId: string): Promise<void> {
  const earliest = await trx
    .selectFrom("rental_lines")
    .select((eb) => eb.fn.min<string | null>("due_date").as("due"))
    .where("rental_id", "=", rentalId)
    .where("due_date", "is not", null)
    .where(sql<boolean>`quantity_returned < quantity`)
    .executeTakeFirst();
  if (earliest?.due) {
    await trx.updateTable("rentals").set({ due_date: earliest.due }).where("id", "=", rentalId).execute();
  }
}

/** The user who submitted an application, with the account's company name (null once deleted). */
export async function submitter(trx: DB, userId: string) {
  return trx
    .selectFrom("users")
    .innerJoin("accounts", "accounts.id", "users.account_id")
    .select(["users.email", "users.name", "accounts.company_name"])
    .where("users.id", "=", userId)
    .executeTakeFirst();
}

/** How many running rentals a page of レンタル中の注文 shows. */
export const RENTALS_PAGE_SIZE = 20;

/**
 * The account's running rentals for the home page: without their lines (not shown there), soonest 返却予定日
 * first (one without a period last), at most `limit`, and how many there are in all. Reads only those it
 * shows, on rentals_account_due_idx (migration 0015).
 */
export async function rentalsDueFirst(
  deps: ServiceDeps,
  accountId: string,
  limit: number,
): Promise<{ rentals: RentalView[]; total: number }> {
  const [dated, count] = await Promise.all([
    datedDueFirst(limit).all(deps.db, accountId),
    runningCount(deps, accountId),
  ]);
  const undated = dated.length < limit ? await undatedFirst(limit - dated.length).all(deps.db, accountId) : [];
  return { rentals: await rentalViews(deps, [...dated, ...undated], false), total: count };
}

/** The first `limit` running rentals with a 返却予定日 (`dated`) or without, the one due first first. */
const dueFirst = (dated: boolean) =>
  compiledPerShape(
    (limit: number) => (db: DB, accountId: string) =>
      runningRentals(db, accountId)
        .clearOrderBy()
        .where("rentals.due_date", dated ? "is not" : "is", null)
        .orderBy("rentals.due_date")
        .orderBy("rentals.contract_no")
        .limit(limit),
  );
const datedDueFirst = dueFirst(true);
const undatedFirst = dueFirst(false);

const runningCountRow = compiledOnce((db: DB, accountId: string) =>
  db
    .selectFrom("rentals")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("account_id", "=", accountId)
    // A literal, so that SQLite keeps the statement prepared (a partial index's value; decision 019).
    .where("status", "=", sql.lit("active")),
);

/** How many running rentals the account has (on rentals_account_active_idx). */
async function runningCount(deps: ServiceDeps, accountId: string): Promise<number> {
  const count = await runningCountRow.first(deps.db, accountId);
  return Number(count?.n ?? 0);
}

/**
 * The number of the rental's open (not yet confirmed, not 受付失敗) 延長申込, if any: a subquery of a statement
 * reading `rentals`, on applications_rental_idx (migration 0019; at most one is open: extensions.ts). The kind is
 * a literal, so that SQLite keeps the statement prepared (the partial index's value; decision 019).
 */
function openExtensionNumber(eb: ExpressionBuilder<Database, "rentals">) {
  return eb
    .selectFrom("applications as extension")
    .select("extension.number")
    .whereRef("extension.rental_id", "=", "rentals.id")
    .where("extension.kind", "=", sql.lit("extension"))
    .where("extension.confirmed_at", "is", null)
    .where("extension.intake_status", "!=", sql.lit("failed"))
    .limit(1);
}

/**
 * The account's running rentals, newest first, on rentals_account_active_idx (migration 0013), each with its open
 * 延長申込 read in the same statement (`openExtensionNumber`). The status is a literal, so that SQLite keeps the
 * statement prepared (the partial index's value; decision 019).
 */
function runningRentals(db: DB, accountId: string) {
  return db
    .selectFrom("rentals")
    .innerJoin("applications", "applications.id", "rentals.order_application_id")
    .select((eb) => [
      "rentals.id",
      "rentals.contract_no",
      "rentals.start_date",
      "rentals.due_date",
      "rentals.created_at",
      "applications.number",
      "applications.period_unit",
      "applications.period",
      openExtensionNumber(eb).as("open_extension"),
    ])
    .where("rentals.account_id", "=", accountId)
    .where("rentals.status", "=", sql.lit("active"))
    .orderBy("rentals.created_at", "desc")
    .orderBy("rentals.id", "desc");
}

type RunningRental = Awaited<ReturnType<ReturnType<typeof runningRentals>["execute"]>>[number];

const openExtensionRow = compiledOnce((db: DB, rentalId: string) =>
  db
    .selectFrom("rentals")
    .select((eb) => openExtensionNumber(eb).as("number"))
    .where("rentals.id", "=", rentalId),
);

/** The number of a rental's open 延長申込, if any (`openExtensionNumber`). */
export async function openExtensionOf(db: DB, rentalId: string): Promise<string | null> {
  return (await openExtensionRow.first(db, rentalId))?.number ?? null;
}

/** The lines of some rentals, each rental's by line_no (compiled once per length of the list). */
const linesOfRentals = compiledForList((db: DB, rentalIds: readonly string[]) =>
  db
    .selectFrom("rental_lines")
    // Named, not `*`: so its rows are built in JavaScript (db/index.ts rowsBuiltInJs).
    .select([
      "id",
      "rental_id",
      "line_no",
      "model_no",
      "product_name",
      "quantity",
      "quantity_cancel_requested",
      "quantity_returned",
      "due_date",
    ])
    .where("rental_id", "in", rentalIds)
    // The index's order (rental_lines_rental_idx): each rental's lines by line_no, without sorting them all.
    .orderBy("rental_id")
    .orderBy("line_no"),
);

/** The views of rentals read by `runningRentals`, with their lines (one query for all) unless told not to. */
async function rentalViews(deps: ServiceDeps, rentals: RunningRental[], withLines: boolean): Promise<RentalView[]> {
  if (!rentals.length) return [];
  const lines = withLines
    ? await linesOfRentals.all(
        deps.db,
        rentals.map((r) => r.id),
      )
    : [];
  const linesOf = new Map<string, typeof lines>();
  for (const l of lines) {
    const list = linesOf.get(l.rental_id);
    if (list) list.push(l);
    else linesOf.set(l.rental_id, [l]);
  }
  const today = tokyoDateString(deps.clock.now());
  return rentals.map((r) => {
    const end = r.due_date;
    const lines = linesOf.get(r.id) ?? [];
    const dates = new Set(lines.filter((l) => l.quantity_returned < l.quantity).map((l) => l.due_date ?? end));
    return {
      id: r.id,
      contractNo: r.contract_no,
      orderNumber: r.number,
      startDate: r.start_date,
      period: r.period_unit && r.period ? { unit: r.period_unit, count: r.period } : null,
      plannedEndDate: end,
      notStarted: today < r.start_date,
      daysLeft: end ? daysBetween(today, end) : null,
      // Only a rental with a 返却予定日 can be extended (extensions.ts).
      openExtension: end ? (r.open_extension ?? null) : null,
      lineDates: dates.size > 1,
      lines: lines.map((l) => ({
        id: l.id,
        lineNo: l.line_no,
        modelNo: l.model_no,
        productName: l.product_name,
        quantity: l.quantity,
        cancelRequested: l.quantity_cancel_requested,
        returned: l.quantity_returned,
        cancellable: l.quantity - l.quantity_cancel_requested,
        plannedEndDate: l.due_date ?? end,
      })),
    };
  });
}

/** The account's running rentals, newest first, with their lines (only `rentalId`'s, when given). */
export async function listRentals(
  deps: ServiceDeps,
  accountId: string,
  rentalId?: string,
  { lines: withLines = true }: { lines?: boolean } = {},
): Promise<RentalView[]> {
  let query = runningRentals(deps.db, accountId);
  if (rentalId) query = query.where("rentals.id", "=", rentalId);
  return rentalViews(deps, await query.execute(), withLines);
}

/** A page of running rentals and whether there is a next: one more than the page. */
const newestRentals = compiledOnce((db: DB, accountId: string) =>
  runningRentals(db, accountId).limit(RENTALS_PAGE_SIZE + 1),
);
const rentalsAfter = compiledOnce((db: DB, accountId: string, at: string, id: string) =>
  runningRentals(db, accountId)
    .where((eb) => eb(eb.refTuple("rentals.created_at", "rentals.id"), "<", eb.tuple(at, id)))
    .limit(RENTALS_PAGE_SIZE + 1),
);

/**
 * One page of レンタル中の注文: `RENTALS_PAGE_SIZE` running rentals after `cursor`, newest first, with their lines
 * (keyset: a rental arranged meanwhile never shifts the pages), and how many there are in all.
 */
export async function rentalsPage(
  deps: ServiceDeps,
  accountId: string,
  cursor?: string | null,
): Promise<{ rentals: RentalView[]; nextCursor: string | null; total: number }> {
  const after = parseCursor(cursor);
  const [rows, count] = await Promise.all([
    after ? rentalsAfter.all(deps.db, accountId, after.at, after.id) : newestRentals.all(deps.db, accountId),
    runningCount(deps, accountId),
  ]);
  const page = rows.slice(0, RENTALS_PAGE_SIZE);
  const last = page[page.length - 1];
  return {
    rentals: await rentalViews(deps, page, true),
    nextCursor: rows.length > RENTALS_PAGE_SIZE && last ? cursorOf(last) : null,
    total: count,
  };
}

export async function getRental(deps: ServiceDeps, accountId: string, rentalId: string): Promise<RentalView> {
  const [rental] = await listRentals(deps, accountId, rentalId);
  if (!rental) throw new DomainError("NOT_FOUND", "指定されたレンタル中の注文は見つかりません。");
  return rental;
}

export interface CancellationInput {
  rentalId: string;
  mode: "all" | "partial";
  /** Per rental line, how many to cancel (partial mode). */
  quantities: Record<string, number>;
  returnDate: string;
  notes: string;
  idempotencyKey: string;
}

/** Checks a cancellation against the rental as it is now; returns the lines and quantities it covers. */
export async function validateCancellation(deps: ServiceDeps, accountId: string, input: CancellationInput) {
  const rental = await getRental(deps, accountId, input.rentalId);
  const errors: Record<string, string[]> = {};
  const lines: { line: RentalLineView; quantity: number }[] = [];
  for (const line of rental.lines) {
    const wanted = input.mode === "all" ? line.cancellable : (input.quantities[line.id] ?? 0);
    if (!Number.isInteger(wanted) || wanted < 0) {
      errors[`qty.${line.id}`] = ["解約数量は0以上の整数で入力してください。"];
    } else if (wanted > line.cancellable) {
      errors[`qty.${line.id}`] = [`解約数量はレンタル中の数量(${line.cancellable})以下にしてください。`];
    } else if (wanted > 0) lines.push({ line, quantity: wanted });
  }
  if (!Object.keys(errors).length && !lines.length) {
    errors.lines = [
      input.mode === "all" ? "解約できる商品はありません。" : "解約する商品の解約数量を1以上にしてください。",
    ];
  }
  const today = tokyoDateString(deps.clock.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.returnDate) || Number.isNaN(Date.parse(input.returnDate))) {
    errors.returnDate = ["返却希望日を入力してください。"];
  } else if (input.returnDate < today) {
    errors.returnDate = ["返却希望日には本日以降の日付を指定してください。"];
  }
  if ([...input.notes.trim()].length > 1000) errors.notes = ["備考は1000文字以内で入力してください。"];
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(input.idempotencyKey)) errors._form = ["画面を開き直してからお申し込みください。"];
  if (Object.keys(errors).length) throw new DomainError("VALIDATION", "入力内容をご確認ください。", errors);
  return { rental, lines };
}

/**
 * 解約 / 一部解約: a cancellation application for some or all of what is still on rent. Each line's
 * "asked back" count rises by one conditional UPDATE that never passes the rented quantity, so
 * parallel cancellations of one line cannot together exceed it.
 */
export async function requestCancellation(
  deps: ServiceDeps,
  actor: Actor,
  input: CancellationInput,
  meta: RequestMeta,
): Promise<{ id: string; number: string; created: boolean }> {
  return submitOnce(deps, actor.accountId, input.idempotencyKey, async () => {
    const { rental, lines } = await validateCancellation(deps, actor.accountId, input);
    const now = deps.clock.now();
    const id = newId();
    const number = await deps.db.transaction().execute(async (trx) => {
      await lockAccount(trx, actor.accountId);
      for (const { line, quantity } of lines) {
        const updated = await trx
          .updateTable("rental_lines")
          .set({ quantity_cancel_requested: sql<number>`quantity_cancel_requested + ${quantity}` })
          .where("id", "=", line.id)
          .where(sql<boolean>`quantity - quantity_cancel_requested >= ${quantity}`)
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) !== 1) {
          throw new DomainError(
            "VALIDATION",
            "レンタル中の数量が変わりました。画面を開き直して、解約数量をご確認ください。",
            {
              [`qty.${line.id}`]: ["解約数量がレンタル中の数量を超えています。"],
            },
          );
        }
      }
      const number = await nextNumber(trx, "cancellation", now);
      await trx
        .insertInto("applications")
        .values({
          ...emptyApplication(id, number, actor, "cancellation", input.idempotencyKey, now),
          rental_id: rental.id,
          return_date: input.returnDate,
          notes: input.notes.trim(),
        })
        .execute();
      await trx
        .insertInto("application_lines")
        .values(
          lines.map(({ line, quantity }, i) => ({
            id: newId(),
            application_id: id,
            line_no: i + 1,
            product_id: "",
            model_no: line.modelNo,
            product_name: line.productName,
            quantity,
            rental_line_id: line.id,
          })),
        )
        .execute();
      await notifyNewApplication(deps, trx, number);
      await recordAudit(trx, deps.clock, actor, meta, "application.cancellation", {
        target: `${number} (${rental.contractNo})`,
      });
      return number;
    });
    return { id, number };
  });
}
