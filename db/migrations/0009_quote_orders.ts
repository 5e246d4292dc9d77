import type { Kysely } from "kysely";

/**
 * この見積で注文する (SPEC §6): an order placed from an answered quote refers to it, so staff can honour
 * the quoted prices. `draft_lines.quote_id` is the quote that filled a line of the order form (the draft
 * remembers it; emptied or replaced lines forget it with the line), `applications.quote_id` the quote an
 * order was placed from. Both are the quote's `applications.id`; nothing lists by them, so no index.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("draft_lines").addColumn("quote_id", "text").execute();
  await db.schema.alterTable("applications").addColumn("quote_id", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("applications").dropColumn("quote_id").execute();
  await db.schema.alterTable("draft_lines").dropColumn("quote_id").execute();
}
