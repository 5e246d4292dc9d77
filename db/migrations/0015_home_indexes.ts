import { type Kysely, sql } from "kysely";

/**
 * The home page reads two short lists without reading everything behind them:
 * - お手続き中のお申し込み, the newest open applications (not 手配済 / 回答済 / 返却済): a partial index of an
 *   account's open ones, newest first. Before, the home read the newest 20 applications and kept the open
 *   ones among them (so an open application older than 20 closed ones was missing).
 * - the rentals due back soonest: `rentals.due_date` (返却予定日: the start plus the order's period; null
 *   without a period) is stored when the order is arranged, and indexed within the account's running
 *   rentals. Before, the home read all of them and sorted them in JavaScript.
 * Existing rentals get their due date here, by the rule the app used to compute it (frozen copy below).
 */
/** The columns this migration reads and writes, as they were when it was written. */
interface Tables {
  rentals: { id: string; order_application_id: string; start_date: string; due_date: string | null };
  applications: { id: string; period_unit: "day" | "month" | null; period: number | null };
}

export async function up(unknownDb: Kysely<unknown>): Promise<void> {
  const db = unknownDb as Kysely<Tables>;
  await db.schema.alterTable("rentals").addColumn("due_date", "text").execute();
  const rentals = await db
    .selectFrom("rentals")
    .innerJoin("applications", "applications.id", "rentals.order_application_id")
    .select(["rentals.id", "rentals.start_date", "applications.period_unit", "applications.period"])
    .where("applications.period_unit", "is not", null)
    .where("applications.period", "is not", null)
    .execute();
  for (const r of rentals) {
    if (!r.period_unit || !r.period) continue;
    await db
      .updateTable("rentals")
      .set({ due_date: dueDate(r.start_date, r.period_unit, r.period) })
      .where("id", "=", r.id)
      .execute();
  }
  await db.schema
    .createIndex("rentals_account_due_idx")
    .on("rentals")
    .columns(["account_id", "status", "due_date", "contract_no"])
    .execute();
  await sql`create index applications_account_open_idx on applications (account_id, created_at, id)
    where arranged_at is null and answered_at is null and returned_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("applications_account_open_idx").execute();
  await db.schema.dropIndex("rentals_account_due_idx").execute();
  await db.schema.alterTable("rentals").dropColumn("due_date").execute();
}

/** 返却予定日 as server/services/ordering/rentals.ts computed it when this migration was written. */
function dueDate(start: string, unit: "day" | "month", count: number): string {
  const [y, m, d] = start.split("-").map(Number) as [number, number, number];
  if (unit === "day") return new Date(Date.UTC(y, m - 1, d + count)).toISOString().slice(0, 10);
  const lastDay = new Date(Date.UTC(y, m - 1 + count + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m - 1 + count, Math.min(d, lastDay))).toISOString().slice(0, 10);
}
