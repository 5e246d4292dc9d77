import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config";
import { addMs } from "../../server/lib/clock";
import { tokyoDateString } from "../../server/lib/format";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { builtinIntake, type IntakePayload, IntakeWorker } from "../../server/services/ordering/intake";
import { failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { DELIVERY } from "../support/samples";
import { signedInStaff } from "../support/staff";

/**
 * この見積で注文する (SPEC §6) and the company's notification mails (STAFF_NOTIFY_EMAIL), through the caller:
 * an answered quote fills the order form until 有効期限, the order refers to the quote, staff see its prices;
 * 【新規申込】 and 【受付失敗】 are written to the outbox in the transaction of the change. Who may call the
 * procedures: isolation.test.ts.
 */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const STAFF = { email: "ops@example.jp", password: "Staff-2026a" };
const NOTIFY = "orders@rental.example.jp";
const PRODUCTS = [
  { modelNo: "DSOX1204G", name: "デジタル・オシロスコープ 70MHz 4ch", dailyPrice: 3000, monthlyPrice: 36000 },
  { modelNo: "MSO44", name: "ミックスド・シグナル・オシロスコープ", dailyPrice: 9000, monthlyPrice: 99000 },
  { modelNo: "FLUKE87V", name: "デジタル・マルチメータ", dailyPrice: 500, monthlyPrice: 6000 },
];

let h: Harness;
let customer: TestBrowser;
let staff: TestBrowser;
let ids: Record<string, string>;
let keys = 0;
const newKey = () => `quote-order-key-${String(++keys).padStart(8, "0")}`;
const today = () => tokyoDateString(h.clock.now());

async function setUp(env: Record<string, string> = {}) {
  h = await createHarness(env);
  await insertProducts(
    h.db,
    h.clock.now(),
    PRODUCTS.map((p) => ({ ...p, maker: "テスト", category: "測定器", specSummary: "" })),
  );
  const rows = await h.db.selectFrom("products").select(["id", "model_no"]).execute();
  ids = Object.fromEntries(rows.map((r) => [r.model_no, r.id]));
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
  customer = h.browser();
  await customer.call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD }));
  await createStaff(h.deps, { ...STAFF, role: "operator" });
  staff = await signedInStaff(h, STAFF);
}

afterEach(async () => {
  await h.close();
});

async function submit(kind: "order" | "quote", lines: [string, number][], who = customer) {
  const { number } = await who.call((c) =>
    c.applications.submit({
      kind,
      lines: lines.map(([modelNo, quantity]) => ({ productId: ids[modelNo] ?? "", quantity: String(quantity) })),
      startDate: today(),
      periodUnit: "day",
      period: "10",
      delivery: DELIVERY,
      notes: "",
      poNumber: "",
      idempotencyKey: newKey(),
    }),
  );
  return number;
}

async function accept() {
  await new IntakeWorker({
    db: h.db,
    clock: h.clock,
    handler: builtinIntake,
    pollIntervalMs: 1000,
    mail: h.deps,
  }).runOnce();
}

/** Intake as the runtime wires it (told to notify), behind an endpoint that answers 503 every time. */
function intakeDown(maxAttempts: number) {
  const handler = {
    name: "down",
    deliver: async () => {
      throw new Error("intake answered 503");
    },
  };
  return new IntakeWorker({ db: h.db, clock: h.clock, handler, pollIntervalMs: 1000, maxAttempts, mail: h.deps });
}

/** A quote of DSOX1204G ×2 and MSO44 ×1, answered 12,000円 / 80,000円 until `validUntil` (today by default). */
async function answeredQuote(validUntil = today()) {
  const number = await submit("quote", [
    ["DSOX1204G", 2],
    ["MSO44", 1],
  ]);
  await accept();
  const { lines } = await staff.call((c) => c.backofficeApplications.get({ number }));
  const prices = [12000, 80000];
  await staff.call((c) =>
    c.backofficeApplications.answerQuote({
      number,
      unitPrices: Object.fromEntries(lines.map((l, i) => [l.id, String(prices[i])])),
      validUntil,
      comment: "送料込みです",
    }),
  );
  return number;
}

const draft = () => customer.call((c) => c.applications.draft({ kind: "order" }));

describe("この見積で注文する", () => {
  beforeEach(() => setUp());

  it("an answered quote shows its prices, fills the order form (replacing its lines) and the order names the quote", async () => {
    const quote = await answeredQuote();
    const shown = await customer.call((c) => c.history.get({ number: quote }));
    expect(shown).toMatchObject({
      confirmation: "回答済",
      validUntil: today(),
      answerComment: "送料込みです",
      quoteTotal: 104000,
      canOrderFromQuote: true,
    });
    expect(shown.lines.map((l) => [l.modelNo, l.quantity, l.unitPrice, l.amount])).toEqual([
      ["DSOX1204G", 2, 12000, 24000],
      ["MSO44", 1, 80000, 80000],
    ]);

    await customer.call((c) =>
      c.applications.addToDraft({ kind: "order", productId: ids.FLUKE87V ?? "", quantity: "1" }),
    );
    const filled = await customer.call((c) => c.applications.orderFromQuote({ number: quote }));
    expect(filled).toEqual({ quoteNumber: quote, lines: 2, replaced: 1, retired: [] });
    expect((await draft()).map((l) => [l.modelNo, l.quantity])).toEqual([
      ["DSOX1204G", 2],
      ["MSO44", 1],
    ]);
    const start = await customer.call((c) => c.applications.draftQuote());
    expect(start).toMatchObject({
      number: quote,
      valid: true,
      startDate: today(),
      period: 10,
      periodUnit: "day",
      delivery: DELIVERY,
      unitPrices: { [ids.DSOX1204G ?? ""]: 12000, [ids.MSO44 ?? ""]: 80000 },
    });

    const order = await submit("order", [
      ["DSOX1204G", 2],
      ["MSO44", 1],
    ]);
    expect((await customer.call((c) => c.history.get({ number: order }))).quoteNumber).toBe(quote);
    expect(await draft()).toEqual([]);
    const handed: IntakePayload[] = [];
    const handler = { name: "capture", deliver: async (p: IntakePayload) => void handed.push(p) };
    await new IntakeWorker({ db: h.db, clock: h.clock, handler, pollIntervalMs: 1000, mail: h.deps }).runOnce();
    expect(handed.map((p) => [p.number, p.quoteNumber])).toEqual([[order, quote]]);
    expect(await customer.call((c) => c.applications.draftQuote())).toBeNull();
    const seen = await staff.call((c) => c.backofficeApplications.get({ number: order }));
    expect(seen.quote).toEqual({ number: quote, validUntil: today(), orderedAfterExpiry: false });
    expect(seen.lines.map((l) => [l.modelNo, l.quotedUnitPrice])).toEqual([
      ["DSOX1204G", 12000],
      ["MSO44", 80000],
    ]);
  });

  it("an order of other products names no quote", async () => {
    const quote = await answeredQuote();
    await customer.call((c) => c.applications.orderFromQuote({ number: quote }));
    const order = await submit("order", [["FLUKE87V", 1]]);
    expect((await customer.call((c) => c.history.get({ number: order }))).quoteNumber).toBeNull();
  });

  it("after 有効期限 the button is gone and a POST is refused in Japanese; nothing changes", async () => {
    const quote = await answeredQuote();
    await customer.call((c) =>
      c.applications.addToDraft({ kind: "order", productId: ids.FLUKE87V ?? "", quantity: "1" }),
    );
    h.clock.set(addMs(h.clock.now(), 24 * 3_600_000));
    await customer.call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD }));
    expect((await customer.call((c) => c.history.get({ number: quote }))).canOrderFromQuote).toBe(false);
    const e = await failure(customer.call((c) => c.applications.orderFromQuote({ number: quote })));
    expect(e.code).toBe("BAD_REQUEST");
    expect(e.message).toContain("有効期限");
    expect((await draft()).map((l) => l.modelNo)).toEqual(["FLUKE87V"]);
  });

  it("a quote not yet answered, or an order's number, is refused", async () => {
    const quote = await submit("quote", [["DSOX1204G", 1]]);
    await accept();
    const e = await failure(customer.call((c) => c.applications.orderFromQuote({ number: quote })));
    expect(e.code).toBe("BAD_REQUEST");
    expect(e.message).toContain("まだ回答されていません");
    const order = await submit("order", [["DSOX1204G", 1]]);
    expect((await failure(customer.call((c) => c.applications.orderFromQuote({ number: order })))).code).toBe(
      "NOT_FOUND",
    );
  });

  it("another account's quote is not found, and its draft stays empty", async () => {
    const quote = await answeredQuote();
    const other = await h.otherAccount();
    const e = await failure(other.call((c) => c.applications.orderFromQuote({ number: quote })));
    expect(e.code).toBe("NOT_FOUND");
    expect(e.message).not.toContain(quote);
    expect(await other.call((c) => c.applications.draft({ kind: "order" }))).toEqual([]);
  });

  it("another user of the same account may order from the quote", async () => {
    const quote = await answeredQuote();
    await customer.call((c) => c.users.add({ email: "hanako@example.jp" }));
    const setup = (await h.mailsTo("hanako@example.jp"))[0];
    const token = setup && /setup-password\/([A-Za-z0-9_-]+)/.exec(setup.text)?.[1];
    if (!token) throw new Error("no set-up link mailed");
    const colleague = h.browser();
    await colleague.call((c) =>
      c.users.completeSetup({ token, newPassword: "Kqmz-2026ab", confirmPassword: "Kqmz-2026ab" }),
    );
    await colleague.call((c) =>
      c.auth.login({ loginId: USER.loginId, email: "hanako@example.jp", password: "Kqmz-2026ab" }),
    );
    expect((await colleague.call((c) => c.applications.orderFromQuote({ number: quote }))).lines).toBe(2);
  });

  it("a retired product (販売終了) is left out and named; when all are, nothing changes", async () => {
    const quote = await answeredQuote();
    await h.db.updateTable("products").set({ active: 0 }).where("model_no", "=", "MSO44").execute();
    const filled = await customer.call((c) => c.applications.orderFromQuote({ number: quote }));
    expect(filled.retired).toEqual(["MSO44 ミックスド・シグナル・オシロスコープ"]);
    expect((await draft()).map((l) => l.modelNo)).toEqual(["DSOX1204G"]);

    await h.db.updateTable("products").set({ active: 0 }).where("model_no", "=", "DSOX1204G").execute();
    await customer.call((c) => c.applications.removeFromDraft({ kind: "order", productId: ids.DSOX1204G ?? "" }));
    await customer.call((c) =>
      c.applications.addToDraft({ kind: "order", productId: ids.FLUKE87V ?? "", quantity: "1" }),
    );
    const e = await failure(customer.call((c) => c.applications.orderFromQuote({ number: quote })));
    expect(e.message).toContain("すべて販売終了");
    expect((await draft()).map((l) => l.modelNo)).toEqual(["FLUKE87V"]);
  });
});

describe("STAFF_NOTIFY_EMAIL", () => {
  it("is validated as one email address", () => {
    expect(() => loadConfig({ STAFF_NOTIFY_EMAIL: "orders at example" })).toThrow(ConfigError);
    expect(() => loadConfig({ STAFF_NOTIFY_EMAIL: "orders at example" })).toThrow(/STAFF_NOTIFY_EMAIL/);
    expect(loadConfig({ STAFF_NOTIFY_EMAIL: NOTIFY }).staffNotifyEmail).toBe(NOTIFY);
    expect(loadConfig({}).staffNotifyEmail).toBeUndefined();
  });

  it("gets 【新規申込】 for each new application, with its lines and a link to the back office", async () => {
    await setUp({ STAFF_NOTIFY_EMAIL: NOTIFY });
    const quote = await submit("quote", [["DSOX1204G", 2]]);
    const order = await submit("order", [["MSO44", 1]]);
    const mails = await h.mailsTo(NOTIFY);
    expect(mails.map((m) => m.subject).sort()).toEqual(
      [`【新規申込】${order} ${USER.companyName}`, `【新規申込】${quote} ${USER.companyName}`].sort(),
    );
    const mail = mails.find((m) => m.subject.includes(quote));
    for (const part of [
      "種別: 見積",
      `ログインID: ${USER.loginId}`,
      `会社名: ${USER.companyName}`,
      `<${USER.email}>`,
      "1. DSOX1204G デジタル・オシロスコープ 70MHz 4ch × 2",
      `http://localhost:3000/admin/applications/${quote}`,
    ]) {
      expect(mail?.text).toContain(part);
    }
    expect(mail?.html).toContain(`href="http://localhost:3000/admin/applications/${quote}"`);
    expect(mail?.text).not.toMatch(/パスワード|password/i);
  });

  it("gets 【新規申込】 for a cancellation too, naming the contract and the lines given back", async () => {
    await setUp({ STAFF_NOTIFY_EMAIL: NOTIFY });
    const order = await submit("order", [["DSOX1204G", 2]]);
    await accept();
    const { contractNo } = await staff.call((c) => c.backofficeApplications.arrange({ number: order }));
    const [rental] = (await customer.call((c) => c.rentals.list({}))).rentals;
    if (!rental) throw new Error("no rental");
    const detail = await customer.call((c) => c.rentals.get({ id: rental.id }));
    const { number } = await customer.call((c) =>
      c.rentals.requestCancellation({
        rentalId: rental.id,
        mode: "partial",
        quantities: Object.fromEntries(detail.lines.map((l) => [l.id, "1"])),
        returnDate: today(),
        notes: "",
        idempotencyKey: newKey(),
      }),
    );
    const mail = (await h.mailsTo(NOTIFY)).find((m) => m.subject === `【新規申込】${number} ${USER.companyName}`);
    expect(mail?.text).toContain("種別: 解約");
    expect(mail?.text).toContain(`契約番号 ${contractNo}、返却希望日 ${today().replaceAll("-", "/")}`);
    expect(mail?.text).toContain("1. DSOX1204G デジタル・オシロスコープ 70MHz 4ch × 1(解約)");
  });

  it("gets 【受付失敗】 once, when intake gives an application up", async () => {
    await setUp({ STAFF_NOTIFY_EMAIL: NOTIFY });
    const order = await submit("order", [["DSOX1204G", 1]]);
    const failing = intakeDown(2);
    await failing.runOnce();
    const failedMails = async () => (await h.mailsTo(NOTIFY)).filter((m) => m.subject.startsWith("【受付失敗】"));
    expect(await failedMails()).toEqual([]);
    h.clock.set(addMs(h.clock.now(), 60_000));
    await failing.runOnce();
    const status = await h.db
      .selectFrom("applications")
      .select("intake_status")
      .where("number", "=", order)
      .executeTakeFirstOrThrow();
    expect(status.intake_status).toBe("failed");
    const [mail, ...more] = await failedMails();
    expect(more).toEqual([]);
    expect(mail?.subject).toBe(`【受付失敗】${order} ${USER.companyName}`);
    expect(mail?.text).toContain("2回試みても");
    expect(mail?.text).toContain(`http://localhost:3000/admin/applications/${order}`);
    expect(mail?.text).not.toContain("503");
  });

  it("unset: no mail to the company, for applications or failures", async () => {
    await setUp();
    await submit("order", [["DSOX1204G", 1]]);
    await intakeDown(1).runOnce();
    const outbox = await h.db.selectFrom("mail_outbox").select(["template"]).execute();
    // The customer is told of the failure (tests/integration/status-mails.test.ts); the company is not.
    expect(outbox.map((m) => m.template)).toContain("application-failed");
    expect(outbox.filter((m) => m.template.startsWith("staff-new") || m.template.startsWith("staff-intake"))).toEqual(
      [],
    );
  });
});

describe("money: 金額, 小計, 消費税, 合計 (SPEC §3)", () => {
  beforeEach(() => setUp());

  const check = (lines: [string, number][]) =>
    customer.call((c) =>
      c.applications.check({
        kind: "order",
        lines: lines.map(([modelNo, quantity]) => ({ productId: ids[modelNo] ?? "", quantity: String(quantity) })),
        startDate: today(),
        periodUnit: "month",
        period: "3",
        delivery: DELIVERY,
        notes: "",
        poNumber: "",
        idempotencyKey: newKey(),
      }),
    );

  it("the confirmation step prices catalog lines by 月額 × 数量 × months, as an estimate", async () => {
    const checked = await check([
      ["DSOX1204G", 2],
      ["FLUKE87V", 1],
    ]);
    expect(checked.lines.map((l) => [l.modelNo, l.price.unitPrice, l.price.per, l.amount])).toEqual([
      ["DSOX1204G", 36000, "month", 216000],
      ["FLUKE87V", 6000, "month", 18000],
    ]);
    expect(checked.money).toMatchObject({
      subtotal: 234000,
      tax: 23400,
      total: 257400,
      estimate: true,
      complete: true,
    });
  });

  it("a quote request shows its catalog estimate; once answered, the quoted prices, final", async () => {
    const quote = await submit("quote", [
      ["DSOX1204G", 2],
      ["MSO44", 1],
    ]);
    const asked = await customer.call((c) => c.history.get({ number: quote }));
    expect(asked.lines.map((l) => [l.unitPriceLabel, l.amount])).toEqual([
      ["3,000円/日", 60000],
      ["9,000円/日", 90000],
    ]);
    expect(asked.money).toMatchObject({ subtotal: 150000, tax: 15000, total: 165000, estimate: true });

    const answered = await answeredQuote();
    const shown = await customer.call((c) => c.history.get({ number: answered }));
    expect(shown.lines.map((l) => [l.unitPriceLabel, l.amount])).toEqual([
      ["12,000円", 24000],
      ["80,000円", 80000],
    ]);
    expect(shown.money).toMatchObject({ subtotal: 104000, tax: 10400, total: 114400, estimate: false });
    const seen = await staff.call((c) => c.backofficeApplications.get({ number: answered }));
    expect(seen.money).toEqual(shown.money);
  });

  it("an order placed from a quote keeps the quoted 単価; an added catalog line makes it 概算", async () => {
    const quote = await answeredQuote();
    await customer.call((c) => c.applications.orderFromQuote({ number: quote }));
    await customer.call((c) =>
      c.applications.addToDraft({ kind: "order", productId: ids.FLUKE87V ?? "", quantity: "1" }),
    );
    const order = await submit("order", [
      ["DSOX1204G", 2],
      ["MSO44", 1],
      ["FLUKE87V", 1],
    ]);
    const shown = await customer.call((c) => c.history.get({ number: order }));
    expect(shown.lines.map((l) => [l.modelNo, l.unitPriceLabel, l.amount])).toEqual([
      ["DSOX1204G", "12,000円", 24000],
      ["MSO44", "80,000円", 80000],
      ["FLUKE87V", "500円/日", 5000],
    ]);
    expect(shown.money).toMatchObject({ subtotal: 109000, tax: 10900, total: 119900, estimate: true });
  });

  it("after 有効期限 an order from the quote is priced from the catalog", async () => {
    const quote = await answeredQuote();
    await customer.call((c) => c.applications.orderFromQuote({ number: quote }));
    h.clock.set(addMs(h.clock.now(), 24 * 3_600_000));
    await customer.call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD }));
    const order = await submit("order", [
      ["DSOX1204G", 2],
      ["MSO44", 1],
    ]);
    const shown = await customer.call((c) => c.history.get({ number: order }));
    expect(shown.quoteNumber).toBe(quote);
    expect(shown.lines.map((l) => l.amount)).toEqual([60000, 90000]);
    expect(shown.money).toMatchObject({ subtotal: 150000, estimate: true });
  });

  it("a filed application keeps the price it was filed at when the catalog changes", async () => {
    const order = await submit("order", [["DSOX1204G", 2]]);
    await h.db
      .updateTable("products")
      .set({ daily_price: 9999 })
      .where("id", "=", ids.DSOX1204G ?? "")
      .execute();
    const shown = await customer.call((c) => c.history.get({ number: order }));
    expect(shown.lines.map((l) => l.amount)).toEqual([60000]);
    expect(shown.money).toMatchObject({ subtotal: 60000, tax: 6000, total: 66000 });
  });
});
