import { z } from "zod";
import { LIMITS as DELIVERY_LIMITS } from "../services/ordering/templates";
import { dateField, numberField, optionalNumberField, quantitiesByLine, quantityLines, textField } from "./form-values";
import { id } from "./shared";

/** Input pieces shared by the ordering routers (applications, templates, rentals). */
export const kind = z.enum(["quote", "order"]);
export const delivery = z.object({
  company: textField(DELIVERY_LIMITS.company),
  department: textField(DELIVERY_LIMITS.department),
  person: textField(DELIVERY_LIMITS.person),
  postalCode: textField(DELIVERY_LIMITS.postalCode),
  address: textField(DELIVERY_LIMITS.address),
  building: textField(DELIVERY_LIMITS.building),
  phone: textField(DELIVERY_LIMITS.phone),
});
export const templateName = textField(DELIVERY_LIMITS.name);

/** A textarea: the one kind of field that keeps tabs and line breaks (MULTI_LINE_FIELDS, ../trpc/input-characters.ts). */
const notes = textField({ label: "備考", max: 1000 });
/** Made when the form was shown; a hidden field, so its messages are the safety net's. */
const idempotencyKey = z.string().max(64);

/** 見積依頼 / 注文: what the form typed, as text (numbers from programs too); the rules are the service's. */
export const applicationInput = z.object({
  kind,
  lines: quantityLines,
  startDate: dateField("レンタル開始日"),
  periodUnit: z.enum(["day", "month"], "レンタル期間の単位を選んでください。"),
  period: numberField("レンタル期間"),
  delivery,
  notes,
  poNumber: textField({ label: "注文番号(PO)", max: 50 }),
  idempotencyKey,
});

/**
 * 延長申込: 全ての商品を延長 or 一部の商品を延長 (the rental lines picked; the service says which may be), 延長後の
 * 返却予定日 or instead 延長期間 in 日 / か月, and 備考.
 */
export const extensionInput = z.object({
  rentalId: id,
  mode: z.enum(["all", "partial"], "延長する商品を選んでください。").default("all"),
  lineIds: z.array(id).max(500).default([]),
  endDate: dateField("延長後の返却予定日"),
  addPeriod: optionalNumberField("延長期間"),
  addUnit: z.enum(["day", "month"], "単位を選択してください。").default("day"),
  notes,
  idempotencyKey,
});

/** 解約 / 一部解約: 解約数量 per rental line (blank = 0) and 返却希望日. */
export const cancellationInput = z.object({
  rentalId: id,
  mode: z.enum(["all", "partial"], "解約する商品を選んでください。"),
  quantities: quantitiesByLine,
  returnDate: dateField("返却希望日"),
  notes,
  idempotencyKey,
});
