import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tokyoDateString } from "../../server/lib/format";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { builtinIntake, IntakeWorker } from "../../server/services/ordering/intake";
import { fieldErrorsOf } from "../../server/trpc/field-errors";
import { CONTROL_CHARACTER } from "../../server/trpc/input-characters";
import { failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { DELIVERY } from "../support/samples";

/**
 * The back office's 申込一覧 router (SPEC §6) through the caller, as the /admin pages call it: one happy
 * path per action, with the customer's side seeing the result. Who may call it: isolation.test.ts.
 */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const STAFF = { email: "ops@example.jp", password: "Staff-2026a" };

let h: Harness;
let customer: TestBrowser;
let staff: TestBrowser;
let productId: string;
let keys = 0;
const newKey = () => `bo-router-key-${String(++keys).padStart(8, "0")}`;
const today = () => tokyoDateString(h.clock.now());

beforeEach(async () => {
  h = await createHarness();
  await insertProducts(h.db, h.clock.now(), [
    {
      modelNo: "DSOX1204G",
      maker: "キーサイト・テクノロジー",
      name: "デジタル・オシロスコープ 70MHz 4ch",
      category: "オシロスコープ",
      specSummary: "",
      dailyPrice: 3000,
      monthlyPrice: 36000,
    },
  ]);
  productId = (await h.db.selectFrom("products").select("id").executeTakeFirstOrThrow()).id;
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
  customer = h.browser();
  await customer.call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD }));
  await createStaff(h.deps, { ...STAFF, role: "operator" });
  staff = h.browser();
  await staff.call((c) => c.staffAuth.login(STAFF));
  const mail = (await h.mailsTo(STAFF.email)).find((m) => m.subject.includes("ワンタイムパスワード"));
  const code = mail && /ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1];
  if (!code) throw new Error("no code mailed");
  await staff.call((c) => c.staffAuth.verifyOtp({ code }));
});
afterEach(async () => {
  await h.close();
});

async function submit(kind: "order" | "quote") {
  const { number } = await customer.call((c) =>
    c.applications.submit({
      kind,
      lines: [{ productId, quantity: "2" }],
      startDate: today(),
      periodUnit: "month",
      period: "1",
      delivery: DELIVERY,
      notes: "",
      poNumber: "PO-1",
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

async function auditActors(action: string) {
  return h.db.selectFrom("audit_events").select(["actor_type", "target"]).where("action", "=", action).execute();
}

describe("backofficeApplications router", () => {
  it("dashboard, list and detail; 手配済にする makes the customer's rental", async () => {
    const number = await submit("order");
    await accept();
    expect(await staff.call((c) => c.backofficeApplications.dashboard())).toEqual({
      unarrangedOrders: 1,
      unansweredQuotes: 0,
      unreturnedCancellations: 0,
      unconfirmedExtensions: 0,
      failedIntake: 0,
    });
    const list = await staff.call((c) =>
      c.backofficeApplications.list({ confirmation: "unarranged", result: "accepted", keyword: USER.loginId }),
    );
    expect(list.rows.map((r) => [r.number, r.companyName, r.confirmationLabel])).toEqual([
      [number, USER.companyName, "未手配"],
    ]);
    const detail = await staff.call((c) => c.backofficeApplications.get({ number }));
    expect(detail).toMatchObject({
      number,
      poNumber: "PO-1",
      user: { email: USER.email },
      confirmationLabel: "未手配",
    });

    const arranged = await staff.call((c) => c.backofficeApplications.arrange({ number }));
    expect(arranged.arranged).toBe(true);
    expect((await staff.call((c) => c.backofficeApplications.dashboard())).unarrangedOrders).toBe(0);
    expect((await customer.call((c) => c.history.get({ number }))).confirmation).toBe("手配済");
    expect((await customer.call((c) => c.rentals.list({}))).rentals.map((r) => r.contractNo)).toContain(
      arranged.contractNo,
    );
    expect(await auditActors("order.arrange")).toMatchObject([{ actor_type: "staff", target: number }]);
  });

  it("a period that is no date is refused beside its field", async () => {
    const e = await failure(staff.call((c) => c.backofficeApplications.list({ from: "2026-02-30" })));
    expect(e.code).toBe("BAD_REQUEST");
  });

  it("見積回答: typed 単価 (full-width too), 有効期限 and コメント; a blank 単価 is refused beside its line", async () => {
    const number = await submit("quote");
    await accept();
    const [line] = (await staff.call((c) => c.backofficeApplications.get({ number }))).lines;
    if (!line) throw new Error("no line");
    const refused = await failure(
      staff.call((c) =>
        c.backofficeApplications.answerQuote({ number, unitPrices: { [line.id]: "abc" }, validUntil: today() }),
      ),
    );
    expect(refused.code).toBe("BAD_REQUEST");
    expect(JSON.stringify(refused.cause)).toContain(`price.${line.id}`);

    const answered = await staff.call((c) =>
      c.backofficeApplications.answerQuote({
        number,
        unitPrices: { [line.id]: "１２０００" },
        validUntil: today(),
        comment: "ご検討ください",
      }),
    );
    expect(answered.total).toBe(24000);
    expect((await customer.call((c) => c.history.get({ number }))).confirmation).toBe("回答済");
  });

  it("見積回答's コメント: up to 1000 characters on several lines; 1001 refused beside it; a control character refused", async () => {
    const number = await submit("quote");
    await accept();
    const [line] = (await staff.call((c) => c.backofficeApplications.get({ number }))).lines;
    if (!line) throw new Error("no line");
    const answer = (comment: string) =>
      staff.call((c) =>
        c.backofficeApplications.answerQuote({
          number,
          unitPrices: { [line.id]: "1000" },
          validUntil: today(),
          comment,
        }),
      );
    const tooLong = await failure(answer("あ".repeat(1001)));
    expect(fieldErrorsOf(tooLong).comment).toEqual(["コメントは1000文字以内で入力してください。"]);
    // Far past the cap of the router (4 code units per character): the same message, before the service.
    const huge = await failure(answer("a".repeat(4001)));
    expect(fieldErrorsOf(huge).comment).toEqual(["コメントは1000文字以内で入力してください。"]);
    const control = await failure(answer("一行目\u0007"));
    expect(fieldErrorsOf(control).comment).toEqual([CONTROL_CHARACTER]);
    expect((await staff.call((c) => c.backofficeApplications.get({ number }))).answeredAt).toBeNull();

    // 1000 characters, emoji (two code units each) included, over lines and with a tab: accepted as typed.
    const head = `納期:\r\n\t・${"😀".repeat(400)}\n`;
    const comment = head + "あ".repeat(1000 - [...head].length);
    expect([...comment]).toHaveLength(1000);
    await answer(comment);
    const shown = await staff.call((c) => c.backofficeApplications.get({ number }));
    expect(shown.answerComment).toBe(comment);
    const mail = (await h.mailsTo(USER.email)).find((m) => m.subject.includes("見積回答"));
    expect(mail?.text).toContain("納期:");
    expect(mail?.html).toContain('<div style="white-space:pre-line">納期:');
  });

  it("返却確認 ends a rental whose every item came back", async () => {
    const order = await submit("order");
    await accept();
    const { contractNo } = await staff.call((c) => c.backofficeApplications.arrange({ number: order }));
    const rental = (await customer.call((c) => c.rentals.list({}))).rentals.find((r) => r.contractNo === contractNo);
    if (!rental) throw new Error("no rental");
    const detail = await customer.call((c) => c.rentals.get({ id: rental.id }));
    const { number } = await customer.call((c) =>
      c.rentals.requestCancellation({
        rentalId: rental.id,
        mode: "partial",
        quantities: Object.fromEntries(detail.lines.map((l) => [l.id, String(l.quantity)])),
        returnDate: today(),
        notes: "",
        idempotencyKey: newKey(),
      }),
    );
    await accept();
    expect((await staff.call((c) => c.backofficeApplications.dashboard())).unreturnedCancellations).toBe(1);
    expect(await staff.call((c) => c.backofficeApplications.confirmReturn({ number }))).toEqual({
      returned: true,
      rentalEnded: true,
    });
    expect((await customer.call((c) => c.history.get({ number }))).confirmation).toBe("返却済");
  });

  it("再送 puts a 受付失敗 application back in the intake queue", async () => {
    const number = await submit("order");
    await h.db
      .updateTable("applications")
      .set({ intake_status: "failed", intake_error: "down" })
      .where("number", "=", number)
      .execute();
    expect((await staff.call((c) => c.backofficeApplications.dashboard())).failedIntake).toBe(1);
    expect(await staff.call((c) => c.backofficeApplications.retryIntake({ number }))).toEqual({ retried: true });
    await accept();
    expect((await staff.call((c) => c.backofficeApplications.get({ number }))).resultLabel).toBe("受付完了");
  });
});
