import { describe, expect, it } from "vitest";
import type { DocumentData } from "../../server/services/documents/data";
import { documentFilename, documentKindsOf } from "../../server/services/documents/kinds";
import { renderDocumentPdf } from "../../server/services/documents/pdf";
import {
  catalogPrice,
  lineAmount,
  quotedPrice,
  summarize,
  unitPriceLabel,
} from "../../server/services/ordering/pricing";
import { pdfText } from "../support/pdf-text";

/** A 見積書 of `n` lines: 単価 12,000円 + i, 数量 1–5 (as the documents service hands it to the renderer). */
function quote(n: number, overrides: Partial<DocumentData> = {}): DocumentData {
  const lines = Array.from({ length: n }, (_, i) => {
    const price = quotedPrice(12000 + i);
    const quantity = 1 + (i % 5);
    return {
      price,
      line: {
        lineNo: i + 1,
        modelNo: `LX-${String(i + 1).padStart(3, "0")}`,
        productName: i === 0 ? "髙﨑製 デジタル・マルチメータ ① 長い名前が折り返されても表に収まること" : "ロガー",
        quantity,
        unitPriceLabel: unitPriceLabel(price),
        amount: lineAmount(price, quantity, 1),
        taxRatePercent: 10,
      },
    };
  });
  return {
    kind: "quote",
    title: "見積書",
    filename: "見積書_Q-2026-000123.pdf",
    number: "Q-2026-000123",
    issuedOn: "2026-04-01",
    issuedAt: "2026-04-01T01:00:00.000Z",
    customer: { company: "アクメ計測株式会社", person: "山田 太郎" },
    issuer: {
      name: "東都レンタル株式会社",
      address: "〒105-0011 東京都港区芝公園1-2-3",
      phone: "03-5555-0101",
      registrationNumber: "T1234567890123",
    },
    lead: "下記のとおりお見積り申し上げます。",
    totalLabel: "御見積金額",
    details: [{ label: "有効期限", value: "2026/04/30" }],
    lines: lines.map((l) => l.line),
    money: summarize(lines.map((l) => ({ amount: l.line.amount, price: l.price }))),
    notes: [{ label: "コメント", text: "送料込みの価格です。" }],
    ...overrides,
  };
}

describe("the PDF of a document", () => {
  it("is a PDF whose text has the title, number, date, customer, issuer, 登録番号, every line and the totals", async () => {
    const data = quote(3);
    const bytes = await renderDocumentPdf(data);
    expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const { flat, pages } = await pdfText(bytes);
    expect(pages).toBe(1);
    // 12,000 × 1 + 12,001 × 2 + 12,002 × 3 = 72,008円; 消費税 7,200円 (rounded down); 合計 79,208円.
    expect([data.money.subtotal, data.money.tax, data.money.total]).toEqual([72008, 7200, 79208]);
    for (const part of [
      "見積書",
      "No.Q-2026-000123",
      "発行日2026/04/01",
      "アクメ計測株式会社御中",
      "山田太郎様",
      "御見積金額79,208円(税込)",
      "東都レンタル株式会社",
      "〒105-0011東京都港区芝公園1-2-3",
      "TEL03-5555-0101",
      "登録番号T1234567890123",
      "有効期限2026/04/30",
      "No.型番・品名数量単価金額税率",
      "1LX-001髙﨑製デジタル・マルチメータ①",
      "2LX-002ロガー212,001円24,002円10%",
      "3LX-003ロガー312,002円36,006円10%",
      "小計72,008円",
      "消費税(10%)7,200円",
      "合計79,208円",
      "内訳10%対象72,008円(消費税7,200円)",
      "送料込みの価格です。",
      "見積書Q-2026-0001231/1",
    ]) {
      expect(flat).toContain(part);
    }
  });

  it("embeds only a subset of the font: a page of Japanese stays small", async () => {
    const bytes = await renderDocumentPdf(quote(3));
    expect(bytes.byteLength).toBeLessThan(120_000);
    expect(bytes.toString("latin1")).toMatch(/\/FontFile2/);
    expect(bytes.toString("latin1")).toMatch(/\/BaseFont \/[A-Z]{6}\+BIZUDGothic/);
  });

  it("shows a reduced rate apart: 8%対象 and 10%対象, each with its tax", async () => {
    const standard = quotedPrice(10000);
    // pricing.ts knows the standard rate only; the renderer prints whatever rates the summary holds.
    const money = {
      ...summarize([{ amount: 10000, price: standard }]),
      taxes: [
        { ratePercent: 10, taxable: 10000, tax: 1000 },
        { ratePercent: 8, taxable: 5000, tax: 400 },
      ],
      subtotal: 15000,
      tax: 1400,
      total: 16400,
    };
    const { flat } = await pdfText(await renderDocumentPdf(quote(1, { money })));
    expect(flat).toContain("消費税(10%)1,000円");
    expect(flat).toContain("消費税(8%)400円");
    expect(flat).toContain("内訳10%対象10,000円(消費税1,000円)");
    expect(flat).toContain("内訳8%対象5,000円(消費税400円)");
  });

  it("goes on over pages for 100 lines, the header on each page, the totals once at the end", async () => {
    const started = performance.now();
    const bytes = await renderDocumentPdf(quote(100));
    const ms = performance.now() - started;
    const { text, flat, pages } = await pdfText(bytes);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(text.split("\n").filter((l) => l.includes("型番・品名")).length).toBe(pages);
    for (let i = 1; i <= 100; i++) expect(flat).toContain(`LX-${String(i).padStart(3, "0")}`);
    expect(flat.match(/小計/g)).toHaveLength(1);
    expect(flat).toContain(`見積書Q-2026-000123${pages}/${pages}`);
    // A bound against a hang, not a benchmark (measured: docs/decisions/023-documents-pdf.md).
    expect(ms).toBeLessThan(10_000);
  });

  it("leaves out what is not configured and marks an estimate 概算", async () => {
    const price = catalogPrice({ dailyPrice: 3000, monthlyPrice: 36000 }, "day");
    const data = quote(1, {
      kind: "order",
      title: "注文請書",
      totalLabel: "ご注文金額",
      issuer: { name: "東都レンタル株式会社", address: null, phone: "0120-000-000", registrationNumber: null },
      lines: [
        {
          lineNo: 1,
          modelNo: "LX-001",
          productName: "ロガー",
          quantity: 2,
          unitPriceLabel: unitPriceLabel(price),
          amount: lineAmount(price, 2, 10),
          taxRatePercent: 10,
        },
      ],
      money: summarize([{ amount: lineAmount(price, 2, 10), price }]),
    });
    const { flat } = await pdfText(await renderDocumentPdf(data));
    expect(flat).toContain("注文請書");
    expect(flat).toContain("13,000円/日60,000円10%".slice(1));
    expect(flat).toContain("合計(概算)66,000円");
    expect(flat).not.toContain("登録番号");
    expect(flat).not.toContain("〒");
  });
});

describe("which documents an application has", () => {
  it("a 見積書 for an answered quote, a 注文請書 for an arranged order, nothing else", () => {
    const at = "2026-04-01T00:00:00.000Z";
    expect(documentKindsOf({ kind: "quote", answered_at: at, arranged_at: null })).toEqual(["quote"]);
    expect(documentKindsOf({ kind: "quote", answered_at: null, arranged_at: null })).toEqual([]);
    expect(documentKindsOf({ kind: "order", answered_at: null, arranged_at: at })).toEqual(["order"]);
    expect(documentKindsOf({ kind: "order", answered_at: null, arranged_at: null })).toEqual([]);
    expect(documentKindsOf({ kind: "cancellation", answered_at: at, arranged_at: at })).toEqual([]);
    expect(documentFilename("order", "O-2026-000007")).toBe("注文請書_O-2026-000007.pdf");
  });
});
