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
    id: row.id,
    modelNo: row.model_no,
    maker: row.maker,
    name: row.name,
    category: row.category,
    specSummary: row.spec_summary,
    dailyPrice: Number(row.daily_price),
    monthlyPrice: Number(row.monthly_price),
    status,
    statusLabel: PRODUCT_STATUS_LABEL[status],
    createdAt: row.created_at,
  };
}

/**
 * The list: products whose 型番 or 商品名 starts with the keyword (as modelKeyOf / nameKeyOf store
 * them: width, case and spaces aside, and the 型番's separators), in 型番 order, a page at a time.
 * Each keyword condition is a range on an indexed key and 状態 an equality on (active, model_no)
 * (migration 0007); the page is keyset-paged on the unique 型番: the cursor is the last one shown.
 * "Contains" is not offered: it cannot be answered from an index (the customer's search is for that).
 */
export async function listProductsForStaff(
  deps: Pick<ServiceDeps, "db">,
  filter: { keyword?: string; status?: ProductStatusFilter },
  cursor?: string | null,
  pageSize = PRODUCT_PAGE_SIZE,
): Promise<{ rows: StaffProduct[]; nextCursor: string | null }> {
  let q = deps.db.selectFrom("products").selectAll();
  const typed = (filter.keyword ?? "").trim();
  if (typed) {
    const model = modelKeyOf(typed);
    const name = nameKeyOf(typed);
    q = q.where((eb) =>
      eb.or([
        ...(model ? [eb.and([eb("model_key", ">=", model), eb("model_key", "<", model + PREFIX_END)])] : []),
        ...(name ? [eb.and([eb("name_key", ">=", name), eb("name_key", "<", name + PREFIX_END)])] : []),
      ]),
    );
  }
  if (filter.status === "on_sale") q = q.where("active", "=", 1);
  if (filter.status === "ended") q = q.where("active", "=", 0);
  const after = cursor ? Buffer.from(cursor, "base64url").toString() : "";
  if (after) q = q.where("model_no", ">", after);
  const rows = await q
    .orderBy("model_no")
    .limit(pageSize + 1)
    .execute();
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    rows: page.map(toStaffProduct),
    nextCursor: rows.length > pageSize && last ? Buffer.from(last.model_no).toString("base64url") : null,
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
