import { type Selectable, sql } from "kysely";
import type { DB } from "../../../db";
import type { ProductTable } from "../../../db/schema";
import { iso } from "../../lib/clock";
import { newId } from "../../lib/crypto";
import type { ServiceDeps } from "../deps";
import { DomainError } from "../errors";

/**
 * Catalog search that behaves the same on SQLite and PostgreSQL: every product keeps a
 * `search_text` (NFKC-normalised, lower-cased: full-width "ＤＳＯＸ" and "dsox" both become "dsox"), and a
 * keyword is a set of words that must all occur in it (LIKE '%word%'). Japanese needs no word breaking
 * this way, and partial model numbers match ("DSOX" finds DSOX1204G). At catalog sizes of thousands a
 * scan is a few milliseconds; see docs/decisions/005.
 */
export function normalizeForSearch(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

export function searchTextOf(p: ProductFields) {
  // The model number also without separators, so "DSOX-1204" and "dsox1204" find "DSOX1204G".
  const compactModel = p.modelNo.replace(/[\s\-_/.]/g, "");
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

export async function searchProducts(
  deps: Pick<ServiceDeps, "db">,
  input: { keyword?: string; category?: string; maker?: string; page?: number },
): Promise<{ items: Product[]; total: number; page: number; pages: number }> {
  const words = normalizeForSearch(input.keyword ?? "")
    .split(" ")
    .filter(Boolean)
    .slice(0, 8);
  let q = deps.db.selectFrom("products").where("active", "=", 1);
  for (const word of words) q = q.where(sql<boolean>`search_text like ${`%${escapeLike(word)}%`} escape '\\'`);
  if (input.category) q = q.where("category", "=", input.category);
  if (input.maker) q = q.where("maker", "=", input.maker);
  const { total } = await q.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow();
  const count = Number(total);
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const page = Math.min(Math.max(1, Math.floor(input.page ?? 1)), pages);
  const rows = await q
    .selectAll()
    .orderBy("category")
    .orderBy("maker")
    .orderBy("model_no")
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .execute();
  return { items: rows.map(toProduct), total: count, page, pages };
}

export async function catalogFacets(
  deps: Pick<ServiceDeps, "db">,
): Promise<{ categories: string[]; makers: string[] }> {
  const categories = await deps.db
    .selectFrom("products")
    .select("category")
    .distinct()
    .where("active", "=", 1)
    .orderBy("category")
    .execute();
  const makers = await deps.db
    .selectFrom("products")
    .select("maker")
    .distinct()
    .where("active", "=", 1)
    .orderBy("maker")
    .execute();
  return { categories: categories.map((c) => c.category), makers: makers.map((m) => m.maker) };
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
 * setProductActive), so whatever search data a product carries is kept in step in this one file.
 */

/**
 * Adds products (on sale) in the caller's transaction; the fields must already be valid (validateProduct).
 * Returns their ids, in order.
 */
export async function insertProducts(db: DB, now: Date, products: readonly ProductFields[]): Promise<string[]> {
  const ids = products.map(() => newId());
  for (let i = 0; i < products.length; i += 200) {
    await db
      .insertInto("products")
      .values(
        products
          .slice(i, i + 200)
          .map((p, j) => ({ id: ids[i + j] as string, ...productColumns(p), active: 1, created_at: iso(now) })),
      )
      .execute();
  }
  return ids;
}

/** Replaces a product's fields in the caller's transaction (valid fields: validateProduct). False: no such product. */
export async function updateProduct(db: DB, id: string, product: ProductFields): Promise<boolean> {
  const result = await db.updateTable("products").set(productColumns(product)).where("id", "=", id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
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
}
