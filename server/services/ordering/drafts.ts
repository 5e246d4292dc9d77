import { sql } from "kysely";
import type { DB } from "../../../db";
import { iso } from "../../lib/clock";
import { newId } from "../../lib/crypto";
import type { ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { getProduct } from "./catalog";

/** The lines a user is putting together for a quote request or an order (見積依頼に追加 / 注文に追加). */
export type DraftKind = "quote" | "order";
export const MAX_QUANTITY = 99;
export const MAX_LINES = 30;

export interface DraftLine {
  productId: string;
  modelNo: string;
  maker: string;
  name: string;
  quantity: number;
  dailyPrice: number;
  monthlyPrice: number;
}

export function checkQuantity(quantity: number, field = "quantity"): void {
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_QUANTITY) {
    throw new DomainError("VALIDATION", "入力内容をご確認ください。", {
      [field]: [`数量は1〜${MAX_QUANTITY}の整数で入力してください。`],
    });
  }
}

export async function addToDraft(
  deps: ServiceDeps,
  userId: string,
  kind: DraftKind,
  productId: string,
  quantity: number,
): Promise<void> {
  checkQuantity(quantity);
  await getProduct(deps, productId);
  const lines = await deps.db
    .selectFrom("draft_lines")
    .select(["product_id"])
    .where("user_id", "=", userId)
    .where("kind", "=", kind)
    .execute();
  if (lines.length >= MAX_LINES && !lines.some((l) => l.product_id === productId)) {
    throw new DomainError("LIMIT_REACHED", `1回のお申し込みに含められる商品は${MAX_LINES}種類までです。`);
  }
  await deps.db
    .insertInto("draft_lines")
    .values({ id: newId(), user_id: userId, kind, product_id: productId, quantity, created_at: iso(deps.clock.now()) })
    .onConflict((oc) =>
      oc.columns(["user_id", "kind", "product_id"]).doUpdateSet({
        // Portable clamp (SQLite's two-argument min() is least() on PostgreSQL).
        quantity: sql<number>`case when draft_lines.quantity + ${quantity} > ${MAX_QUANTITY} then ${MAX_QUANTITY} else draft_lines.quantity + ${quantity} end`,
      }),
    )
    .execute();
}

export async function getDraft(deps: ServiceDeps, userId: string, kind: DraftKind): Promise<DraftLine[]> {
  const rows = await deps.db
    .selectFrom("draft_lines")
    .innerJoin("products", "products.id", "draft_lines.product_id")
    .select([
      "draft_lines.product_id",
      "draft_lines.quantity",
      "products.model_no",
      "products.maker",
      "products.name",
      "products.daily_price",
      "products.monthly_price",
    ])
    .where("draft_lines.user_id", "=", userId)
    .where("draft_lines.kind", "=", kind)
    .where("products.active", "=", 1)
    .orderBy("draft_lines.created_at")
    .orderBy("draft_lines.id")
    .execute();
  return rows.map((r) => ({
    productId: r.product_id,
    modelNo: r.model_no,
    maker: r.maker,
    name: r.name,
    quantity: Number(r.quantity),
    dailyPrice: Number(r.daily_price),
    monthlyPrice: Number(r.monthly_price),
  }));
}

export async function removeFromDraft(
  deps: ServiceDeps,
  userId: string,
  kind: DraftKind,
  productId: string,
): Promise<void> {
  await deps.db
    .deleteFrom("draft_lines")
    .where("user_id", "=", userId)
    .where("kind", "=", kind)
    .where("product_id", "=", productId)
    .execute();
}

/**
 * この見積で注文する and この内容で再注文: the user's order form (draft) replaced by an application's lines whose
 * products are still sold, in the application's line order, each line naming where it came from (`quote_id`
 * carries the quote's prices, `source_id` only the delivery and period). Retired (販売終了) lines are left out
 * and named; when every line is, nothing changes and `label` ("見積 Q-…", "O-…") names the application in
 * the refusal. Runs in the caller's transaction.
 */
export async function replaceOrderDraft(
  trx: DB,
  now: Date,
  userId: string,
  application: { id: string; label: string },
  origin: { quote_id: string | null; source_id: string | null },
): Promise<{ lines: number; replaced: number; retired: string[] }> {
  const lines = await trx
    .selectFrom("application_lines")
    .leftJoin("products", "products.id", "application_lines.product_id")
    .select([
      "application_lines.product_id",
      "application_lines.model_no",
      "application_lines.product_name",
      "application_lines.quantity",
      "products.active",
    ])
    .where("application_lines.application_id", "=", application.id)
    .orderBy("application_lines.line_no")
    .execute();
  const available = lines.filter((l) => Number(l.active) === 1);
  const retired = lines.filter((l) => Number(l.active) !== 1).map((l) => `${l.model_no} ${l.product_name}`);
  if (!available.length) {
    throw new DomainError(
      "VALIDATION",
      `${application.label} の商品はすべて販売終了のため、注文フォームに反映できません(${retired.join("、")})。`,
    );
  }
  const replaced = await trx
    .deleteFrom("draft_lines")
    .where("user_id", "=", userId)
    .where("kind", "=", "order")
    .executeTakeFirst();
  await trx
    .insertInto("draft_lines")
    .values(
      available.map((l, i) => ({
        id: newId(),
        user_id: userId,
        kind: "order" as const,
        product_id: l.product_id,
        quantity: l.quantity,
        // Keeps the application's line order in the form (the draft is ordered by created_at).
        created_at: iso(new Date(now.getTime() + i)),
        ...origin,
      })),
    )
    .execute();
  return { lines: available.length, replaced: Number(replaced.numDeletedRows), retired };
}
