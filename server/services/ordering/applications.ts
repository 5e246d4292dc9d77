import { sql } from "kysely";
import { type DB, isUniqueViolation } from "../../../db";
import type { ApplicationKind, ApplicationTable } from "../../../db/schema";
import { iso } from "../../lib/clock";
import { newId } from "../../lib/crypto";
import { tokyoDateString } from "../../lib/format";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { MAX_LINES, MAX_QUANTITY } from "./drafts";
import { catalogPrice, type LinePrice, lineAmount, quotedPrice, summarize } from "./pricing";
import { quotedPrices, quoteOfSubmission, quoteValid } from "./quote-orders";
import { notifyNewApplication } from "./staff-notify";
import { type DeliveryFields, validateDelivery } from "./templates";

export const KIND_LABEL: Record<ApplicationKind, string> = {
  quote: "見積",
  order: "注文",
  cancellation: "解約",
  extension: "延長",
};
const PREFIX: Record<ApplicationKind, string> = { quote: "Q", order: "O", cancellation: "C", extension: "E" };

export interface Actor {
  userId: string;
  accountId: string;
}

/**
 * The next number of a kind in this (Japanese) year — "O-2026-000001" — taken in the application's
 * transaction, so numbers are unique and without gaps (a rolled-back application gives its number back).
 */
export async function nextNumber(trx: DB, kind: ApplicationKind, now: Date): Promise<string> {
  const year = Number(tokyoDateString(now).slice(0, 4));
  const row = await trx
    .insertInto("number_sequences")
    .values({ kind, year, last_value: 1 })
    .onConflict((oc) =>
      oc.columns(["kind", "year"]).doUpdateSet({ last_value: sql<number>`number_sequences.last_value + 1` }),
    )
    .returning(["last_value"])
    .executeTakeFirstOrThrow();
  return `${PREFIX[kind]}-${year}-${String(row.last_value).padStart(6, "0")}`;
}

export interface ApplicationInput {
  kind: "quote" | "order";
  lines: { productId: string; quantity: number }[];
  startDate: string;
  periodUnit: "day" | "month";
  period: number;
  delivery: DeliveryFields;
  notes: string;
  poNumber: string;
  /** Made when the form was shown: a double click or a resend submits the same key. */
  idempotencyKey: string;
}

export const PERIOD_MAX = { day: 365, month: 36 } as const;

/**
 * Every rule of a quote request / order; returns the normalised input, each line's price and 金額 and the
 * totals (pricing.ts), or throws with messages per field. `actor` is who submits: an order placed from a
 * quote (この見積で注文する) is priced at the quote's 単価 while its 有効期限 holds.
 */
export async function validateApplication(deps: ServiceDeps, actor: Actor, input: ApplicationInput, db: DB = deps.db) {
  const errors: Record<string, string[]> = {};
  const lines = input.lines.filter((l) => l.quantity !== 0);
  if (!lines.length) errors.lines = ["商品を1つ以上選んでください。"];
  if (lines.length > MAX_LINES) errors.lines = [`1回のお申し込みに含められる商品は${MAX_LINES}種類までです。`];
  for (const line of lines) {
    if (!Number.isInteger(line.quantity) || line.quantity < 1 || line.quantity > MAX_QUANTITY) {
      errors[`qty.${line.productId}`] = [`数量は1〜${MAX_QUANTITY}の整数で入力してください。`];
    }
  }
  const products = lines.length
    ? await db
        .selectFrom("products")
        .select(["id", "model_no", "name", "daily_price", "monthly_price"])
        .where(
          "id",
          "in",
          lines.map((l) => l.productId),
        )
        .where("active", "=", 1)
        .execute()
    : [];
  const byId = new Map(products.map((p) => [p.id, p]));
  for (const line of lines) {
    if (!byId.has(line.productId)) errors[`qty.${line.productId}`] = ["この商品は現在お申し込みいただけません。"];
  }

  const today = tokyoDateString(deps.clock.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.startDate) || Number.isNaN(Date.parse(input.startDate))) {
    errors.startDate = ["レンタル開始日を入力してください。"];
  } else if (input.startDate < today) {
    errors.startDate = ["レンタル開始日には本日以降の日付を指定してください。"];
  } else if (input.startDate > `${Number(today.slice(0, 4)) + 1}${today.slice(4)}`) {
    errors.startDate = ["レンタル開始日は1年以内の日付を指定してください。"];
  }
  const max = PERIOD_MAX[input.periodUnit];
  if (!max) errors.period = ["レンタル期間の単位を選んでください。"];
  else if (!Number.isInteger(input.period) || input.period < 1 || input.period > max) {
    errors.period = [`レンタル期間は1〜${max}${input.periodUnit === "day" ? "日" : "か月"}で入力してください。`];
  }
  const delivery = validateDelivery(input.delivery, errors);
  const notes = input.notes.trim();
  if ([...notes].length > 1000) errors.notes = ["備考は1000文字以内で入力してください。"];
  const poNumber = input.poNumber.trim();
  if ([...poNumber].length > 50) errors.poNumber = ["注文番号(PO)は50文字以内で入力してください。"];
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(input.idempotencyKey)) errors._form = ["画面を開き直してからお申し込みください。"];
  if (Object.keys(errors).length) throw new DomainError("VALIDATION", "入力内容をご確認ください。", errors);
  const quote = input.kind === "order" ? await quoteInForce(deps, db, actor, lines) : null;
  const priced = lines.map((l) => {
    const p = byId.get(l.productId);
    const listPrice = catalogPrice(
      { dailyPrice: Number(p?.daily_price ?? 0), monthlyPrice: Number(p?.monthly_price ?? 0) },
      input.periodUnit,
    );
    const quoted = quote?.prices.get(l.productId);
    const price: LinePrice = typeof quoted === "number" ? quotedPrice(quoted) : listPrice;
    return {
      ...l,
      modelNo: p?.model_no ?? "",
      name: p?.name ?? "",
      listPrice: listPrice.unitPrice,
      quotedPrice: typeof quoted === "number" ? quoted : null,
      price,
      amount: lineAmount(price, l.quantity, input.period),
    };
  });
  return { lines: priced, money: summarize(priced), delivery, notes, poNumber, quoteId: quote?.id ?? null };
}

/**
 * The quote an order being filed comes from (この見積で注文する) and its 単価 per product, when its prices still
 * hold today (Japan); after 有効期限 the order is still taken, at catalog prices (docs/decisions/015).
 */
async function quoteInForce(deps: ServiceDeps, db: DB, actor: Actor, lines: { productId: string }[]) {
  const quoteId = await quoteOfSubmission(
    db,
    actor,
    lines.map((l) => l.productId),
  );
  if (!quoteId) return null;
  const quote = await db
    .selectFrom("applications")
    .select(["answered_at", "valid_until"])
    .where("id", "=", quoteId)
    .executeTakeFirst();
  const valid = quote ? quoteValid(quote, tokyoDateString(deps.clock.now())) : false;
  return { id: quoteId, prices: valid ? await quotedPrices(db, quoteId) : new Map<string, number | null>() };
}

/** The application a form (its idempotency key) already made, if any. */
async function byIdempotencyKey(db: DB, accountId: string, key: string) {
  return db
    .selectFrom("applications")
    .select(["id", "number"])
    .where("account_id", "=", accountId)
    .where("idempotency_key", "=", key)
    .executeTakeFirst();
}

/**
 * Submits a form at most once: the application its idempotency key already made, else the one
 * `create` makes (it validates, then stores in its own transaction). When a parallel submission of
 * the same form wins the race (the unique key), the answer is the winner's application.
 */
export async function submitOnce(
  deps: ServiceDeps,
  accountId: string,
  idempotencyKey: string,
  create: () => Promise<{ id: string; number: string }>,
): Promise<{ id: string; number: string; created: boolean }> {
  const existing = await byIdempotencyKey(deps.db, accountId, idempotencyKey);
  if (existing) return { ...existing, created: false };
  try {
    return { ...(await create()), created: true };
  } catch (error) {
    if (isUniqueViolation(error)) {
      const winner = await byIdempotencyKey(deps.db, accountId, idempotencyKey);
      if (winner) return { ...winner, created: false };
    }
    throw error;
  }
}

/** The delivery snapshot of an application, as the UI and intake see it. */
export function deliveryOf(a: ApplicationTable) {
  return {
    company: a.delivery_company,
    department: a.delivery_department,
    person: a.delivery_person,
    postalCode: a.delivery_postal_code,
    address: a.delivery_address,
    building: a.delivery_building,
    phone: a.delivery_phone,
  };
}

/**
 * Stores a quote request or order with its lines and a number, hands it to intake (the intake worker
 * picks it up and, once it accepts, mails the user: status-mails.ts), tells the company
 * (【新規申込】), and clears the draft. Idempotent per form: the same key returns the
 * same application.
 */
export async function submitApplication(
  deps: ServiceDeps,
  actor: Actor,
  input: ApplicationInput,
  meta: RequestMeta,
): Promise<{ id: string; number: string; created: boolean }> {
  return submitOnce(deps, actor.accountId, input.idempotencyKey, async () => {
    const now = deps.clock.now();
    const id = newId();
    const number = await deps.db.transaction().execute(async (trx) => {
      // Validated and priced inside the transaction: the prices stored are the ones checked.
      const v = await validateApplication(deps, actor, input, trx);
      const number = await nextNumber(trx, input.kind, now);
      await trx
        .insertInto("applications")
        .values({
          ...emptyApplication(id, number, actor, input.kind, input.idempotencyKey, now),
          start_date: input.startDate,
          period_unit: input.periodUnit,
          period: input.period,
          delivery_company: v.delivery.company,
          delivery_department: v.delivery.department,
          delivery_person: v.delivery.person,
          delivery_postal_code: v.delivery.postalCode,
          delivery_address: v.delivery.address,
          delivery_building: v.delivery.building,
          delivery_phone: v.delivery.phone,
          notes: v.notes,
          po_number: v.poNumber,
          // この見積で注文する: the quote that filled the order form (read before the draft is cleared below).
          quote_id: v.quoteId,
        })
        .execute();
      await trx
        .insertInto("application_lines")
        .values(
          v.lines.map((l, i) => ({
            id: newId(),
            application_id: id,
            line_no: i + 1,
            product_id: l.productId,
            model_no: l.modelNo,
            product_name: l.name,
            quantity: l.quantity,
            rental_line_id: null,
            list_price: l.listPrice,
            unit_price: l.quotedPrice,
          })),
        )
        .execute();
      await trx.deleteFrom("draft_lines").where("user_id", "=", actor.userId).where("kind", "=", input.kind).execute();
      await notifyNewApplication(deps, trx, number);
      await recordAudit(trx, deps.clock, actor, meta, `application.${input.kind}`, { target: number });
      return number;
    });
    return { id, number };
  });
}

export function emptyApplication(
  id: string,
  number: string,
  actor: Actor,
  kind: ApplicationKind,
  idempotencyKey: string,
  now: Date,
): ApplicationTable {
  return {
    id,
    number,
    account_id: actor.accountId,
    user_id: actor.userId,
    kind,
    intake_status: "pending",
    intake_error: null,
    intake_attempts: 0,
    intake_next_attempt_at: iso(now),
    intake_locked_until: null,
    arranged_at: null,
    arranged_by: null,
    start_date: null,
    period_unit: null,
    period: null,
    return_date: null,
    rental_id: null,
    delivery_company: "",
    delivery_department: "",
    delivery_person: "",
    delivery_postal_code: "",
    delivery_address: "",
    delivery_building: "",
    delivery_phone: "",
    notes: "",
    po_number: "",
    idempotency_key: idempotencyKey,
    created_at: iso(now),
    answered_at: null,
    answered_by: null,
    requested_end_date: null,
    previous_end_date: null,
    confirmed_at: null,
    confirmed_by: null,
    valid_until: null,
    answer_comment: null,
    returned_at: null,
    returned_by: null,
    quote_id: null,
  };
}
