import type { Kysely } from "kysely";

/**
 * The catalog's version: one row (id 1), counted up in the transaction of every product write (catalog.ts).
 * Servers keep search results and facets for the version they were read at (catalog-cache.ts), so every
 * instance sees a write at its next search. No row yet means version 0 (db:copy copies it like any row).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("catalog_state")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("version", "integer", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("catalog_state").execute();
}
