import type { ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { type Actor, deliveryOf } from "./applications";
import { replaceOrderDraft } from "./drafts";

/**
 * この内容で再注文 (issue 14, SPEC §3): any order or quote of the account in 申込履歴 fills the user's order form —
 * its draft — with the same products and quantities; the form then starts with that application's delivery and
 * period (the start date is the customer's to choose again). Prices are today's catalog prices: a reorder is a
 * new order, not the quote's (この見積で注文する is for that).
 *
 * - Lines already in the order form are replaced (the detail page says so beside the button, the flash after).
 * - A line whose product was retired (販売終了) is left out and named; when every line is, nothing changes.
 * - Any user of the account may do it; another account's application is not found; a cancellation
 *   (解約申込) has no products to order again.
 */
export interface ReorderResult {
  number: string;
  /** Lines put in the order form. */
  lines: number;
  /** Lines the order form had before, now replaced. */
  replaced: number;
  /** Lines left out because their product was retired (販売終了): "型番 商品名". */
  retired: string[];
}

export async function reorder(deps: ServiceDeps, actor: Actor, number: string): Promise<ReorderResult> {
  return deps.db.transaction().execute(async (trx) => {
    const source = await trx
      .selectFrom("applications")
      .select(["id", "kind"])
      .where("account_id", "=", actor.accountId)
      .where("number", "=", number)
      .executeTakeFirst();
    if (!source) throw new DomainError("NOT_FOUND", "指定されたお申し込みは見つかりません。");
    if (source.kind === "cancellation" || source.kind === "extension") {
      const what = source.kind === "cancellation" ? "解約" : "延長";
      throw new DomainError("VALIDATION", `${number} は${what}のお申し込みのため、再注文できません。`);
    }
    const filled = await replaceOrderDraft(
      trx,
      deps.clock.now(),
      actor.userId,
      { id: source.id, label: number },
      {
        quote_id: null,
        source_id: source.id,
      },
    );
    return { number, ...filled };
  });
}

/**
 * The application the user's order form was filled from by この内容で再注文, while a line of it is still there:
 * what the form starts with (its delivery and period).
 */
export async function draftSource(deps: ServiceDeps, actor: Actor) {
  const line = await deps.db
    .selectFrom("draft_lines")
    .select("source_id")
    .where("user_id", "=", actor.userId)
    .where("kind", "=", "order")
    .where("source_id", "is not", null)
    .executeTakeFirst();
  if (!line?.source_id) return null;
  const source = await deps.db
    .selectFrom("applications")
    .selectAll()
    .where("id", "=", line.source_id)
    .where("account_id", "=", actor.accountId)
    .executeTakeFirst();
  if (!source) return null;
  return {
    number: source.number,
    period: source.period,
    periodUnit: source.period_unit,
    delivery: deliveryOf(source),
  };
}
