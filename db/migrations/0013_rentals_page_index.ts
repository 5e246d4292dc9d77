import type { Kysely } from "kysely";

/**
 * レンタル中の注文 is paged newest first (keyset on created_at, id): an index in that order, within the account's
 * running rentals, serves every page and the count. It replaces (account_id, status), its prefix.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("rentals_account_active_idx")
    .on("rentals")
    .columns(["account_id", "status", "created_at", "id"])
    .execute();
  await db.schema.dropIndex("rentals_account_idx").ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex("rentals_account_idx").on("rentals").columns(["account_id", "status"]).execute();
  await db.schema.dropIndex("rentals_account_active_idx").execute();
}
