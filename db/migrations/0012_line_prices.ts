import type { Kysely } from "kysely";

/**
 * Money on quotes and orders (SPEC §3, docs/decisions/017-money.md): each line keeps the catalog price it was
 * filed at, so its 金額 does not move when 商品管理 changes the catalog. `list_price` is the product's 日額 or
 * 月額 (by the application's period unit) at submission, in yen before tax; null on cancellation lines and on
 * lines filed before this migration (their 金額 is shown as unknown, never guessed from today's catalog).
 * `unit_price` (0005) stays the quoted 単価: set by 見積回答 on a quote, and copied onto an order's line when
 * the order is placed from a quote whose prices still hold.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("application_lines").addColumn("list_price", "integer").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("application_lines").dropColumn("list_price").execute();
}
