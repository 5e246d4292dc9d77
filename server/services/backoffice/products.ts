import type { Selectable } from "kysely";
import { type DB, isUniqueViolation } from "../../../db";
import type { ProductTable } from "../../../db/schema";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import {
  insertProducts,
  modelKeyOf,
  nameKeyOf,
  type Product,
  type ProductFields,
  setProductActive,
  toProduct,
  updateProduct,
  validateProduct,
} from "../ordering/catalog";
import type { StaffActor } from "./accounts";

/**
 * 商品管理 (SPEC §6): the staff side of the catalog — the list with search and 状態, 商品登録, 編集,
 * 販売終了 and 販売再開 (the CSV import is services/ordering/product-import.ts). Every write of a product
 * row goes through services/ordering/catalog.ts, which keeps its search data in step; every action is
 * audited with the staff member as actor, in the transaction of the change.
 *
 * 販売終了 does not delete: the product leaves the customer's search, product page, drafts and new
 * applications (they all read `active = 1`), while applications, rentals and history keep their lines
 * (those copy 型番 and 商品名 when filed).
 */

export const PRODUCT_PAGE_SIZE = 50;

/** Past every character: `k` … `k + PREFIX_END` is the range of keys that start with `k`. */
const PREFIX_END = "\u{10FFFF}";

/** 状態: 販売中, 販売終了, すべて. */
export type ProductStatusFilter = "on_sale" | "ended" | "all";
export const PRODUCT_STATUS_LABEL = { on_sale: "販売中", ended: "販売終了" } as const;

export interface StaffProduct extends Product {
  status: "on_sale" | "ended";
  /** 販売中 / 販売終了 */
  statusLabel: string;
  createdAt: string;
}

function toStaffProduct(row: Selectable<ProductTable>): StaffProduct {
  const status = row.active === 1 ? "on_sale" : "ended";
  return {
    ...toProduct(row),
    status,
    statusLabel: PRODUCT_STATUS_LABEL[status],
    createdAt: row.created_at,
  };
}

/**
 * Where a page ends: in which part of the list (型番 matches "m", then 商品名 matches "n"), at which
 * key and 型番. Opaque to the page (base64url); a cursor that does not read is the start.
 */
type Cursor = { part: "m" | "n"; key: string; modelNo: string };

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.part, c.key, c.modelNo])).toString("base64url");
}

function decodeCursor(text: string | null | undefined): Cursor | null {
  if (!text) return null;
  try {
    const [part, key, modelNo] = JSON.parse(Buffer.from(text, "base64url").toString()) as unknown[];
    if ((part === "m" || part === "n") && typeof key === "string" && typeof modelNo === "string")
      return { part, key, modelNo };
  } catch {
    // not one of ours
  }
  return null;
}

/**
 * The list, a page at a time, keyset-paged and read in the order of an index (migration 0007), so a
 * page costs the same at 50 products or 50,000 and nothing is sorted per request:
 *
 * - without a keyword: every product (or those of the 状態) in 型番 order — (model_key, model_no), or
 *   (active, model_key, model_no) for 販売中 / 販売終了;
 * - with one: first the products whose 型番 starts with it (compared as modelKeyOf stores it: width,
 *   case, spaces and separators aside) in 型番 order, then those whose 商品名 starts with it (nameKeyOf)
 *   in 商品名 order — each a range on its own index, the second leaving out what the first listed.
 *
 * "Contains" is not offered: it cannot be answered from an index (the customer's search is for that).
 */
export async function listProductsForStaff(
  deps: Pick<ServiceDeps, "db">,
  filter: { keyword?: string; status?: ProductStatusFilter },
  cursor?: string | null,
  pageSize = PRODUCT_PAGE_SIZE,
): Promise<{ rows: StaffProduct[]; nextCursor: string | null }> {
  const after = decodeCursor(cursor);
  const typed = (filter.keyword ?? "").trim();
  const modelPrefix = typed ? modelKeyOf(typed) : "";
  const namePrefix = typed ? nameKeyOf(typed) : "";
  const active = filter.status === "on_sale" ? 1 : filter.status === "ended" ? 0 : null;

  const part = (key: "model_key" | "name_key", prefix: string, from: Cursor | null, limit: number) => {
    let q = deps.db.selectFrom("products").selectAll();
    if (active !== null) q = q.where("active", "=", active);
    // After a cursor (which is inside the prefix's range) the row value is the lower bound, so a later
    // page starts where the last one ended instead of reading the range from its start.
    if (prefix && !from) q = q.where(key, ">=", prefix);
    if (prefix) q = q.where(key, "<", prefix + PREFIX_END);
    if (key === "name_key" && modelPrefix) {
      // Listed in the first part already. Written as not(range), which no index answers, so the planner
      // reads the 商品名 range (an "or" of two ranges would tempt SQLite into a MULTI-INDEX OR and a sort).
      q = q.where((eb) =>
        eb.not(eb.and([eb("model_key", ">=", modelPrefix), eb("model_key", "<", modelPrefix + PREFIX_END)])),
      );
    }
    if (from)
      q = q.where(({ eb, refTuple, tuple }) => eb(refTuple(key, "model_no"), ">", tuple(from.key, from.modelNo)));
    return q.orderBy(key).orderBy("model_no").limit(limit).execute();
  };

  const found: { part: "m" | "n"; row: Selectable<ProductTable> }[] = [];
  const wantModels = !typed || modelPrefix !== "";
  if (wantModels && after?.part !== "n") {
    for (const row of await part("model_key", modelPrefix, after, pageSize + 1)) found.push({ part: "m", row });
  }
  if (typed && namePrefix && found.length <= pageSize) {
    const from = after?.part === "n" ? after : null;
    for (const row of await part("name_key", namePrefix, from, pageSize + 1 - found.length))
      found.push({ part: "n", row });
  }
  const page = found.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    rows: page.map((f) => toStaffProduct(f.row)),
    nextCursor:
      found.length > pageSize && last
        ? encodeCursor({
            part: last.part,
            key: last.part === "m" ? last.row.model_key : last.row.name_key,
            modelNo: last.row.model_no,
          })
        : null,
  };
}

async function requireProduct(db: DB, id: string): Promise<Selectable<ProductTable>> {
  const row = await db.selectFrom("products").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", "指定された商品は見つかりません。");
  return row;
}

/** One product, on sale or ended (編集, 販売終了's confirmation). */
export async function getProductForStaff(deps: Pick<ServiceDeps, "db">, id: string): Promise<StaffProduct> {
  return toStaffProduct(await requireProduct(deps.db, id));
}

/** What the form sends: every field as typed. */
export type ProductForm = Record<keyof ProductFields, string>;

const INVALID = "入力内容をご確認ください。";

function validOrThrow(input: ProductForm): ProductFields {
  const result = validateProduct(input);
  if (result.errors) {
    throw new DomainError(
      "VALIDATION",
      INVALID,
      Object.fromEntries(Object.entries(result.errors).map(([key, message]) => [key, [message]])),
    );
  }
  return result.product;
}

const modelNoTaken = (modelNo: string) =>
  new DomainError("VALIDATION", INVALID, { modelNo: [`型番「${modelNo}」は既に登録されています。`] });

/** Another product with this 型番, other than `except`. */
async function assertModelNoFree(db: DB, modelNo: string, except?: string): Promise<void> {
  let q = db.selectFrom("products").select("id").where("model_no", "=", modelNo);
  if (except) q = q.where("id", "!=", except);
  if (await q.executeTakeFirst()) throw modelNoTaken(modelNo);
}

/** Runs a write whose 型番 another write may take first: the unique index answers as the check would. */
async function guardModelNo<T>(modelNo: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw modelNoTaken(modelNo);
    throw error;
  }
}

const staffActor = (staff: StaffActor) => ({ type: "staff" as const, id: staff.id });

/** 商品登録: a new product, on sale. A 型番 already in the catalog (on sale or ended) is refused. */
export async function createProduct(
  deps: Pick<ServiceDeps, "db" | "clock">,
  staff: StaffActor,
  input: ProductForm,
  meta: RequestMeta | null,
): Promise<{ productId: string }> {
  const product = validOrThrow(input);
  return guardModelNo(product.modelNo, () =>
    deps.db.transaction().execute(async (trx) => {
      await assertModelNoFree(trx, product.modelNo);
      const [productId] = await insertProducts(trx, deps.clock.now(), [product]);
      await recordAudit(trx, deps.clock, staffActor(staff), meta, "product.create", {
        target: product.modelNo,
        details: { productId },
      });
      return { productId: productId as string };
    }),
  );
}

/**
 * 編集: new fields for a product (its id, sale status and creation time stay), so drafts, applications
 * and rentals still point at it. The audit names the fields that changed.
 */
export async function editProduct(
  deps: Pick<ServiceDeps, "db" | "clock">,
  staff: StaffActor,
  id: string,
  input: ProductForm,
  meta: RequestMeta | null,
): Promise<void> {
  const product = validOrThrow(input);
  await guardModelNo(product.modelNo, () =>
    deps.db.transaction().execute(async (trx) => {
      const old = toStaffProduct(await requireProduct(trx, id));
      await assertModelNoFree(trx, product.modelNo, id);
      const changed = (Object.keys(product) as (keyof ProductFields)[]).filter((key) => old[key] !== product[key]);
      if (!changed.length) return;
      await updateProduct(trx, id, product);
      await recordAudit(trx, deps.clock, staffActor(staff), meta, "product.update", {
        target: product.modelNo,
        details: { productId: id, changed, ...(old.modelNo !== product.modelNo ? { from: old.modelNo } : {}) },
      });
    }),
  );
}

/** 販売終了 (`onSale` false) and 販売再開 (true); asking for the state a product is in changes nothing. */
export async function setProductOnSale(
  deps: Pick<ServiceDeps, "db" | "clock">,
  staff: StaffActor,
  id: string,
  onSale: boolean,
  meta: RequestMeta | null,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await requireProduct(trx, id);
    if ((row.active === 1) === onSale) return;
    await setProductActive(trx, id, onSale);
    await recordAudit(trx, deps.clock, staffActor(staff), meta, onSale ? "product.resume" : "product.retire", {
      target: row.model_no,
      details: { productId: id },
    });
  });
}
