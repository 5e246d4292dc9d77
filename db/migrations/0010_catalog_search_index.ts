import { type Kysely, PostgresAdapter, sql } from "kysely";

/**
 * The catalog search on an index (docs/decisions/016), the same on SQLite and PostgreSQL:
 *
 * - `product_search_grams (gram, product_id)`: every distinct bigram of a product's search_text, a word's
 *   last character paired with the space (or end) after it, so that every character of the text starts
 *   some gram. A word of two or more characters finds its candidates by its grams' rows, a one-character
 *   word by the range of grams starting with it. The key is byte-ordered (SQLite's BINARY; `collate "C"`
 *   on PostgreSQL) so that a range is a prefix. SQLite stores the table as its key (WITHOUT ROWID).
 * - `products.search_text_indexed`: the search_text the grams were written from, so a later write can
 *   remove exactly the grams that no longer hold without an index by product.
 * - `products_active_order_idx (active, category, maker, model_no)`: the search's order, so a page without
 *   keyword (or with a category) is read in order, and the category facet is a skip over it;
 *   `products_active_maker_idx (active, maker)` the same for the maker facet.
 * - `products_search_idx (id, active, category, maker, model_no, search_text)`: what the search reads of a
 *   candidate (its sale status, order and text for the LIKE), so confirming a candidate is one index
 *   lookup, not an index lookup and a row.
 *
 * The gram rule is copied, not imported: a migration must do what it did when it was written.
 */
function gramsOf(searchText: string): string[] {
  const chars = Array.from(searchText);
  const grams = new Set<string>();
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== " ") grams.add(`${chars[i]}${chars[i + 1] ?? " "}`);
  }
  return [...grams];
}

interface Tables {
  products: { id: string; search_text: string; search_text_indexed: string };
  product_search_grams: { gram: string; product_id: string };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable("product_search_grams")
    .addColumn("gram", postgres ? sql`text collate "C"` : "text", (c) => c.notNull())
    .addColumn("product_id", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("product_search_grams_pk", ["gram", "product_id"])
    .$call((b) => (postgres ? b : b.modifyEnd(sql`without rowid`)))
    .execute();
  await db.schema
    .alterTable("products")
    .addColumn("search_text_indexed", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .createIndex("products_active_order_idx")
    .on("products")
    .columns(["active", "category", "maker", "model_no"])
    .execute();
  await db.schema.createIndex("products_active_maker_idx").on("products").columns(["active", "maker"]).execute();
  await db.schema
    .createIndex("products_search_idx")
    .on("products")
    .columns(["id", "active", "category", "maker", "model_no", "search_text"])
    .execute();

  const typed = db as unknown as Kysely<Tables>;
  let after = "";
  for (;;) {
    const products = await typed
      .selectFrom("products")
      .select(["id", "search_text"])
      .where("id", ">", after)
      .orderBy("id")
      .limit(500)
      .execute();
    if (!products.length) break;
    const rows = products.flatMap((p) => gramsOf(p.search_text).map((gram) => ({ gram, product_id: p.id })));
    for (let i = 0; i < rows.length; i += 2000) {
      await typed
        .insertInto("product_search_grams")
        .values(rows.slice(i, i + 2000))
        .execute();
    }
    after = products.at(-1)?.id ?? after;
  }
  await sql`update products set search_text_indexed = search_text`.execute(db);
  if (postgres) await sql`analyze products, product_search_grams`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("products_search_idx").execute();
  await db.schema.dropIndex("products_active_maker_idx").execute();
  await db.schema.dropIndex("products_active_order_idx").execute();
  await db.schema.alterTable("products").dropColumn("search_text_indexed").execute();
  await db.schema.dropTable("product_search_grams").execute();
}
