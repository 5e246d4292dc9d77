import { type Kysely, sql } from "kysely";

/**
 * 延長 per line (issue 14 item 2, ADR 024): a rental line may have its own 返却予定日 once an extension covered
 * only some lines. `rental_lines.due_date` is null while the line follows its rental's `rentals.due_date` (every
 * rental arranged so far, and every rental extended as a whole); when an extension of some lines is confirmed,
 * every line of that rental gets its date written, and `rentals.due_date` becomes the earliest date of the lines
 * still out — what the home page's "due first" order, レンタル中の注文 and the staff read.
 * - `rental_lines_due_idx`: the lines with a date of their own, by date, for 返却予定のお知らせ (one reminder per
 *   rental and date, so a line extended later is reminded before its own date). Partial: the lines that follow
 *   their rental are found through rentals_active_due_idx as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("rental_lines").addColumn("due_date", "text").execute();
  await sql`create index rental_lines_due_idx on rental_lines (due_date, rental_id) where due_date is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("rental_lines_due_idx").execute();
  await db.schema.alterTable("rental_lines").dropColumn("due_date").execute();
}
