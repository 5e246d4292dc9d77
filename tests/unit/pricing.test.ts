import { describe, expect, it } from "vitest";
import { MAX_LINES, MAX_QUANTITY } from "../../server/services/ordering/drafts";
import {
  catalogPrice,
  lineAmount,
  quotedPrice,
  storedPrice,
  summarize,
  TAX_RATES,
  taxOn,
  unitPriceLabel,
  yen,
} from "../../server/services/ordering/pricing";

const product = { dailyPrice: 3_000, monthlyPrice: 50_000 };
const line = (price: ReturnType<typeof catalogPrice> | null, quantity: number, period: number) => ({
  price,
  amount: lineAmount(price, quantity, period),
});

describe("金額 of a line", () => {
  it("a catalog line costs 日額 × 数量 × days, or 月額 × 数量 × months, and is an estimate", () => {
    expect(lineAmount(catalogPrice(product, "day"), 2, 10)).toBe(60_000);
    expect(lineAmount(catalogPrice(product, "month"), 2, 3)).toBe(300_000);
    expect(catalogPrice(product, "month").estimate).toBe(true);
  });

  it("a quoted 単価 is for the whole rental: 単価 × 数量, whatever the period, and final", () => {
    expect(lineAmount(quotedPrice(12_000), 2, 6)).toBe(24_000);
    expect(quotedPrice(12_000).estimate).toBe(false);
  });

  it("a line without a price has no 金額", () => {
    expect(lineAmount(null, 2, 3)).toBeNull();
  });

  it("単価 in words says what it is for", () => {
    expect(unitPriceLabel(catalogPrice(product, "day"))).toBe("3,000円/日");
    expect(unitPriceLabel(catalogPrice(product, "month"))).toBe("50,000円/月");
    expect(unitPriceLabel(quotedPrice(120_000))).toBe("120,000円");
  });
});

describe("小計, 消費税 and 合計", () => {
  it("消費税 is 10% of the total, rounded down once — not per line", () => {
    // Per line: 105 → 10 (10.5 rounded down), twice = 20. On the total: 210 → 21.
    const money = summarize([line(quotedPrice(105), 1, 1), line(quotedPrice(105), 1, 1)]);
    expect(money).toMatchObject({ subtotal: 210, tax: 21, total: 231, estimate: false, complete: true });
    expect(money.taxes).toEqual([{ ratePercent: TAX_RATES.standard, taxable: 210, tax: 21 }]);
  });

  it("rounds down, never up", () => {
    expect(taxOn(999, 10)).toBe(99);
    expect(taxOn(1_009, 10)).toBe(100);
    expect(taxOn(0, 10)).toBe(0);
  });

  it("any catalog-priced line makes the totals 概算", () => {
    const money = summarize([line(quotedPrice(12_000), 2, 3), line(catalogPrice(product, "month"), 1, 3)]);
    expect(money).toMatchObject({ subtotal: 24_000 + 150_000, tax: 17_400, total: 191_400, estimate: true });
  });

  it("totals are not complete while a line has no 金額 (or there are no lines)", () => {
    expect(summarize([line(catalogPrice(product, "day"), 1, 1), { price: null, amount: null }]).complete).toBe(false);
    expect(summarize([]).complete).toBe(false);
  });

  it("the largest order stays exact in whole yen", () => {
    const priciest = { dailyPrice: 99_999_999, monthlyPrice: 99_999_999 };
    const lines = Array.from({ length: MAX_LINES }, () => line(catalogPrice(priciest, "month"), MAX_QUANTITY, 36));
    const money = summarize(lines);
    expect(Number.isSafeInteger(money.total)).toBe(true);
    expect(money.subtotal).toBe(99_999_999 * MAX_QUANTITY * 36 * MAX_LINES);
    expect(money.tax).toBe(Math.floor(money.subtotal / 10));
  });
});

describe("a filed line's price", () => {
  it("is the quoted 単価 when there is one, else the catalog price it was filed at, else none", () => {
    expect(storedPrice({ unitPrice: 8_000, listPrice: 3_000, periodUnit: "day" })).toEqual(quotedPrice(8_000));
    expect(storedPrice({ unitPrice: null, listPrice: 3_000, periodUnit: "day" })).toEqual(catalogPrice(product, "day"));
    expect(storedPrice({ unitPrice: null, listPrice: null, periodUnit: "month" })).toBeNull();
  });
});

describe("yen", () => {
  it("groups whole numbers as toLocaleString('ja-JP') does", () => {
    expect(yen(0)).toBe("0円");
    expect(yen(800)).toBe("800円");
    expect(yen(1_000)).toBe("1,000円");
    expect(yen(12_800)).toBe("12,800円");
    expect(yen(-12_800)).toBe("-12,800円");
    expect(yen(Number.MAX_SAFE_INTEGER)).toBe("9,007,199,254,740,991円");
    for (let digits = 1; digits <= 16; digits++) {
      for (const value of [10 ** (digits - 1), 10 ** digits - 1, Math.floor(10 ** digits / 7), -(10 ** digits - 3)]) {
        if (Number.isSafeInteger(value)) expect(yen(value)).toBe(`${value.toLocaleString("ja-JP")}円`);
      }
    }
  });

  it("leaves anything but a whole number to toLocaleString", () => {
    expect(yen(1234.5)).toBe("1,234.5円");
    expect(yen(2 ** 60)).toBe(`${(2 ** 60).toLocaleString("ja-JP")}円`);
  });
});
