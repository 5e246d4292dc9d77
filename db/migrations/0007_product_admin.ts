import { type Kysely, PostgresAdapter, sql } from "kysely";

/**
 * 商品管理 (SPEC §6): staff list the whole catalog (販売中, 販売終了 or both) in 型番 order, a page at a time,
 * and search it by the start of a 型番 or of a 商品名 — on indexes, never a scan (issue 11 item 9).
 *
 * - `model_key`: the 型番 in NFKC, lower-cased, without spaces and the separators - _ / . (so 「dsox-12」
 *   finds DSOX1204G, as the customer's search does); `name_key`: the 商品名 in NFKC, lower-cased, without
 *   spaces. services/ordering/catalog.ts productColumns keeps both on every write of a product.
 * - A prefix is a range (`key >= k and key < k || U+10FFFF`), which a B-tree index answers only when the
 *   column compares bytes: SQLite's BINARY does; on PostgreSQL the columns are `collate "C"` (as 0006).
 * - Lists are keyset-paged in index order, so no page is sorted: 型番 order is (model_key, model_no)
 *   (the unique model_no breaks ties), the 商品名 matches (name_key, model_no), and each with the
 *   状態 (販売中 / 販売終了) in front for the filtered lists; the cursor is a row value compared with the
 *   index's columns.
 *
 * The rules are copied, not imported: a migration must do what it did when it was written.
 */
const modelKey = (modelNo: string) =>
  modelNo
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\-_/.]/g, "");
const nameKey = (name: string) => name.normalize("NFKC").toLowerCase().replace(/\s+/g, "");

interface Products {
  products: { id: string; model_no: string; name: string; model_key: string; name_key: string };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const text = db.getExecutor().adapter instanceof PostgresAdapter ? sql`text collate "C"` : sql`text`;
  for (const column of ["model_key", "name_key"]) {
    await db.schema
      .alterTable("products")
      .addColumn(column, text, (c) => c.notNull().defaultTo(""))
      .execute();
  }
  const typed = db as unknown as Kysely<Products>;
  for (const p of await typed.selectFrom("products").select(["id", "model_no", "name"]).execute()) {
    await typed
      .updateTable("products")
      .set({ model_key: modelKey(p.model_no), name_key: nameKey(p.name) })
      .where("id", "=", p.id)
      .execute();
  }
  await db.schema.createIndex("products_model_key_idx").on("products").columns(["model_key", "model_no"]).execute();
  await db.schema.createIndex("products_name_key_idx").on("products").columns(["name_key", "model_no"]).execute();
  await db.schema
    .createIndex("products_active_model_idx")
    .on("products")
    .columns(["active", "model_key", "model_no"])
    .execute();
  await db.schema
    .createIndex("products_active_name_idx")
    .on("products")
    .columns(["active", "name_key", "model_no"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of [
    "products_active_name_idx",
    "products_active_model_idx",
    "products_name_key_idx",
    "products_model_key_idx",
  ]) {
    await db.schema.dropIndex(name).execute();
  }
  for (const column of ["name_key", "model_key"]) {
    await db.schema.alterTable("products").dropColumn(column).execute();
  }
}
