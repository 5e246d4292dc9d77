import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MailTemplateName, mailTemplates } from "../../emails/templates";
import { tokyoDateString } from "../../server/lib/format";
import {
  answerQuote,
  arrangeApplication,
  confirmReturn,
  retryIntake,
} from "../../server/services/backoffice/application-actions";
import type { StaffActor } from "../../server/services/backoffice/applications";
import { createAccount } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { builtinIntake, type IntakeHandler, IntakeWorker } from "../../server/services/ordering/intake";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { DELIVERY } from "../support/samples";

/**
 * Status tells the truth (#12 item 3): the customer's mails follow the application's status. 申込受付 is
 * mailed in the transaction in which intake accepts (never at submission), 受付失敗のお知らせ in the one
 * that gives it up, and 手配済 / 回答済 / 返却済 each mail the user who submitted the application.
 */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const STAFF: StaffActor = { type: "staff", id: "staff-1" };
const META = { ip: "198.51.100.7", userAgent: "staff browser" };

let h: Harness;
let b: TestBrowser;
let products: Record<string, string>;
let keys = 0;
const newKey = () => `status-mail-key-${String(++keys).padStart(8, "0")}`;
const today = () => tokyoDateString(h.clock.now());

beforeEach(async () => {
  h = await createHarness();
  await insertProducts(h.db, h.clock.now(), [
    {
      modelNo: "DSOX1204G",
      maker: "キーサイト・テクノロジー",
      name: "デジタル・オシロスコープ",
      category: "オシロスコープ",
      specSummary: "",
      dailyPrice: 3000,
      monthlyPrice: 36000,
    },
    {
      modelNo: "87V",
      maker: "フルーク",
      name: "デジタルマルチメータ",
      category: "マルチメータ",
      specSummary: "",
      dailyPrice: 600,
      monthlyPrice: 7200,
    },
  ]);
  const rows = await h.db.selectFrom("products").select(["id", "model_no"]).execute();
  products = Object.fromEntries(rows.map((r) => [r.model_no, r.id]));
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
  b = h.browser();
  await b.call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD }));
});
afterEach(async () => {
  await h.close();
});

async function submit(kind: "order" | "quote") {
  const { number } = await b.call((c) =>
    c.applications.submit({
      kind,
      lines: [
        { productId: products.DSOX1204G as string, quantity: 3 },
        { productId: products["87V"] as string, quantity: 2 },
      ],
      startDate: today(),
      periodUnit: "month",
      period: 3,
      delivery: DELIVERY,
      notes: "",
      poNumber: "",
      idempotencyKey: newKey(),
    }),
  );
  return number;
}

/** Intake as the runtime wires it: told where its mails go. */
function intake(handler: IntakeHandler = builtinIntake, maxAttempts?: number) {
  return new IntakeWorker({ db: h.db, clock: h.clock, handler, pollIntervalMs: 1000, maxAttempts, mail: h.deps });
}
const accept = () => intake().runOnce();
const down: IntakeHandler = {
  name: "down",
  deliver: async () => {
    throw new Error("intake answered 503");
  },
};

/** The customer's mails with that subject, delivered to the mailbox. */
async function mails(subject: string, to = USER.email) {
  return (await h.mailsTo(to)).filter((m) => m.subject.includes(subject));
}
const resultOf = async (number: string) => (await b.call((c) => c.history.get({ number }))).resultLabel;

describe("申込受付 waits for intake", () => {
  it("nothing at submission (処理中); exactly one once intake accepts (受付完了), in that transaction", async () => {
    const number = await submit("order");
    expect(await resultOf(number)).toBe("処理中");
    expect(await mails("お申し込み受付")).toEqual([]);
    const queued = await h.db.selectFrom("mail_outbox").select("template").execute();
    expect(queued.map((m) => m.template)).not.toContain("application-received");

    expect(await accept()).toBe(1);
    expect(await resultOf(number)).toBe("受付完了");
    const [mail, ...more] = await mails("お申し込み受付");
    expect(more).toEqual([]);
    expect(mail?.subject).toBe(`【${h.config.site.siteName}】お申し込み受付のお知らせ(${number})`);
    expect(mail?.text).toContain(`${USER.companyName} ${USER.email} 様`);
    expect(mail?.text).toContain("受付完了");
    expect(mail?.text).toContain(`http://localhost:3000/account/history/${number}`);
    // The contents with money, as on the application's page: 月額 × 数量 × 3 months, 消費税 once on the total.
    expect(mail?.text).toContain("DSOX1204G デジタル・オシロスコープ 36,000円/月 × 3 = 324,000円");
    expect(mail?.text).toContain("87V デジタルマルチメータ 7,200円/月 × 2 = 43,200円");
    expect(mail?.text).toContain("小計 367,200円\n消費税(10%) 36,720円\n合計 403,920円(概算)");
    expect(mail?.html).toContain("合計 403,920円(概算)");

    // Nothing is due any more: another pass mails nothing.
    h.clock.advance(60_000);
    expect(await accept()).toBe(0);
    expect(await mails("お申し込み受付")).toHaveLength(1);
  });

  it("a worker whose lease ran out and was overtaken marks nothing and mails nothing", async () => {
    const number = await submit("quote");
    let release = () => {};
    let started = () => {};
    const delivering = new Promise<void>((resolve) => {
      started = resolve;
    });
    const slow: IntakeHandler = {
      name: "slow",
      deliver: () => {
        started();
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
    };
    const first = intake(slow).runOnce();
    await delivering;
    // Past the lease (2 minutes): a second worker claims it again and is accepted.
    h.clock.advance(3 * 60_000);
    expect(await accept()).toBe(1);
    release();
    await first;
    expect(await resultOf(number)).toBe("受付完了");
    expect(await mails("お申し込み受付")).toHaveLength(1);
  });
});

describe("受付失敗のお知らせ", () => {
  it("is mailed once, on the final failure, with the number and the contact center; a later 再送 accepted sends 申込受付", async () => {
    const number = await submit("order");
    const failing = intake(down, 2);
    await failing.runOnce();
    expect(await resultOf(number)).toBe("処理中");
    expect(await mails("受付失敗")).toEqual([]);
    h.clock.advance(60_000);
    await failing.runOnce();
    expect(await resultOf(number)).toBe("受付失敗");

    const [mail, ...more] = await mails("受付失敗のお知らせ");
    expect(more).toEqual([]);
    expect(mail?.subject).toBe(`【${h.config.site.siteName}】受付失敗のお知らせ(${number})`);
    const { contactPhone, contactHours } = h.config.site;
    expect(mail?.text).toContain(
      `申込番号 ${number} をお伝えのうえ、コンタクトセンタ(${contactPhone} ${contactHours})`,
    );
    expect(mail?.html).toContain(contactPhone);
    expect(mail?.text).not.toContain("503"); // the endpoint's answer is not the customer's business
    expect(await mails("お申し込み受付")).toEqual([]);

    await retryIntake(h.deps, STAFF, number, META);
    expect(await accept()).toBe(1);
    expect(await resultOf(number)).toBe("受付完了");
    expect(await mails("お申し込み受付")).toHaveLength(1);
    expect(await mails("受付失敗のお知らせ")).toHaveLength(1);
  });

  it("a submitting user deleted since is sent nothing; the status still changes", async () => {
    const number = await submit("order");
    await b.call((c) => c.users.add({ email: "hanako@example.jp" }));
    const hanako = await h.db
      .selectFrom("users")
      .select("id")
      .where("email_normalized", "=", "hanako@example.jp")
      .executeTakeFirstOrThrow();
    // The application was hanako's, who is deleted before intake answers.
    await h.db.updateTable("applications").set({ user_id: hanako.id }).where("number", "=", number).execute();
    await b.call((c) => c.users.remove({ id: hanako.id }));
    await intake(down, 1).runOnce();
    expect(await resultOf(number)).toBe("受付失敗");
    await retryIntake(h.deps, STAFF, number, META);
    await accept();
    expect(await resultOf(number)).toBe("受付完了");
    const templates = (await h.db.selectFrom("mail_outbox").select("template").execute()).map((m) => m.template);
    expect(templates).not.toContain("application-received");
    expect(templates).not.toContain("application-failed");
  });
});

describe("手配済, 回答済, 返却済 mail the submitting user", () => {
  it("手配完了 and 見積回答", async () => {
    const order = await submit("order");
    const quote = await submit("quote");
    await accept();
    await arrangeApplication(h.deps, STAFF, order, META);
    expect(await mails(`手配完了のお知らせ(${order})`)).toHaveLength(1);
    const lines = await h.db
      .selectFrom("application_lines")
      .innerJoin("applications", "applications.id", "application_lines.application_id")
      .select("application_lines.id")
      .where("applications.number", "=", quote)
      .execute();
    await answerQuote(
      h.deps,
      STAFF,
      quote,
      { unitPrices: Object.fromEntries(lines.map((l) => [l.id, 1000])), validUntil: today(), comment: "" },
      META,
    );
    const answered = await mails(`見積回答のお知らせ(${quote})`);
    expect(answered).toHaveLength(1);
    // 1,000円 × 3 + 1,000円 × 2; quoted prices are final: no 概算.
    expect(answered[0]?.text).toContain("小計: 5,000円\n消費税: 500円(10%)\n合計: 5,500円");
  });

  it("返却確認のお知らせ lists the returned lines and says whether the rental ended", async () => {
    const order = await submit("order");
    await accept();
    const { contractNo } = await arrangeApplication(h.deps, STAFF, order, META);
    const [rental] = (await b.call((c) => c.rentals.list({}))).rentals;
    if (!rental) throw new Error("no rental");
    const [scope, meter] = rental.lines as [(typeof rental.lines)[0], (typeof rental.lines)[0]];
    const cancel = async (quantities: Record<string, number>) => {
      const { number } = await b.call((c) =>
        c.rentals.requestCancellation({
          rentalId: rental.id,
          mode: "partial",
          quantities,
          returnDate: today(),
          notes: "",
          idempotencyKey: newKey(),
        }),
      );
      expect(await mails(`お申し込み受付のお知らせ(${number})`)).toEqual([]);
      await accept();
      expect(await mails(`お申し込み受付のお知らせ(${number})`)).toHaveLength(1);
      return number;
    };

    const first = await cancel({ [scope.id]: 1 });
    expect(await mails("返却確認")).toEqual([]);
    await confirmReturn(h.deps, STAFF, first, META);
    const [partial, ...more] = await mails(`返却確認のお知らせ(${first})`);
    expect(more).toEqual([]);
    expect(partial?.text).toContain(`契約番号: ${contractNo}`);
    expect(partial?.text).toContain("1. DSOX1204G デジタル・オシロスコープ × 1");
    expect(partial?.text).not.toContain("87V");
    expect(partial?.text).toContain("レンタル: 継続中です");
    // A second click changes nothing and mails nothing.
    await confirmReturn(h.deps, STAFF, first, META);
    expect(await mails(`返却確認のお知らせ(${first})`)).toHaveLength(1);

    const last = await cancel({ [scope.id]: 2, [meter.id]: 2 });
    await confirmReturn(h.deps, STAFF, last, META);
    const [ended] = await mails(`返却確認のお知らせ(${last})`);
    expect(ended?.text).toContain("1. DSOX1204G デジタル・オシロスコープ × 2\n2. 87V デジタルマルチメータ × 2");
    expect(ended?.text).toContain("レンタル: 終了しました");
    expect(ended?.html).toContain("返却を確認した商品");
  });
});

describe("mail tables", () => {
  it("every header cell of every mail says what it heads (scope row or col)", () => {
    for (const name of Object.keys(mailTemplates) as MailTemplateName[]) {
      const vars = Object.fromEntries(mailTemplates[name].vars.map((v) => [v, v]));
      const { html } = h.renderer.render(name, vars as never);
      for (const th of html.match(/<th\b[^>]*>/g) ?? []) expect(th, name).toMatch(/\sscope="(row|col)"/);
    }
  });
});
