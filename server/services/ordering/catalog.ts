import { sql } from "kysely";
import type { DB } from "../../../db";
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

export function searchTextOf(p: {
  modelNo: string;
  maker: string;
  name: string;
  category: string;
  specSummary: string;
}) {
  // The model number also without separators, so "DSOX-1204" and "dsox1204" find "DSOX1204G".
  const compactModel = p.modelNo.replace(/[\s\-_/.]/g, "");
  return normalizeForSearch([p.modelNo, compactModel, p.maker, p.name, p.category, p.specSummary].join(" "));
}

function escapeLike(word: string): string {
  return word.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export interface ProductSummary {
  id: string;
  modelNo: string;
  maker: string;
  name: string;
  category: string;
  specSummary: string;
  dailyPrice: number;
  monthlyPrice: number;
}

export const PAGE_SIZE = 20;

export async function searchProducts(
  deps: Pick<ServiceDeps, "db">,
  input: { keyword?: string; category?: string; maker?: string; page?: number },
): Promise<{ items: ProductSummary[]; total: number; page: number; pages: number }> {
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
  return { items: rows.map(toSummary), total: count, page, pages };
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

export async function getProduct(deps: Pick<ServiceDeps, "db">, id: string): Promise<ProductSummary> {
  const row = await deps.db
    .selectFrom("products")
    .selectAll()
    .where("id", "=", id)
    .where("active", "=", 1)
    .executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", "指定された商品は見つかりません。");
  return toSummary(row);
}

function toSummary(row: {
  id: string;
  model_no: string;
  maker: string;
  name: string;
  category: string;
  spec_summary: string;
  daily_price: number;
  monthly_price: number;
}): ProductSummary {
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

export interface NewProduct {
  modelNo: string;
  maker: string;
  name: string;
  category: string;
  specSummary: string;
  dailyPrice: number;
  monthlyPrice: number;
}

export async function insertProducts(db: DB, now: Date, products: readonly NewProduct[]): Promise<void> {
  for (let i = 0; i < products.length; i += 200) {
    await db
      .insertInto("products")
      .values(
        products.slice(i, i + 200).map((p) => ({
          id: newId(),
          model_no: p.modelNo,
          maker: p.maker,
          name: p.name,
          category: p.category,
          spec_summary: p.specSummary,
          daily_price: p.dailyPrice,
          monthly_price: p.monthlyPrice,
          active: 1,
          search_text: searchTextOf(p),
          created_at: iso(now),
        })),
      )
      .execute();
  }
}
