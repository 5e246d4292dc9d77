import { sql } from "kysely";
import type { DB } from "../../../db";
import { formatDate, tokyoDateString } from "../../lib/format";
import type { ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { type Actor, deliveryOf } from "./applications";
import { replaceOrderDraft } from "./drafts";

/**
 * この見積で注文する (SPEC §6): an answered quote, while today (Japan) is on or before its 有効期限, fills the
 * account user's order form — its draft — with the quote's lines. The draft lines carry the quote's id, so the
 * order placed from them refers to the quote (applications.quote_id) and staff see the quoted prices.
 *
 * - Lines already in the order form are replaced (the detail page says so beside the button, the flash after).
 * - A line whose product was retired (販売終了) is left out and named in the answer; when every line is, nothing
 *   changes and the customer is told why.
 * - Any user of the quote's account may do it; another account's quote is not found.
 */

/** Whether a quote's prices still hold on `today` ("YYYY-MM-DD", Japan). */
export function quoteValid(a: { answered_at: string | null; valid_until: string | null }, today: string): boolean {
  return a.answered_at !== null && a.valid_until !== null && today <= a.valid_until;
}

async function ownQuote(db: DB, accountId: string, number: string) {
  const quote = await db
    .selectFrom("applications")
    .selectAll()
    .where("account_id", "=", accountId)
    .where("number", "=", number)
    // A literal, so that SQLite keeps the statement prepared (a partial index's value; decision 019).
    .where("kind", "=", sql.lit("quote"))
    .executeTakeFirst();
  if (!quote) throw new DomainError("NOT_FOUND", "指定された見積は見つかりません。");
  return quote;
}

export interface OrderFromQuoteResult {
  quoteNumber: string;
  /** Lines put in the order form. */
  lines: number;
  /** Lines the order form had before, now replaced. */
  replaced: number;
  /** Quote lines left out because their product was retired (販売終了): "型番 商品名". */
  retired: string[];
}

export async function orderFromQuote(deps: ServiceDeps, actor: Actor, number: string): Promise<OrderFromQuoteResult> {
  return deps.db.transaction().execute(async (trx) => {
    const quote = await ownQuote(trx, actor.accountId, number);
    if (!quote.answered_at || !quote.valid_until) {
      throw new DomainError("VALIDATION", `見積 ${number} はまだ回答されていません。回答をお待ちください。`);
    }
    if (!quoteValid(quote, tokyoDateString(deps.clock.now()))) {
      throw new DomainError(
        "VALIDATION",
        `見積 ${number} は有効期限(${formatDate(quote.valid_until)})を過ぎているため、この見積では注文できません。お手数ですが、見積を依頼し直してください。`,
      );
    }
    const filled = await replaceOrderDraft(
      trx,
      deps.clock.now(),
      actor.userId,
      { id: quote.id, label: `見積 ${number}` },
      { quote_id: quote.id, source_id: null },
    );
    return { quoteNumber: number, ...filled };
  });
}

/**
 * The quote the user's order form was filled from, if a line of it still comes from one: what the form
 * starts with (period, delivery; the start date only while it is not past) and the quoted unit prices.
 */
export async function draftQuote(deps: ServiceDeps, actor: Actor) {
  const line = await deps.db
    .selectFrom("draft_lines")
    .select("quote_id")
    .where("user_id", "=", actor.userId)
    .where("kind", "=", "order")
    .where("quote_id", "is not", null)
    .executeTakeFirst();
  if (!line?.quote_id) return null;
  const quote = await deps.db
    .selectFrom("applications")
    .selectAll()
    .where("id", "=", line.quote_id)
    .where("account_id", "=", actor.accountId)
    .executeTakeFirst();
  if (!quote) return null;
  const prices = await quotedPrices(deps.db, quote.id);
  const today = tokyoDateString(deps.clock.now());
  return {
    number: quote.number,
    validUntil: quote.valid_until,
    valid: quoteValid(quote, today),
    startDate: quote.start_date && quote.start_date >= today ? quote.start_date : "",
    period: quote.period,
    periodUnit: quote.period_unit,
    delivery: deliveryOf(quote),
    unitPrices: Object.fromEntries(prices),
  };
}

/** A quote's 単価 per product (null on a line not priced). */
export async function quotedPrices(db: DB, quoteId: string): Promise<Map<string, number | null>> {
  const lines = await db
    .selectFrom("application_lines")
    .select(["product_id", "unit_price"])
    .where("application_id", "=", quoteId)
    .execute();
  return new Map(lines.map((l) => [l.product_id, l.unit_price]));
}

/**
 * The quote an order being submitted refers to: the one that filled a line of the draft the user is
 * submitting (one of `productIds`), if any. Read in the order's transaction.
 */
export async function quoteOfSubmission(trx: DB, actor: Actor, productIds: string[]): Promise<string | null> {
  if (!productIds.length) return null;
  const line = await trx
    .selectFrom("draft_lines")
    .innerJoin("applications", "applications.id", "draft_lines.quote_id")
    .select("draft_lines.quote_id")
    .where("draft_lines.user_id", "=", actor.userId)
    .where("draft_lines.kind", "=", "order")
    .where("draft_lines.product_id", "in", productIds)
    .where("applications.account_id", "=", actor.accountId)
    .executeTakeFirst();
  return line?.quote_id ?? null;
}
