import type { Kysely } from "kysely";

/**
 * この内容で再注文 (issue 14): an order or quote of 申込履歴 fills the order form with its lines. Each draft line it
 * put there names the application it came from, so the form can start with that application's delivery and
 * period (as `quote_id` does for この見積で注文する, which also carries the quoted prices; a reorder does not).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("draft_lines").addColumn("source_id", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("draft_lines").dropColumn("source_id").execute();
}
