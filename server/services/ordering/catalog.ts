import { type Selectable, type SelectQueryBuilder, sql } from "kysely";
import { type DB, dialectOf } from "../../../db";
import type { Database, ProductSearchGramTable, ProductTable } from "../../../db/schema";
import { iso } from "../../lib/clock";
import { newId } from "../../lib/crypto";
import type { ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { catalogChanged, keptForCatalog } from "./catalog-cache";

/**
 * Catalog search that behaves the same on SQLite and PostgreSQL: every product keeps a
 * `search_text` (NFKC-normalised, lower-cased: full-width "ＤＳＯＸ" and "dsox" both become "dsox"), and a
 * keyword is a set of words that must all occur in it (LIKE '%word%'). Japanese needs no word breaking
 * this way, and partial model numbers match ("DSOX" finds DSOX1204G). The LIKE is checked only on the
 * candidates of a bigram index (product_search_grams); see docs/decisions/005 and 013.
 */
export function normalizeForSearch(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/** Separators in model numbers: "DSOX-1204" and "dsox1204" name the same product. */
const MODEL_SEPARATORS = /[\s\-_/.]/g;

export function searchTextOf(p: ProductFields) {
  // The model number also without separators, so "dsox1204" finds "DSOX-1204G" (and searchWords lets
  // "dsox-1204" find "DSOX1204G").
  const compactModel = p.modelNo.replace(MODEL_SEPARATORS, "");
  return normalizeForSearch([p.modelNo, compactModel, p.maker, p.name, p.category, p.specSummary].join(" "));
}

/**
 * 商品管理's search keys (migration 0007): a 型番 or 商品名 as its prefix search compares it — NFKC,
 * lower-cased, without spaces (and, for the 型番, without the separators searchTextOf drops too).
 */
export function modelKeyOf(modelNo: string): string {
  return modelNo
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\-_/.]/g, "");
}

export function nameKeyOf(name: string): string {
  return name.normalize("NFKC").toLowerCase().replace(/\s+/g, "");
}

function escapeLike(word: string): string {
  return word.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A product: what search results and the product page show, and what 商品登録 and the CSV import write. */
export interface Product {
  id: string;
  /** Manufacturer model number (型番), unique in the catalog, e.g. "DSOX1204G". */
  modelNo: string;
  maker: string;
  name: string;
  category: string;
  /** A one-line spec summary (仕様); may be empty. */
  specSummary: string;
  /** Rental price per day / per month in JPY, tax excluded. */
  dailyPrice: number;
  monthlyPrice: number;
}

/** A product before it has an id: what a form or a CSV row gives. */
export type ProductFields = Omit<Product, "id">;

const MAX_PRICE = 99_999_999;

/**
 * Every field's label (the CSV column and form label of SPEC §6), its limit (characters; yen for the prices)
 * and whether it may be empty.
 */
export const PRODUCT_FIELDS: Record<keyof ProductFields, { label: string; max: number; required: boolean }> = {
  modelNo: { label: "型番", max: 40, required: true },
  maker: { label: "メーカー", max: 50, required: true },
  name: { label: "商品名", max: 100, required: true },
  category: { label: "カテゴリ", max: 30, required: true },
  specSummary: { label: "仕様", max: 200, required: false },
  dailyPrice: { label: "日額", max: MAX_PRICE, required: true },
  monthlyPrice: { label: "月額", max: MAX_PRICE, required: true },
};

/** "12000", "12,000" or full-width digits → 12000; anything else (negative, decimal, too large) → null. */
function parsePrice(value: string): number | null {
  const text = value.normalize("NFKC").trim();
  if (!/^(\d+|\d{1,3}(,\d{3})+)$/.test(text)) return null;
  const n = Number(text.replaceAll(",", ""));
  return n <= MAX_PRICE ? n : null;
}

/**
 * The rules of one product, as text from a form or a CSV row: required fields, lengths, one line each,
 * whole non-negative yen. Returns the product, or a Japanese message per field.
 */
export function validateProduct(
  input: Record<keyof ProductFields, string>,
):
  | { product: ProductFields; errors?: undefined }
  | { product?: undefined; errors: Partial<Record<keyof ProductFields, string>> } {
  const errors: Partial<Record<keyof ProductFields, string>> = {};
  const text = (key: keyof ProductFields) => {
    const { label, max, required } = PRODUCT_FIELDS[key];
    const value = input[key].trim();
    if (required && !value) errors[key] = `${label}を入力してください。`;
    else if ([...value].length > max) errors[key] = `${label}は${max}文字以内で入力してください。`;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    else if (/[\u0000-\u001f\u007f]/.test(value)) errors[key] = `${label}に改行や制御文字は使えません。`;
    return value;
  };
  const price = (key: "dailyPrice" | "monthlyPrice") => {
    const { label } = PRODUCT_FIELDS[key];
    if (!input[key].trim()) {
      errors[key] = `${label}を入力してください。`;
      return 0;
    }
    const n = parsePrice(input[key]);
    if (n === null)
      errors[key] = `${label}は0以上${MAX_PRICE.toLocaleString("en-US")}以下の整数（円）で入力してください。`;
    return n ?? 0;
  };
  const product: ProductFields = {
    modelNo: text("modelNo"),
    maker: text("maker"),
    name: text("name"),
    category: text("category"),
    specSummary: text("specSummary"),
    dailyPrice: price("dailyPrice"),
    monthlyPrice: price("monthlyPrice"),
  };
  return Object.keys(errors).length ? { errors } : { product };
}

export const PAGE_SIZE = 20;

type SearchInput = { keyword?: string; category?: string; maker?: string; page?: number };

/**
 * A catalog search on the gram index (docs/decisions/016): the same products, order and pages as
 * `search_text LIKE '%word%'` for every word over the active products, without reading the whole catalog.
 *
 * The candidates come from product_search_grams: for words of two or more characters, the products
 * holding each of the SEARCH_GRAMS least frequent of their bigrams (the rarest drives, each other is a key
 * lookup per candidate); for one-character words alone, the products with a gram starting with the least
 * frequent of those characters. Each candidate is confirmed by the LIKE of every word the grams do not
 * answer exactly (grams say "maybe", the LIKE says "yes"), so the index decides only how much is read. The
 * count comes with the page (a window over the same rows), so the candidates are read once.
 *
 * The answer is 商品検索's whole: the page with the categories and makers of the form. It is kept per catalog
 * version (catalog-cache.ts) as one answer: the same words, filters and page answer alike until a product is
 * written, and a search seen before costs one read of the catalog's version.
 */
export async function searchProducts(
  deps: Pick<ServiceDeps, "db">,
  input: SearchInput,
): Promise<{
  items: Product[];
  total: number;
  page: number;
  pages: number;
  facets: { categories: string[]; makers: string[] };
}> {
  const words = searchWords(input.keyword ?? "");
  const asked = Math.max(1, Math.floor(input.page ?? 1));
  const key = JSON.stringify(["search", words, input.category ?? "", input.maker ?? "", asked]);
  return keptForCatalog(deps.db, key, async () => ({
    ...(await searchWithoutCache(deps.db, words, input, asked)),
    facets: await catalogFacets(deps),
  }));
}

/** The search itself, read from the database every time (the bench measures it; pages use searchProducts). */
export function searchProductsUncached(deps: Pick<ServiceDeps, "db">, input: SearchInput) {
  return searchWithoutCache(deps.db, searchWords(input.keyword ?? ""), input, Math.max(1, Math.floor(input.page ?? 1)));
}

async function searchWithoutCache(
  db: DB,
  words: SearchWord[],
  input: { category?: string; maker?: string },
  asked: number,
): Promise<{ items: Product[]; total: number; page: number; pages: number }> {
  const source = words.length ? await candidateSource(db, words) : ALL;
  if (source.kind === "none") return { items: [], total: 0, page: 1, pages: 1 };

  const matching = () => {
    let q = fromCandidates(db, source).where("p.active", "=", 1);
    for (const word of words) {
      if (answeredByGrams(word, source)) continue;
      // The pattern as an expression, not a bare parameter, which SQLite would plan with and so prepare the
      // statement again at every run (decision 019); a pattern that starts with % serves no index anyway.
      const like = (text: string) => sql<boolean>`p.search_text like (${`%${escapeLike(text)}%`} || '') escape '\\'`;
      q = q.where(word.compact ? sql<boolean>`(${like(word.text)} or ${like(word.compact)})` : like(word.text));
    }
    if (input.category) q = q.where("p.category", "=", input.category);
    if (input.maker) q = q.where("p.maker", "=", input.maker);
    return q;
  };
  // The page's ids (with the count, when asked, in the same pass over the candidates) on
  // products_search_idx, which holds every column this reads of a candidate; then the page's products.
  const read = async (page: number, withCount: boolean) => {
    const keys = await matching()
      .select(["p.id", (withCount ? sql<number>`count(*) over ()` : sql<number>`0`).as("total")])
      .orderBy("p.category")
      .orderBy("p.maker")
      .orderBy("p.model_no")
      .limit(PAGE_SIZE)
      .offset((page - 1) * PAGE_SIZE)
      .execute();
    const rows = keys.length
      ? await db
          .selectFrom("products")
          .selectAll()
          .where(
            "id",
            "in",
            keys.map((k) => k.id),
          )
          .execute()
      : [];
    const byId = new Map(rows.map((row) => [row.id, toProduct(row)]));
    return { items: keys.flatMap((k) => byId.get(k.id) ?? []), total: Number(keys[0]?.total ?? 0) };
  };
  const countAll = async () =>
    Number(
      (
        await matching()
          .select((eb) => eb.fn.countAll<number>().as("total"))
          .executeTakeFirstOrThrow()
      ).total,
    );
  const pagesOf = (count: number) => Math.max(1, Math.ceil(count / PAGE_SIZE));
  if (source.kind === "all") {
    // No keyword: the count is read on products_active_order_idx, the page walks it in order.
    const total = await countAll();
    const page = Math.min(asked, pagesOf(total));
    return { items: (await read(page, false)).items, total, page, pages: pagesOf(total) };
  }
  const first = await read(asked, true);
  if (first.items.length || asked === 1) return { ...first, page: asked, pages: pagesOf(first.total) };
  // Past the last page: count, and show the last page (the pages are numbered from the count).
  const total = await countAll();
  const page = pagesOf(total);
  return { items: total ? (await read(page, false)).items : [], total, page, pages: pagesOf(total) };
}

/**
 * A keyword's words (at most 8), normalised as search_text is. A word with model-number separators
 * ("dsox-1204") also matches without them (`compact`: "dsox1204"), as search_text holds model numbers
 * both ways; a compact form of fewer than two characters is not used ("-" is not "").
 */
export function searchWords(keyword: string): SearchWord[] {
  return normalizeForSearch(keyword)
    .split(" ")
    .filter(Boolean)
    .slice(0, 8)
    .map((text) => {
      const compact = text.replace(MODEL_SEPARATORS, "");
      return { text, compact: compact !== text && Array.from(compact).length >= 2 ? compact : null };
    });
}

export interface SearchWord {
  text: string;
  compact: string | null;
}

/**
 * A word the candidates' grams already prove: a two-character word is one gram, a one-character word the
 * range its candidates were read from. Any other word is confirmed by its LIKE.
 */
function answeredByGrams(word: SearchWord, source: CandidateSource): boolean {
  if (word.compact) return false;
  if (source.kind === "prefix") return word.text === source.char;
  if (source.kind === "grams") return Array.from(word.text).length === 2 && source.grams.includes(word.text);
  return false;
}

/** The grams a product matching the word holds: the word's, or those its two forms share. */
function gramsOfWord(word: SearchWord): string[] {
  const grams = wordGrams(word.text);
  if (!word.compact) return grams;
  const compact = new Set(wordGrams(word.compact));
  return grams.filter((g) => compact.has(g));
}

/** A character every product matching the word holds (its compact form's are in both forms). */
function charOfWord(word: SearchWord): string {
  return Array.from(word.compact ?? word.text)[0] ?? "";
}

/** How many grams of a keyword are intersected: the rarest drives, the others filter. */
const SEARCH_GRAMS = 3;
/** Grams whose frequency is looked up (a keyword of 8 long words has more; the first ones are checked). */
const GRAMS_CHECKED = 24;
/** Frequencies are counted up to this: past it a gram is "common", and counting on would be a scan itself. */
const FREQUENCY_CAP = 5000;
type CandidateSource =
  | { kind: "all" }
  | { kind: "none" }
  | { kind: "grams"; grams: string[] }
  | { kind: "prefix"; char: string };
const ALL: CandidateSource = { kind: "all" };

/** Every bigram of a word (the word has no spaces, so these are grams a matching product holds). */
function wordGrams(word: string): string[] {
  const chars = Array.from(word);
  return chars.slice(0, -1).map((c, i) => `${c}${chars[i + 1]}`);
}

/** The range of grams that start with one character: [char, the next code point). */
function prefixRange(char: string): [string, string | null] {
  const cp = char.codePointAt(0) ?? 0;
  if (cp >= 0x10ffff) return [char, null];
  return [char, String.fromCodePoint(cp === 0xd7ff ? 0xe000 : cp + 1)];
}

/**
 * Where the candidates come from: the rarest grams of the words of two or more characters, else the
 * range of the rarest character one of the words must hold; none when a gram or range is empty.
 */
async function candidateSource(db: DB, words: SearchWord[]): Promise<CandidateSource> {
  const grams = [...new Set(words.flatMap(gramsOfWord))].slice(0, GRAMS_CHECKED);
  const counted = await gramFrequencies(
    db,
    grams.length ? grams.map((g) => [g, null]) : [...new Set(words.map(charOfWord))].map((c) => prefixRange(c)),
  );
  counted.sort((a, b) => a.n - b.n);
  if (!counted[0]?.n) return { kind: "none" };
  return grams.length
    ? { kind: "grams", grams: counted.slice(0, SEARCH_GRAMS).map((c) => c.key) }
    : { kind: "prefix", char: counted[0].key };
}

/**
 * How many rows each gram (or gram range, [from, to)) has, counted up to FREQUENCY_CAP: one statement, an
 * index range per gram.
 */
async function gramFrequencies(db: DB, ranges: [string, string | null][]): Promise<{ key: string; n: number }[]> {
  const parts = ranges.map(([from, to], i) => {
    const where = to === null ? sql`gram = ${from}` : sql`gram >= ${from} and gram < ${to}`;
    const rows = sql`select 1 from product_search_grams where ${where} limit ${sql.lit(FREQUENCY_CAP)}`;
    return sql`select ${sql.lit(i)} as i, (select count(*) from (${rows}) as r) as n`;
  });
  const { rows } = await sql<{ i: number; n: number }>`${sql.join(parts, sql` union all `)}`.execute(db);
  const n = new Map(rows.map((r) => [Number(r.i), Number(r.n)]));
  return ranges.map(([from], i) => ({ key: from, n: n.get(i) ?? 0 }));
}

/**
 * The products to confirm, as `p`. The candidates are read first. On SQLite, CROSS JOIN keeps the join
 * order as written. PostgreSQL plans on statistics and, estimating a `LIKE '%…%'` as very selective,
 * would rather read every product and look its grams up: there the candidates are a MATERIALIZED CTE,
 * which it reads first (and joins as its statistics say: by key for a few, by hash for very many).
 */
function fromCandidates(db: DB, source: CandidateSource): Confirm {
  const postgres = dialectOf(db) === "postgres";
  const confirm = (candidates: SelectQueryBuilder<Database, keyof Database, { product_id: string }>) =>
    (postgres
      ? db
          .with(
            (wb) => wb("c").materialized(),
            () => candidates,
          )
          .selectFrom("c")
      : db.selectFrom(candidates.as("c"))
    )
      .crossJoin("products as p")
      .whereRef("p.id", "=", "c.product_id") as unknown as Confirm;
  if (source.kind === "grams") {
    const [first = "", ...rest] = source.grams;
    // The aliases g1, g2 … are built, so the builder is typed as one (g1) and cast back at the end.
    let q = db.selectFrom("product_search_grams as g0").where("g0.gram", "=", first) as unknown as SelectQueryBuilder<
      Database & { g0: ProductSearchGramTable; g1: ProductSearchGramTable },
      "g0" | "g1",
      object
    >;
    rest.forEach((gram, i) => {
      const alias = `g${i + 1}` as "g1";
      q = q
        .crossJoin(`product_search_grams as ${alias}` as "product_search_grams as g1")
        .where(`${alias}.gram`, "=", gram)
        .whereRef(`${alias}.product_id`, "=", "g0.product_id") as unknown as typeof q;
    });
    if (postgres) return confirm(q.select("g0.product_id") as never);
    return q.crossJoin("products as p").whereRef("p.id", "=", "g0.product_id") as unknown as Confirm;
  }
  if (source.kind === "prefix") {
    const [from, to] = prefixRange(source.char);
    let range = db.selectFrom("product_search_grams").select("product_id").distinct().where("gram", ">=", from);
    if (to !== null) range = range.where("gram", "<", to);
    return confirm(range as never);
  }
  return db.selectFrom("products as p") as unknown as Confirm;
}

/** A query over the candidates, the products as `p`. */
type Confirm = SelectQueryBuilder<Database & { p: ProductTable }, "p", object>;

/**
 * The categories and makers on sale, each a skip over its index (the next distinct value after the
 * last, one index seek each), never a read of every product.
 */
export async function catalogFacets(
  deps: Pick<ServiceDeps, "db">,
): Promise<{ categories: string[]; makers: string[] }> {
  return keptForCatalog(deps.db, "facets", () => catalogFacetsUncached(deps));
}

/** The facets read from the database every time (the bench measures it; pages use catalogFacets). */
export async function catalogFacetsUncached(
  deps: Pick<ServiceDeps, "db">,
): Promise<{ categories: string[]; makers: string[] }> {
  const distinct = async (column: "category" | "maker") => {
    const c = sql.id(column);
    const { rows } = await sql<{ v: string }>`
      with recursive d(v) as (
        select min(${c}) from products where active = 1
        union all
        select (select min(${c}) from products where active = 1 and ${c} > d.v) from d where d.v is not null
      )
      select v from d where v is not null`.execute(deps.db);
    return rows.map((r) => r.v);
  };
  return { categories: await distinct("category"), makers: await distinct("maker") };
}

export async function getProduct(deps: Pick<ServiceDeps, "db">, id: string): Promise<Product> {
  const row = await deps.db
    .selectFrom("products")
    .selectAll()
    .where("id", "=", id)
    .where("active", "=", 1)
    .executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", "指定された商品は見つかりません。");
  return toProduct(row);
}

/** A stored product row as a Product. */
export function toProduct(row: Selectable<ProductTable>): Product {
  return {
    id: row.id,
    modelNo: row.model_no,
    maker: row.maker,
    name: row.name,
    category: row.category,
    specSummary: row.spec_summary,
    dailyPrice: Number(row.daily_price),
    monthlyPrice: Number(row.monthly_price),
  };
}

/** The columns a product's fields are stored in (search_text and the search keys kept in step with them). */
export function productColumns(p: ProductFields) {
  return {
    model_no: p.modelNo,
    maker: p.maker,
    name: p.name,
    category: p.category,
    spec_summary: p.specSummary,
    daily_price: p.dailyPrice,
    monthly_price: p.monthlyPrice,
    search_text: searchTextOf(p),
    model_key: modelKeyOf(p.modelNo),
    name_key: nameKeyOf(p.name),
  };
}

/*
 * Every write of a product row goes through the functions below (insertProducts, updateProduct,
 * setProductActive), so the search data a product carries (search_text, the gram index) stays in step in
 * this one file.
 */

/**
 * The grams of a search_text (product_search_grams, docs/decisions/016): every distinct pair of a
 * character and the one after it, a word's last character paired with a space. So every character of
 * the text starts a gram (a one-character word is a range of grams), and every bigram of a word is one.
 */
export function searchGramsOf(searchText: string): string[] {
  const chars = Array.from(searchText);
  const grams = new Set<string>();
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] !== " ") grams.add(`${chars[i]}${chars[i + 1] ?? " "}`);
  }
  return [...grams];
}

async function insertGrams(db: DB, rows: { gram: string; product_id: string }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2000) {
    await db
      .insertInto("product_search_grams")
      .values(rows.slice(i, i + 2000))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

/**
 * Adds products (on sale) in the caller's transaction, with their search grams; the fields must already
 * be valid (validateProduct). Returns their ids, in order.
 */
export async function insertProducts(db: DB, now: Date, products: readonly ProductFields[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < products.length; i += 200) {
    const rows = products.slice(i, i + 200).map((p) => {
      const columns = productColumns(p);
      // Written with the text its grams come from: they are inserted in bulk below rather than by
      // writeSearchGrams one product at a time (the same grams: searchGramsOf).
      return { id: newId(), ...columns, search_text_indexed: columns.search_text, active: 1, created_at: iso(now) };
    });
    await db.insertInto("products").values(rows).execute();
    await insertGrams(
      db,
      rows.flatMap((r) => searchGramsOf(r.search_text).map((gram) => ({ gram, product_id: r.id }))),
    );
    ids.push(...rows.map((r) => r.id));
  }
  if (ids.length) await catalogChanged(db);
  return ids;
}

/** Replaces a product's fields in the caller's transaction (valid fields: validateProduct). False: no such product. */
export async function updateProduct(db: DB, id: string, product: ProductFields): Promise<boolean> {
  const result = await db.updateTable("products").set(productColumns(product)).where("id", "=", id).executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) return false;
  await writeSearchGrams(db, id);
  await catalogChanged(db);
  return true;
}

/**
 * 販売終了 (false) / 販売再開 (true) in the caller's transaction. An ended product leaves the customer's
 * search, its product page and new applications; old applications and rentals keep their lines.
 */
export async function setProductActive(db: DB, id: string, active: boolean): Promise<void> {
  await db
    .updateTable("products")
    .set({ active: active ? 1 : 0 })
    .where("id", "=", id)
    .execute();
  await catalogChanged(db);
}

/**
 * THE way to keep the catalog search's index in step with a product: call `writeSearchGrams(trx, id)` in
 * the same transaction after any write that may change a product's `search_text` (an update of its
 * 型番, メーカー, 商品名, カテゴリ or 仕様) other than insertProducts, which does it itself. It reads the row
 * and makes the product's rows of product_search_grams those of its search_text: it adds the grams
 * gained, deletes the grams lost (against `search_text_indexed`, the text they were written from) and
 * writes nothing when the text is unchanged, so calling it after every product write is cheap and safe.
 * 販売終了 / 販売再開 (active) need no call: every product is indexed and the search reads active ones.
 * A product whose search_text changed without it is missed by words it gained (never wrongly found: the
 * LIKE confirms every candidate).
 */
export async function writeSearchGrams(db: DB, productId: string): Promise<void> {
  const row = await db
    .selectFrom("products")
    .select(["search_text", "search_text_indexed"])
    .where("id", "=", productId)
    .executeTakeFirst();
  if (!row) throw new Error(`writeSearchGrams: no product ${productId} (call it after the product is written)`);
  const target = row.search_text;
  if (row.search_text_indexed === target) return;
  const before = new Set(searchGramsOf(row.search_text_indexed));
  const after = new Set(searchGramsOf(target));
  const lost = [...before].filter((g) => !after.has(g));
  for (let i = 0; i < lost.length; i += 500) {
    await db
      .deleteFrom("product_search_grams")
      .where("product_id", "=", productId)
      .where("gram", "in", lost.slice(i, i + 500))
      .execute();
  }
  await insertGrams(
    db,
    [...after].filter((g) => !before.has(g)).map((gram) => ({ gram, product_id: productId })),
  );
  await db.updateTable("products").set({ search_text_indexed: target }).where("id", "=", productId).execute();
}
