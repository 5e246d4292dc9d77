import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tokyoDateString } from "../../server/lib/format";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { builtinIntake, IntakeWorker } from "../../server/services/ordering/intake";
import { yen } from "../../server/services/ordering/pricing";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { pdfText } from "../support/pdf-text";
import { DELIVERY } from "../support/samples";
import { signedInStaff } from "../support/staff";

/**
 * 見積書 / 注文請書 (SPEC §3 Documents, ADR 023) through the caller: which applications have which document,
 * another account's is not found, the PDF shows the detail page's money, and the status mails carry them.
 * The download route and the mailbox's JSON: documents-http.test.ts.
 */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const STAFF = { email: "ops@example.jp", password: "Staff-2026a" };
const COMPANY = {
  COMPANY_NAME: "東都レンタル株式会社",
  COMPANY_ADDRESS: "〒105-0011 東京都港区芝公園1-2-3 東都ビル",
  COMPANY_PHONE: "03-5555-0101",
  COMPANY_REGISTRATION_NUMBER: "T1234567890123",
};
const PRODUCTS = [
  { modelNo: "DSOX1204G", name: "デジタル・オシロスコープ 70MHz 4ch", dailyPrice: 3000, monthlyPrice: 36000 },
  { modelNo: "MSO44", name: "ミックスド・シグナル・オシロスコープ", dailyPrice: 9000, monthlyPrice: 99000 },
];

let h: Harness;
let customer: TestBrowser;
let staff: TestBrowser;
let ids: Record<string, string>;
let keys = 0;
const today = () => tokyoDateString(h.clock.now());

beforeEach(async () => {
  h = await createHarness(COMPANY);
  await insertProducts(
    h.db,
    h.clock.now(),
    PRODUCTS.map((p) => ({ ...p, maker: "テスト", category: "測定器", specSummary: "" })),
  );
  ids = Object.fromEntries(
    (await h.db.selectFrom("products").select(["id", "model_no"]).execute()).map((r) => [r.model_no, r.id]),
  );
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
  customer = h.browser();
  await customer.call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD }));
  await createStaff(h.deps, { ...STAFF, role: "operator" });
  staff = await signedInStaff(h, STAFF);
});

afterEach(async () => {
  await h.close();
});

async function submit(kind: "order" | "quote", poNumber = "") {
  const { number } = await customer.call((c) =>
    c.applications.submit({
      kind,
      lines: [
        { productId: ids.DSOX1204G ?? "", quantity: "2" },
        { productId: ids.MSO44 ?? "", quantity: "1" },
      ],
      startDate: today(),
      periodUnit: "day",
      period: "10",
      delivery: DELIVERY,
      notes: "搬入は午前中にお願いします",
      poNumber,
      idempotencyKey: `documents-key-${String(++keys).padStart(8, "0")}`,
    }),
  );
  await new IntakeWorker({
    db: h.db,
    clock: h.clock,
    handler: builtinIntake,
    pollIntervalMs: 1000,
    mail: h.deps,
  }).runOnce();
  return number;
}

/** A quote answered 12,345円 / 80,000円 (小計 104,690円, 消費税 10,469円, 合計 115,159円). */
async function answeredQuote() {
  const number = await submit("quote");
  const { lines } = await staff.call((c) => c.backofficeApplications.get({ number }));
  const prices = [12345, 80000];
  await staff.call((c) =>
    c.backofficeApplications.answerQuote({
      number,
      unitPrices: Object.fromEntries(lines.map((l, i) => [l.id, String(prices[i])])),
      validUntil: "2026-04-30",
      comment: "送料込みの価格です",
    }),
  );
  return number;
}

const pdfOf = async (number: string, kind: "quote" | "order") => {
  const file = await customer.call((c) => c.documents.pdf({ number, kind }));
  return { ...file, bytes: Buffer.from(file.base64, "base64") };
};

describe("which applications have a document", () => {
  it("an answered quote has a 見積書 only, an arranged order a 注文請書 only, nothing else has one", async () => {
    const quote = await submit("quote");
    const order = await submit("order");
    const get = (number: string) => customer.call((c) => c.history.get({ number }));
    expect((await get(quote)).documents).toEqual([]);
    expect((await get(order)).documents).toEqual([]);
    // Before staff act: a clear word of when the document comes.
    expect(await failure(pdfOf(quote, "quote"))).toMatchObject({
      code: "BAD_REQUEST",
      message: "見積書は、当社が見積に回答した後にご利用いただけます。",
    });
    expect(await failure(pdfOf(order, "order"))).toMatchObject({
      code: "BAD_REQUEST",
      message: "注文請書は、当社が注文の手配を完了した後にご利用いただけます。",
    });

    const answered = await answeredQuote();
    await arrangeOrder(h.deps, order, { type: "system" });
    expect((await get(answered)).documents).toEqual(["quote"]);
    expect((await get(order)).documents).toEqual(["order"]);
    // The other kind is no document of theirs.
    expect(await failure(pdfOf(answered, "order"))).toMatchObject({
      code: "NOT_FOUND",
      message: `${answered} は注文ではないため、注文請書はありません。`,
    });
    expect(await failure(pdfOf(order, "quote"))).toMatchObject({
      code: "NOT_FOUND",
      message: `${order} は見積依頼ではないため、見積書はありません。`,
    });
    // A cancellation has neither.
    const rental = (await customer.call((c) => c.rentals.list({}))).rentals[0];
    const rentalView = await customer.call((c) => c.rentals.get({ id: rental?.id ?? "" }));
    const { number: cancellation } = await customer.call((c) =>
      c.rentals.requestCancellation({
        rentalId: rentalView.id,
        mode: "all",
        quantities: {},
        returnDate: "2026-04-20",
        notes: "",
        idempotencyKey: "documents-cancel-00000001",
      }),
    );
    expect((await get(cancellation)).documents).toEqual([]);
    expect(await failure(pdfOf(cancellation, "order"))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("another account's application is not found, with the same answer as a number that does not exist", async () => {
    const quote = await answeredQuote();
    const order = await submit("order");
    await arrangeOrder(h.deps, order, { type: "system" });
    const other = await h.otherAccount();
    const unknown = await failure(other.call((c) => c.documents.pdf({ number: "Q-2026-999999", kind: "quote" })));
    expect(unknown).toMatchObject({ code: "NOT_FOUND", message: "指定されたお申し込みは見つかりません。" });
    for (const [number, kind] of [
      [quote, "quote"],
      [order, "order"],
    ] as const) {
      const refused = await failure(other.call((c) => c.documents.pdf({ number, kind })));
      expect({ code: refused.code, message: refused.message }).toEqual({
        code: unknown.code,
        message: unknown.message,
      });
    }
  });
});

describe("what the documents say", () => {
  it("the 見積書: title, number, date, customer, the company block, each line, the detail page's money, 有効期限 and コメント", async () => {
    const quote = await answeredQuote();
    const page = await customer.call((c) => c.history.get({ number: quote }));
    const file = await pdfOf(quote, "quote");
    expect(file.filename).toBe(`見積書_${quote}.pdf`);
    expect(file.contentType).toBe("application/pdf");
    expect(file.bytes.subarray(0, 5).toString()).toBe("%PDF-");
    const { flat, pages } = await pdfText(file.bytes);
    expect(pages).toBe(1);
    const money = page.money;
    if (!money) throw new Error("no money");
    for (const part of [
      "見積書",
      `No.${quote}`,
      `発行日${today().replaceAll("-", "/")}`,
      "アクメ計測御中",
      "御見積金額115,159円(税込)",
      "東都レンタル株式会社",
      "〒105-0011東京都港区芝公園1-2-3東都ビル",
      "TEL03-5555-0101",
      "登録番号T1234567890123",
      "有効期限2026/04/30",
      // Each line as the page shows it: 型番 品名, 数量, 単価, 金額, 税率.
      "1DSOX1204Gデジタル・オシロスコープ70MHz4ch212,345円24,690円10%",
      "2MSO44ミックスド・シグナル・オシロスコープ180,000円80,000円10%",
      `小計${yen(money.subtotal)}`,
      `消費税(10%)${yen(money.taxes[0]?.tax ?? -1)}`,
      `合計${yen(money.total)}`,
      "10%対象104,690円(消費税10,469円)",
      "送料込みの価格です",
      "搬入は午前中にお願いします",
    ]) {
      expect(flat).toContain(part.replace(/\s+/g, ""));
    }
    // The page's money is the document's (one computation, pricing.ts).
    expect([money.subtotal, money.tax, money.total]).toEqual([104690, 10469, 115159]);
    expect(flat).not.toContain("概算");
  });

  it("the 注文請書: 契約番号, 貴社注文番号, 返却予定日 and the estimate marked 概算, as on the page", async () => {
    const order = await submit("order", "PO-7788");
    await arrangeOrder(h.deps, order, { type: "system" });
    const page = await customer.call((c) => c.history.get({ number: order }));
    const { flat } = await pdfText((await pdfOf(order, "order")).bytes);
    const money = page.money;
    if (!money) throw new Error("no money");
    // Catalog prices: 3,000円/日 × 2 × 10日 = 60,000円; 9,000円/日 × 1 × 10日 = 90,000円.
    expect(money.subtotal).toBe(150000);
    for (const part of [
      "注文請書",
      `No.${order}`,
      "下記のとおりご注文をお請けいたします。",
      `契約番号${order.replace(/^O-/, "R-")}`,
      "貴社注文番号PO-7788",
      "返却予定日",
      "1DSOX1204Gデジタル・オシロスコープ70MHz4ch23,000円/日60,000円10%",
      `小計${yen(money.subtotal)}`,
      `消費税(10%)${yen(money.tax)}`,
      `合計(概算)${yen(money.total)}`,
      "登録番号T1234567890123",
    ]) {
      expect(flat).toContain(part);
    }
  });

  it("a document of many lines goes on over pages, each with the table's header", async () => {
    const { number } = await customer.call((c) =>
      c.applications.submit({
        kind: "order",
        lines: [
          { productId: ids.DSOX1204G ?? "", quantity: "1" },
          { productId: ids.MSO44 ?? "", quantity: "1" },
        ],
        startDate: today(),
        periodUnit: "month",
        period: "1",
        delivery: DELIVERY,
        notes: "",
        poNumber: "",
        idempotencyKey: "documents-many-00000001",
      }),
    );
    // 60 lines (more than the form allows; written straight to the table, as a migration could).
    const app = await h.db
      .selectFrom("applications")
      .select("id")
      .where("number", "=", number)
      .executeTakeFirstOrThrow();
    const first = await h.db.selectFrom("application_lines").selectAll().where("application_id", "=", app.id).execute();
    const template = first[0];
    if (!template) throw new Error("no line");
    await h.db
      .insertInto("application_lines")
      .values(
        Array.from({ length: 58 }, (_, i) => ({
          ...template,
          id: `many-${i}`,
          line_no: i + 3,
          model_no: `M-${String(i + 3).padStart(3, "0")}`,
        })),
      )
      .execute();
    await new IntakeWorker({
      db: h.db,
      clock: h.clock,
      handler: builtinIntake,
      pollIntervalMs: 1000,
      mail: h.deps,
    }).runOnce();
    await arrangeOrder(h.deps, number, { type: "system" });
    const { text, flat, pages } = await pdfText((await pdfOf(number, "order")).bytes);
    expect(pages).toBeGreaterThan(1);
    for (const model of ["M-003", "M-030", "M-060"]) expect(flat).toContain(model);
    expect(text.split("\n").filter((l) => /型番・品名/.test(l)).length).toBe(pages);
    expect(flat).toContain(`注文請書${number}1/${pages}`);
    expect(flat).toContain(`注文請書${number}${pages}/${pages}`);
  });
});

describe("the status mails carry the document", () => {
  it("見積回答のお知らせ attaches the 見積書, 手配完了のお知らせ the 注文請書, written with the mail", async () => {
    const quote = await answeredQuote();
    const order = await submit("order");
    await arrangeOrder(h.deps, order, { type: "system" });
    const outbox = await h.db
      .selectFrom("mail_outbox")
      .innerJoin("mail_attachments", "mail_attachments.outbox_id", "mail_outbox.id")
      .innerJoin("mail_bodies", "mail_bodies.outbox_id", "mail_outbox.id")
      .select(["mail_outbox.subject", "mail_bodies.text", "filename", "content_type", "size", "content_base64"])
      .where("to_address", "=", USER.email)
      .orderBy("mail_outbox.created_at")
      .execute();
    expect(outbox.map((m) => [m.subject, m.filename, m.content_type])).toEqual([
      [`【WEB会員専用ご注文サイト】見積回答のお知らせ(${quote})`, `見積書_${quote}.pdf`, "application/pdf"],
      [`【WEB会員専用ご注文サイト】手配完了のお知らせ(${order})`, `注文請書_${order}.pdf`, "application/pdf"],
    ]);
    const [quoteMail, orderMail] = outbox;
    expect(quoteMail?.text).toContain("見積書(PDF)を添付しました。");
    expect(orderMail?.text).toContain("注文請書(PDF)を添付しました。");
    expect(orderMail?.text).toContain(`http://localhost:3000/account/history/${order}`);
    // The attachment is the download's document.
    const attached = Buffer.from(quoteMail?.content_base64 ?? "", "base64");
    expect(attached.byteLength).toBe(quoteMail?.size);
    const downloaded = await pdfOf(quote, "quote");
    expect((await pdfText(attached)).flat).toBe((await pdfText(downloaded.bytes)).flat);
    // Delivered: the mailbox keeps the mail, its attachment stays with the outbox row.
    const mails = await h.mailsTo(USER.email);
    expect(mails.map((m) => m.subject)).toContain(`【WEB会員専用ご注文サイト】見積回答のお知らせ(${quote})`);
  });

  it("a second 手配済にする sends nothing more, and mails of other templates have no attachments", async () => {
    const order = await submit("order");
    await arrangeOrder(h.deps, order, { type: "system" });
    await arrangeOrder(h.deps, order, { type: "system" });
    const rows = await h.db.selectFrom("mail_attachments").select("filename").execute();
    expect(rows.map((r) => r.filename)).toEqual([`注文請書_${order}.pdf`]);
  });
});
