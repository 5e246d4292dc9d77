import { type Kysely, sql } from "kysely";

/**
 * 返却予定のお知らせ (issue 14): a mail to the submitting user some days before a rental's 返却予定日, once per
 * rental and date. `return_reminders` holds each one sent; its primary key (rental, due date) is what makes
 * it once, across instances and restarts: the reminder is written in the transaction that queues its mail,
 * and a second writer finds the row. A due date moved later (延長) is a new date: a new reminder. The job
 * finds running rentals by due date over all accounts on a partial index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("return_reminders")
    .addColumn("rental_id", "text", (c) => c.notNull())
    .addColumn("due_date", "text", (c) => c.notNull())
    .addColumn("sent_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("return_reminders_pk", ["rental_id", "due_date"])
    .execute();
  await sql`create index rentals_active_due_idx on rentals (due_date) where status = 'active'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("rentals_active_due_idx").execute();
  await db.schema.dropTable("return_reminders").execute();
}
