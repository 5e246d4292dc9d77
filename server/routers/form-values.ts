import { z } from "zod";
import { id } from "./shared";

/**
 * Forms send what the user typed, as text; here it becomes numbers and dates, with Japanese messages
 * that name the field. One owner per rule:
 * - the router (these schemas) reads the text: blank, not a number, not a date. Full-width digits typed
 *   with a Japanese IME are read as digits ("３" → 3, NFKC), since refusing them only makes the user
 *   retype the same number;
 * - the services keep the rules (数量 1〜99, the period per unit, at most what is still on rent, dates
 *   from today…) and check them in one pass with the rest of the form, inside their transactions, so one
 *   answer lists every field's problem. A decimal or negative number therefore passes here and is
 *   refused there, with the limits in its message.
 */

/** Full-width digits, signs and spaces become half-width, and the spaces around go. */
export function normalizeTyped(text: string): string {
  return text.normalize("NFKC").trim();
}

export type Read<T> = { ok: true; value: T } | { ok: false; message: string };

const required = (label: string) => `${label}を入力してください。`;
const notNumber = (label: string) => `${label}は数字で入力してください。`;
const DECIMAL = /^[+-]?\d+(\.\d+)?$/;

/**
 * A number typed into a form, or sent as a number by a program. A blank is `blank` when the form gives
 * it a meaning (解約数量: none), else the "please enter" message. NaN counts as blank.
 */
export function readNumber(value: unknown, label: string, blank?: number): Read<number> {
  const isBlank =
    value === undefined || value === null || Number.isNaN(value) || (typeof value === "string" && !value.trim());
  if (isBlank) return blank === undefined ? { ok: false, message: required(label) } : { ok: true, value: blank };
  if (typeof value === "number")
    return Number.isFinite(value) ? { ok: true, value } : { ok: false, message: notNumber(label) };
  const text = typeof value === "string" ? normalizeTyped(value) : "";
  if (!DECIMAL.test(text)) return { ok: false, message: notNumber(label) };
  return { ok: true, value: Number(text) };
}

const DATE = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/;

/**
 * A date typed into a form: "2026-04-01" (what a date input sends), also "2026/4/1", "2026年4月1日" or
 * full-width digits → "2026-04-01". A blank stays blank (whether the date is required is the service's
 * rule); text that is no date, or a day the calendar does not have, is refused.
 */
export function readDate(value: string, label: string): Read<string> {
  const text = normalizeTyped(value);
  if (!text) return { ok: true, value: "" };
  const m = DATE.exec(text);
  if (!m) return { ok: false, message: `${label}は年-月-日(例: 2026-04-01)の形式で入力してください。` };
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    return { ok: false, message: `${label}に正しい日付を入力してください。` };
  }
  return { ok: true, value: date.toISOString().slice(0, 10) };
}

/** What a number field accepts: the form's text, or a number from a program. */
const numberOrText = (label: string) =>
  z.union([z.string(), z.number()], {
    error: (issue) => (issue.input === undefined || issue.input === null ? required(label) : notNumber(label)),
  });

/** A top-level number field (addToDraft's 数量, レンタル期間). */
export function numberField(label: string) {
  return numberOrText(label).transform((value, ctx) => {
    const read = readNumber(value, label);
    if (read.ok) return read.value;
    ctx.addIssue({ code: "custom", message: read.message, input: value });
    return z.NEVER;
  });
}

/** A number field that may stay blank (read as 0): 延長期間, used instead of a date. */
export function optionalNumberField(label: string) {
  return z
    .union([z.string(), z.number()], notNumber(label))
    .optional()
    .transform((value, ctx) => {
      const read = readNumber(value, label, 0);
      if (read.ok) return read.value;
      ctx.addIssue({ code: "custom", message: read.message, input: value });
      return z.NEVER;
    });
}

/**
 * Field keys for values below the top level. A form names a line's input by its id (`qty.<productId>`,
 * `qty.<rentalLineId>`), as the services key their messages; an issue raised here carries that name in
 * `params.field`, which fieldErrorsOf (../trpc/field-errors.ts) uses instead of the path.
 */
export const lineField = (lineId: string) => `qty.${lineId}`;

/** The lines of a quote request or order: product and 数量 (form field `qty.<productId>`). */
export const quantityLines = z
  .array(
    z.object({ productId: id, quantity: numberOrText("数量") }).transform((line, ctx) => {
      const read = readNumber(line.quantity, "数量");
      if (read.ok) return { productId: line.productId, quantity: read.value };
      ctx.addIssue({
        code: "custom",
        message: read.message,
        path: ["quantity"],
        params: { field: lineField(line.productId) },
        input: line.quantity,
      });
      return z.NEVER;
    }),
  )
  .max(100, "一度にお申し込みいただける商品の数を超えています。");

/** 解約数量 per rental line (form field `qty.<rentalLineId>`); a blank is 0, as the form shows it. */
export const quantitiesByLine = z.record(id, numberOrText("解約数量")).transform((byLine, ctx) => {
  const out: [string, number][] = [];
  for (const [lineId, value] of Object.entries(byLine)) {
    const read = readNumber(value, "解約数量", 0);
    if (read.ok) out.push([lineId, read.value]);
    else {
      ctx.addIssue({ code: "custom", message: read.message, path: [lineId], params: { field: lineField(lineId) } });
    }
  }
  return Object.fromEntries(out);
});

/** A date field whose blank the service judges (レンタル開始日, 返却希望日). */
export function dateField(label: string) {
  return z.string(required(label)).transform((value, ctx) => {
    const read = readDate(value, label);
    if (read.ok) return read.value;
    ctx.addIssue({ code: "custom", message: read.message, input: value });
    return z.NEVER;
  });
}

/** An optional date of a filter (申込履歴 期間): a blank means no bound. */
export function filterDateField(label: string) {
  return z
    .string()
    .optional()
    .transform((value, ctx) => {
      const read = readDate(value ?? "", label);
      if (read.ok) return read.value || undefined;
      ctx.addIssue({ code: "custom", message: read.message, input: value });
      return z.NEVER;
    });
}

/**
 * A text field, capped against abuse well above its limit (code units, four per character). The
 * service counts characters and owns the limit; the cap's message says the same limit. Its characters
 * were checked before this runs (../trpc/input-characters.ts): no control characters, and no line
 * break unless the form field's name is listed as a textarea there (MULTI_LINE_FIELDS: 備考 `notes`, 見積回答の `comment`).
 */
export function textField(rule: { label: string; max: number }) {
  return z.string(required(rule.label)).max(rule.max * 4, `${rule.label}は${rule.max}文字以内で入力してください。`);
}
