/**
 * Money of a quote request or an order (SPEC §3): 金額 per line, then 小計, 消費税 and 合計.
 * The one place of the rates and the rounding (docs/decisions/017-money.md):
 *
 * - A line priced from the catalog costs 日額 or 月額 (by the rental's unit) × 数量 × レンタル期間. It is an
 *   estimate (概算): staff confirm the final price when they arrange the order.
 * - A line priced by a quote answer (見積回答) costs 単価 × 数量: the quoted 単価 is for the whole rental.
 * - 消費税 is computed once per rate on the sum of that rate's lines, rounded down to the yen
 *   (適格請求書: one rounding per rate and document, never per line). Renting equipment is taxed at the
 *   standard rate; a reduced rate would be one more entry of TAX_RATES and a line's `taxRate`.
 *
 * Pure: no database, no clock. The order form imports it too, to update its estimate as the user types;
 * what the server computes (confirmation step, detail page, mail) is what counts.
 */

export type PeriodUnit = "day" | "month";

/** 消費税率 in percent, by name. Prices in the catalog and in quote answers are before tax (税抜). */
export const TAX_RATES = { standard: 10 } as const;
export type TaxRate = keyof typeof TAX_RATES;

export interface LinePrice {
  /** Yen, before tax. */
  unitPrice: number;
  /** What 単価 is for: a day or a month of the rental (catalog), or the whole rental (a quote's 単価). */
  per: PeriodUnit | "rental";
  /** True where staff confirm the final price (概算). */
  estimate: boolean;
  taxRate: TaxRate;
}

/** A catalog line: 日額 for a rental in days, 月額 for one in months; an estimate. */
export function catalogPrice(product: { dailyPrice: number; monthlyPrice: number }, unit: PeriodUnit): LinePrice {
  return {
    unitPrice: unit === "day" ? product.dailyPrice : product.monthlyPrice,
    per: unit,
    estimate: true,
    taxRate: "standard",
  };
}

/** A line priced by a quote answer: 単価 for the whole rental, final. */
export function quotedPrice(unitPrice: number): LinePrice {
  return { unitPrice, per: "rental", estimate: false, taxRate: "standard" };
}

/** 金額 of a line in yen; null when the line has no price (filed before prices were kept). */
export function lineAmount(price: LinePrice | null, quantity: number, period: number): number | null {
  if (!price) return null;
  return price.per === "rental" ? price.unitPrice * quantity : price.unitPrice * quantity * period;
}

export interface TaxLine {
  ratePercent: number;
  /** The sum of the lines at this rate. */
  taxable: number;
  tax: number;
}

export interface MoneySummary {
  subtotal: number;
  taxes: TaxLine[];
  tax: number;
  total: number;
  /** Some line is an estimate: the totals are 概算. */
  estimate: boolean;
  /** Every line has a price; when false the totals cover only the priced lines and are not shown. */
  complete: boolean;
}

/** 消費税 of one rate's total, rounded down to the yen. Integer arithmetic: no floating-point cents. */
export function taxOn(taxable: number, ratePercent: number): number {
  return Math.floor((taxable * ratePercent) / 100);
}

export function summarize(lines: { amount: number | null; price: LinePrice | null }[]): MoneySummary {
  const byRate = new Map<number, number>();
  let subtotal = 0;
  for (const l of lines) {
    if (l.amount === null || !l.price) continue;
    const rate = TAX_RATES[l.price.taxRate];
    byRate.set(rate, (byRate.get(rate) ?? 0) + l.amount);
    subtotal += l.amount;
  }
  const taxes = [...byRate.entries()]
    .sort(([a], [b]) => b - a)
    .map(([ratePercent, taxable]) => ({ ratePercent, taxable, tax: taxOn(taxable, ratePercent) }));
  const tax = taxes.reduce((sum, t) => sum + t.tax, 0);
  return {
    subtotal,
    taxes,
    tax,
    total: subtotal + tax,
    estimate: lines.some((l) => l.price?.estimate ?? false),
    complete: lines.length > 0 && lines.every((l) => l.amount !== null),
  };
}

/**
 * Yen with thousands separators: 12,800円 (pages, mails and messages alike). A whole number is grouped here,
 * as `toLocaleString("ja-JP")` groups it (three digits a comma, the sign in front), at a quarter of its cost: a
 * page of search results shows 40 amounts (docs/benchmarks.md). Anything else goes to `toLocaleString`.
 */
export function yen(value: number): string {
  return `${Number.isSafeInteger(value) ? groupedInteger(value) : value.toLocaleString("ja-JP")}円`;
}

function groupedInteger(value: number): string {
  const digits = String(Math.abs(value));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let i = grouped.length; i < digits.length; i += 3) grouped += `,${digits.slice(i, i + 3)}`;
  return value < 0 ? `-${grouped}` : grouped;
}

/** 単価 in words: "3,000円/日", "50,000円/月", "120,000円" (a quote's, for the whole rental). */
export function unitPriceLabel(price: LinePrice): string {
  const amount = yen(price.unitPrice);
  return price.per === "day" ? `${amount}/日` : price.per === "month" ? `${amount}/月` : amount;
}

/**
 * A filed line's price: the quoted 単価 when it has one (a quote answer, or an order placed from a quote whose
 * prices held), else the catalog price it was filed at (an estimate), else none (filed before prices were kept).
 */
export function storedPrice(line: {
  unitPrice: number | null;
  listPrice: number | null;
  periodUnit: PeriodUnit | null;
}): LinePrice | null {
  if (line.unitPrice !== null) return quotedPrice(line.unitPrice);
  if (line.listPrice !== null && line.periodUnit) {
    return { unitPrice: line.listPrice, per: line.periodUnit, estimate: true, taxRate: "standard" };
  }
  return null;
}
