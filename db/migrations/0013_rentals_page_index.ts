import type { Kysely } from "kysely";

/**
 * レンタル中の注文 is paged newest first (keyset on created_at, id): an index in that order, within the account's
 * running rentals, serves every page and the count. It replaces (account_id, status), its prefix. A page's
 * lines are read by rental (rental_lines had no index but its primary key: every page scanned every line).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("rentals_account_active_idx")
    .on("rentals")
    .columns(["account_id", "status", "created_at", "id"])
    .execute();
  await db.schema.dropIndex("rentals_account_idx").ifExists().execute();
  await db.schema.createIndex("rental_lines_rental_idx").on("rental_lines").columns(["rental_id", "line_no"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("rental_lines_rental_idx").execute();
  await db.schema.createIndex("rentals_account_idx").on("rentals").columns(["account_id", "status"]).execute();
  await db.schema.dropIndex("rentals_account_active_idx").execute();
}
