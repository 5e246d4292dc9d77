import { type Kysely, sql } from "kysely";

/**
 * 延長申込 (issue 14, DOMAIN.md): an application of kind `extension` (E-YYYY-NNNNNN) for a running rental, with
 * the 返却予定日 asked for (`requested_end_date`) and the one it had then (`previous_end_date`); the staff's
 * 延長確認 sets `confirmed_at` / `confirmed_by` and moves `rentals.due_date`.
 * - `applications_open_extension_idx`: the unconfirmed extensions, as the other kinds' open work (0005), for the
 *   back office's 未確認 list and count.
 * - `applications_rental_idx`: a rental's applications (its cancellations, its extensions), partial on the rows
 *   that have a rental, so the rule "one open extension per rental" is an index lookup.
 * - `applications_account_open_idx` (0015, the home page's お手続き中) is made again with the new "done" column:
 *   a confirmed extension is no longer in progress.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ["requested_end_date", "previous_end_date", "confirmed_at", "confirmed_by"]) {
    await db.schema.alterTable("applications").addColumn(column, "text").execute();
  }
  await sql`create index applications_open_extension_idx on applications (kind, created_at, id) where kind = 'extension' and confirmed_at is null`.execute(
    db,
  );
  await sql`create index applications_rental_idx on applications (rental_id, kind) where rental_id is not null`.execute(
    db,
  );
  await db.schema.dropIndex("applications_account_open_idx").execute();
  await sql`create index applications_account_open_idx on applications (account_id, created_at, id)
    where arranged_at is null and answered_at is null and returned_at is null and confirmed_at is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("applications_account_open_idx").execute();
  await sql`create index applications_account_open_idx on applications (account_id, created_at, id)
    where arranged_at is null and answered_at is null and returned_at is null`.execute(db);
  await db.schema.dropIndex("applications_rental_idx").execute();
  await db.schema.dropIndex("applications_open_extension_idx").execute();
  for (const column of ["confirmed_by", "confirmed_at", "previous_end_date", "requested_end_date"]) {
    await db.schema.alterTable("applications").dropColumn(column).execute();
  }
}
