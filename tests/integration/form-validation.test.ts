import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { LIMITS } from "../../server/services/ordering/templates";
import { fieldErrorsOf } from "../../server/trpc/field-errors";
import { failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { expectJapanese } from "../support/japanese";
import { DELIVERY } from "../support/samples";

/**
 * Every field of every customer form, through the tRPC caller the Remix actions use, with what a user
 * can type: a blank, something that is not a number (or date), full-width input and a value out of
 * range. A refusal must come back in Japanese and keyed by the form's field name (fieldErrorsOf, as
 * the forms read it); full-width digits are read as digits. Forms send the text as typed.
 */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
/** The clock stands at 2026-04-01 09:00 in Japan. */
const TODAY = "2026-04-01";
const YESTERDAY = "2026-03-31";
const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

let h: Harness;
let b: TestBrowser;
let products: Record<string, string>;
let rental: { id: string; lines: { id: string }[] };
let templateId: string;
let keys = 0;
const newKey = () => `walk-key-${String(++keys).padStart(8, "0")}-abcdef`;

beforeAll(async () => {
  h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
  await insertProducts(h.db, h.clock.now(), [
    ...["DSOX1204G", "87V"].map((modelNo) => ({
      modelNo,
      maker: "キーサイト・テクノロジー",
      name: `測定器 ${modelNo}`,
      category: "測定器",
      specSummary: "",
      dailyPrice: 1000,
      monthlyPrice: 10000,
    })),
    // Enough for a second page of the catalog (20 a page).
    ...Array.from({ length: 23 }, (_, i) => ({
      modelNo: `FILLER-${i}`,
      maker: "フィラー",
      name: `予備品 ${i}`,
      category: "予備",
      specSummary: "",
      dailyPrice: 100,
      monthlyPrice: 1000,
    })),
  ]);
  const rows = await h.db.selectFrom("products").select(["id", "model_no"]).execute();
  products = Object.fromEntries(rows.map((r) => [r.model_no, r.id]));
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
  b = h.browser();
  await b.call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD }));

  // A running rental of 3 + 5 for the cancellation form.
  const { number } = await b.call((c) =>
    c.applications.submit(
      order({
        lines: [
          { productId: products.DSOX1204G as string, quantity: "3" },
          { productId: products["87V"] as string, quantity: "5" },
        ],
      }),
    ),
  );
  await h.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", number).execute();
  const { rentalId } = await arrangeOrder(h.deps, number, { type: "system" });
  rental = await b.call((c) => c.rentals.get({ id: rentalId }));
  templateId = (await b.call((c) => c.templates.create({ name: "本社", ...DELIVERY }))).id;
});
afterAll(async () => {
  await h.close();
});

/** The 注文 form as the action sends it: text as typed. */
function order(overrides: Record<string, unknown> = {}) {
  return {
    kind: "order" as const,
    lines: [{ productId: products.DSOX1204G as string, quantity: "3" }],
    startDate: TODAY,
    periodUnit: "month" as const,
    period: "3",
    delivery: DELIVERY,
    notes: "",
    poNumber: "",
    idempotencyKey: newKey(),
    ...overrides,
  };
}

/** The messages per field the form gets from a refused call, each checked to be Japanese. */
async function refused(call: Promise<unknown>) {
  const error = await failure(call);
  expectJapanese(error.message);
  const errors = fieldErrorsOf(error);
  for (const message of Object.values(errors).flat()) expectJapanese(message);
  return { errors, message: error.message };
}

type Expected = { key: string; message: string | RegExp } | { ok: true } | { form: string };
const ok = { ok: true } as const;

/** Runs one case: refused with the message at the field's key, refused with a form-level message, or accepted. */
async function expectOutcome<T>(call: () => Promise<T>, expected: Expected, accepted?: (result: T) => void) {
  if ("ok" in expected) {
    const result = await call();
    accepted?.(result);
    return;
  }
  const { errors, message } = await refused(call());
  if ("form" in expected) {
    expect(errors).toEqual({});
    expect(message).toBe(expected.form);
    return;
  }
  const messages = errors[expected.key];
  expect(messages, `messages at ${expected.key}: ${JSON.stringify(errors)}`).toBeDefined();
  if (typeof expected.message === "string") expect(messages).toContain(expected.message);
  else expect(messages?.join("\n")).toMatch(expected.message);
}

const tooLong = (label: string, max: number) => `${label}は${max}文字以内で入力してください。`;

/** The delivery fields, as the 注文 / 見積依頼 form and the template form share them. */
function deliveryCases(): [string, string, Expected, ((v: Record<string, string>) => void)?][] {
  const cases: [string, string, Expected, ((v: Record<string, string>) => void)?][] = [];
  for (const name of ["company", "department", "person", "postalCode", "address", "building", "phone"] as const) {
    const { label, max, required } = LIMITS[name];
    cases.push([name, "", required ? { key: name, message: `${label}を入力してください。` } : ok]);
    // Out of range: past the service's limit, and past the router's cap (same message).
    cases.push([name, "あ".repeat(max + 1), { key: name, message: tooLong(label, max) }]);
    cases.push([name, "あ".repeat(max * 4 + 1), { key: name, message: tooLong(label, max) }]);
  }
  cases.push(["company", "ＡＣＭＥ", ok, (d) => expect(d.company).toBe("ＡＣＭＥ")]);
  cases.push(["postalCode", "abc", { key: "postalCode", message: /^郵便番号は7桁の数字で入力してください/ }]);
  cases.push(["postalCode", "123-456", { key: "postalCode", message: /^郵便番号は7桁の数字で入力してください/ }]);
  cases.push(["postalCode", "１０５－００１１", ok, (d) => expect(d.postalCode).toBe("105-0011")]);
  cases.push(["phone", "abc", { key: "phone", message: /^電話番号は0から始まる10桁または11桁の数字/ }]);
  cases.push(["phone", "03-1234-567890", { key: "phone", message: /^電話番号は0から始まる10桁または11桁の数字/ }]);
  cases.push(["phone", "０３－１２３４－５６７８", ok, (d) => expect(d.phone).toBe("03-1234-5678")]);
  return cases;
}

describe("注文 / 見積依頼 form (applications.check, what 確認画面へ calls)", () => {
  const qty = () => `qty.${products.DSOX1204G}`;
  const withQuantity = (quantity: string) => order({ lines: [{ productId: products.DSOX1204G as string, quantity }] });

  it.each<[string, Expected, number?]>([
    ["", { key: "", message: "数量を入力してください。" }],
    ["abc", { key: "", message: "数量は数字で入力してください。" }],
    ["三", { key: "", message: "数量は数字で入力してください。" }],
    ["２", ok, 2],
    ["　１２　", ok, 12],
    ["100", { key: "", message: "数量は1〜99の整数で入力してください。" }],
    ["1.5", { key: "", message: "数量は1〜99の整数で入力してください。" }],
    ["-1", { key: "", message: "数量は1〜99の整数で入力してください。" }],
    // 0 takes the line out; with no line left the list says so.
    ["0", { key: "lines", message: "商品を1つ以上選んでください。" }],
  ])("数量 %j", async (value, expected, quantity) => {
    const e = "key" in expected && expected.key === "" ? { ...expected, key: qty() } : expected;
    await expectOutcome(
      () => b.call((c) => c.applications.check(withQuantity(value))),
      e,
      (r) => expect(r.lines[0]?.quantity).toBe(quantity),
    );
  });

  it.each<[string, "day" | "month", Expected]>([
    ["", "month", { key: "period", message: "レンタル期間を入力してください。" }],
    ["abc", "month", { key: "period", message: "レンタル期間は数字で入力してください。" }],
    ["１２", "month", ok],
    ["37", "month", { key: "period", message: "レンタル期間は1〜36か月で入力してください。" }],
    ["366", "day", { key: "period", message: "レンタル期間は1〜365日で入力してください。" }],
    ["0", "day", { key: "period", message: "レンタル期間は1〜365日で入力してください。" }],
  ])("レンタル期間 %j (%s)", async (period, periodUnit, expected) => {
    await expectOutcome(() => b.call((c) => c.applications.check(order({ period, periodUnit }))), expected);
  });

  it.each<[string, Expected]>([
    ["", { key: "startDate", message: "レンタル開始日を入力してください。" }],
    ["来週", { key: "startDate", message: "レンタル開始日は年-月-日(例: 2026-04-01)の形式で入力してください。" }],
    [fullWidth(TODAY), ok],
    ["2026/4/2", ok],
    ["2026-02-30", { key: "startDate", message: "レンタル開始日に正しい日付を入力してください。" }],
    ["2026-11-31", { key: "startDate", message: "レンタル開始日に正しい日付を入力してください。" }],
    ["2027-02-29", { key: "startDate", message: "レンタル開始日に正しい日付を入力してください。" }],
    [YESTERDAY, { key: "startDate", message: "レンタル開始日には本日以降の日付を指定してください。" }],
    ["2027-04-02", { key: "startDate", message: "レンタル開始日は1年以内の日付を指定してください。" }],
  ])("レンタル開始日 %j", async (startDate, expected) => {
    await expectOutcome(() => b.call((c) => c.applications.check(order({ startDate }))), expected);
  });

  it.each(deliveryCases())("お届け先 %s %j", async (name, value, expected, accepted) => {
    await expectOutcome(
      () => b.call((c) => c.applications.check(order({ delivery: { ...DELIVERY, [name]: value } }))),
      expected,
      (r) => accepted?.(r.delivery as unknown as Record<string, string>),
    );
  });

  it.each<[string, string, Expected]>([
    ["notes", "あ".repeat(1001), { key: "notes", message: tooLong("備考", 1000) }],
    ["notes", "あ".repeat(4001), { key: "notes", message: tooLong("備考", 1000) }],
    ["notes", "", ok],
    ["poNumber", "A".repeat(51), { key: "poNumber", message: tooLong("注文番号(PO)", 50) }],
    ["poNumber", "ＰＯ－１２３", ok],
  ])("%s %#", async (name, value, expected) => {
    await expectOutcome(() => b.call((c) => c.applications.check(order({ [name]: value }))), expected);
  });

  it("confirms the values as they will be stored", async () => {
    const checked = await b.call((c) => c.applications.check(order({ period: "１２", startDate: "２０２６/４/１０" })));
    expect([checked.startDate, checked.period]).toEqual(["2026-04-10", 12]);
  });

  it("submits what the form typed, full-width digits read as numbers", async () => {
    const { number } = await b.call((c) =>
      c.applications.submit(
        order({
          lines: [{ productId: products["87V"] as string, quantity: "４" }],
          period: "２",
          startDate: "2026/4/10",
        }),
      ),
    );
    const detail = await b.call((c) => c.history.get({ number }));
    expect(detail.lines.map((l) => l.quantity)).toEqual([4]);
  });
});

describe("見積依頼に追加 / 注文に追加 on a product page (applications.addToDraft)", () => {
  it.each<[string, Expected, number?]>([
    ["", { key: "quantity", message: "数量を入力してください。" }],
    ["abc", { key: "quantity", message: "数量は数字で入力してください。" }],
    ["３", ok, 3],
    ["0", { key: "quantity", message: "数量は1〜99の整数で入力してください。" }],
    ["100", { key: "quantity", message: "数量は1〜99の整数で入力してください。" }],
  ])("数量 %j", async (quantity, expected, stored) => {
    await b.call((c) => c.applications.removeFromDraft({ kind: "quote", productId: products["87V"] as string }));
    await expectOutcome(
      () => b.call((c) => c.applications.addToDraft({ kind: "quote", productId: products["87V"] as string, quantity })),
      expected,
    );
    if (stored) expect((await b.call((c) => c.applications.draft({ kind: "quote" })))[0]?.quantity).toBe(stored);
  });
});

describe("解約 form (rentals.checkCancellation)", () => {
  const cancel = (quantities: Record<string, string>, overrides: Record<string, unknown> = {}) => ({
    rentalId: rental.id,
    mode: "partial" as const,
    quantities,
    returnDate: TODAY,
    notes: "",
    idempotencyKey: newKey(),
    ...overrides,
  });
  const line = (n: number) => rental.lines[n]?.id as string;

  it.each<[string, Expected, number?]>([
    // A blank 解約数量 is none: the other line is cancelled alone.
    ["", ok, 0],
    ["abc", { key: "", message: "解約数量は数字で入力してください。" }],
    ["２", ok, 2],
    ["4", { key: "", message: "解約数量はレンタル中の数量(3)以下にしてください。" }],
    ["-1", { key: "", message: "解約数量は0以上の整数で入力してください。" }],
    ["0.5", { key: "", message: "解約数量は0以上の整数で入力してください。" }],
  ])("解約数量 %j", async (value, expected, quantity) => {
    const e = "key" in expected ? { ...expected, key: `qty.${line(0)}` } : expected;
    await expectOutcome(
      () => b.call((c) => c.rentals.checkCancellation(cancel({ [line(0)]: value, [line(1)]: "1" }))),
      e,
      (lines) => expect(lines.find((l) => l.id === line(0))?.quantity ?? 0).toBe(quantity),
    );
  });

  it.each<[string, Expected]>([
    ["", { key: "returnDate", message: "返却希望日を入力してください。" }],
    ["abc", { key: "returnDate", message: "返却希望日は年-月-日(例: 2026-04-01)の形式で入力してください。" }],
    [fullWidth(TODAY), ok],
    ["2026-04-31", { key: "returnDate", message: "返却希望日に正しい日付を入力してください。" }],
    ["2026-11-31", { key: "returnDate", message: "返却希望日に正しい日付を入力してください。" }],
    ["2027-02-29", { key: "returnDate", message: "返却希望日に正しい日付を入力してください。" }],
    [YESTERDAY, { key: "returnDate", message: "返却希望日には本日以降の日付を指定してください。" }],
  ])("返却希望日 %j", async (returnDate, expected) => {
    await expectOutcome(
      () => b.call((c) => c.rentals.checkCancellation(cancel({ [line(0)]: "1" }, { returnDate }))),
      expected,
    );
  });

  it("備考 out of range", async () => {
    await expectOutcome(
      () => b.call((c) => c.rentals.checkCancellation(cancel({ [line(0)]: "1" }, { notes: "あ".repeat(1001) }))),
      { key: "notes", message: tooLong("備考", 1000) },
    );
  });
});

describe("お届け先テンプレート form (templates.update)", () => {
  const update = (fields: Record<string, string>) =>
    b.call((c) => c.templates.update({ id: templateId, name: "本社", ...DELIVERY, ...fields }));

  it.each<[string, Expected]>([
    ["", { key: "name", message: "テンプレート名を入力してください。" }],
    ["ＡＢＣ", ok],
    ["あ".repeat(41), { key: "name", message: tooLong("テンプレート名", 40) }],
    ["あ".repeat(161), { key: "name", message: tooLong("テンプレート名", 40) }],
  ])("テンプレート名 %j", async (name, expected) => {
    await expectOutcome(() => update({ name }), expected);
  });

  it.each(deliveryCases())("%s %j", async (name, value, expected, accepted) => {
    await expectOutcome(
      () => update({ [name]: value }),
      expected,
      (t) => accepted?.(t as unknown as Record<string, string>),
    );
  });
});

describe("利用者追加 form (users.add)", () => {
  it.each<[string, Expected]>([
    ["", { key: "email", message: "メールアドレスを入力してください。" }],
    ["abc", { key: "email", message: "メールアドレスの形式が正しくありません。" }],
    ["ｈａｎａｋｏ＠ｅｘａｍｐｌｅ．ｊｐ", { key: "email", message: "メールアドレスの形式が正しくありません。" }],
    [`${"a".repeat(250)}@example.jp`, { key: "email", message: "メールアドレスが長すぎます。" }],
  ])("メールアドレス %j", async (email, expected) => {
    await expectOutcome(() => b.call((c) => c.users.add({ email })), expected);
  });
});

describe("ログイン form (auth.login)", () => {
  const login = (fields: Record<string, string>) =>
    h.browser().call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD, ...fields }));
  const WRONG = /^ログインID、メールアドレスまたはパスワードが正しくありません。/;

  it.each<[string, string, Expected]>([
    ["loginId", "", { key: "loginId", message: "ログインIDを入力してください。" }],
    ["loginId", "ａｃｍｅ０１", ok],
    ["loginId", "a".repeat(65), { key: "loginId", message: "ログインIDが長すぎます。" }],
    ["email", "", { key: "email", message: "メールアドレスを入力してください。" }],
    ["email", "a".repeat(255), { key: "email", message: "メールアドレスが長すぎます。" }],
    ["password", "", { key: "password", message: "パスワードを入力してください。" }],
    ["password", "a".repeat(129), { key: "password", message: "パスワードが長すぎます。" }],
  ])("%s %j", async (name, value, expected) => {
    await expectOutcome(() => login({ [name]: value }), expected);
  });

  it("a full-width email or password is a wrong combination: one message, no field named", async () => {
    for (const fields of [{ email: fullWidth(USER.email) }, { password: fullWidth(PASSWORD) }] as Record<
      string,
      string
    >[]) {
      const { errors, message } = await refused(login(fields));
      expect(errors).toEqual({});
      expect(message).toMatch(WRONG);
    }
  });
});

describe("ワンタイムパスワード form (auth.verifyOtp)", () => {
  it("refuses a blank, letters and seven digits by field, and reads a full-width code", async () => {
    const mfa = { loginId: "mfa01", companyName: "二要素", email: "mfa@example.jp" };
    const { userId } = await createAccount(h.deps, { ...mfa, permanentPassword: PASSWORD });
    await h.db.updateTable("users").set({ mfa_enabled: 1 }).where("id", "=", userId).execute();
    const browser = h.browser();
    await browser.call((c) => c.auth.login({ loginId: mfa.loginId, email: mfa.email, password: PASSWORD }));
    const mail = (await h.mailsTo(mfa.email)).find((m) => m.subject.includes("ワンタイムパスワード通知"));
    const code = /ワンタイムパスワード: (\d{6})/.exec(mail?.text ?? "")?.[1] as string;
    const SIX_DIGITS = "ワンタイムパスワードは6桁の数字で入力してください。";
    for (const [value, message] of [
      ["", "ワンタイムパスワードを入力してください。"],
      ["abcdef", SIX_DIGITS],
      ["1234567", SIX_DIGITS],
    ] as const) {
      await expectOutcome(() => browser.call((c) => c.auth.verifyOtp({ code: value })), { key: "code", message });
    }
    await browser.call((c) => c.auth.verifyOtp({ code: fullWidth(code) }));
    expect((await browser.call((c) => c.auth.me()))?.user.id).toBe(userId);
  });
});

describe("パスワード変更 form (account.changePassword)", () => {
  const NEW = "Better-2027";
  const change = (fields: Record<string, string>) =>
    b.call((c) =>
      c.account.changePassword({ currentPassword: PASSWORD, newPassword: NEW, confirmPassword: NEW, ...fields }),
    );

  it.each<[string, string, Expected]>([
    ["currentPassword", "", { key: "currentPassword", message: "現パスワードを入力してください。" }],
    ["currentPassword", "a".repeat(129), { key: "currentPassword", message: "パスワードが長すぎます。" }],
    ["newPassword", "", { key: "newPassword", message: "新パスワードを入力してください。" }],
    ["newPassword", fullWidth(NEW), { key: "newPassword", message: /半角/ }],
    ["newPassword", "Ab1-Ab1-Ab1-Ab1", { key: "newPassword", message: /12文字/ }],
    ["newPassword", "a".repeat(129), { key: "newPassword", message: "パスワードが長すぎます。" }],
    ["confirmPassword", "", { key: "confirmPassword", message: "新パスワード(確認用)を入力してください。" }],
    ["confirmPassword", fullWidth(NEW), { key: "confirmPassword", message: /一致しません/ }],
  ])("%s %j", async (name, value, expected) => {
    await expectOutcome(() => change({ [name]: value }), expected);
  });
});

describe("登録情報変更 and メールアドレス変更依頼 forms", () => {
  it.each<[Record<string, unknown>, Expected]>([
    [{ name: "ＡＢＣ", mfaEnabled: false }, ok],
    [
      { name: "あ".repeat(51), mfaEnabled: false },
      { key: "name", message: tooLong("ユーザ名", 50) },
    ],
    [
      { name: "あ".repeat(201), mfaEnabled: false },
      { key: "name", message: tooLong("ユーザ名", 50) },
    ],
    [
      { name: "", mfaEnabled: true, currentPassword: "" },
      { key: "currentPassword", message: /現在のパスワードを入力/ },
    ],
  ])("updateProfile %j", async (input, expected) => {
    await expectOutcome(
      () => b.call((c) => c.account.updateProfile(input as { name: string; mfaEnabled: boolean })),
      expected,
    );
  });

  it("requestEmailChange without the password", async () => {
    await expectOutcome(() => b.call((c) => c.account.requestEmailChange({ currentPassword: "" })), {
      key: "currentPassword",
      message: "パスワードを入力してください。",
    });
  });
});

describe("申込履歴 filter (history.list and its CSV)", () => {
  it.each<[string, Expected]>([
    ["", ok],
    [fullWidth(TODAY), ok],
    ["2026/4/1", ok],
    ["abc", { key: "", message: "は年-月-日(例: 2026-04-01)の形式で入力してください。" }],
    ["2026-13-01", { key: "", message: "に正しい日付を入力してください。" }],
  ])("期間 %j", async (value, expected) => {
    for (const [field, label] of [
      ["from", "期間(開始)"],
      ["to", "期間(終了)"],
    ] as const) {
      const e = "key" in expected ? { key: field, message: `${label}${expected.message}` } : expected;
      await expectOutcome(() => b.call((c) => c.history.list({ [field]: value })), e);
      await expectOutcome(() => b.call((c) => c.history.csvChunk({ [field]: value, cursor: null })), e);
    }
  });

  it("a full-width period filters like a half-width one", async () => {
    const all = await b.call((c) => c.history.list({}));
    const byDate = await b.call((c) => c.history.list({ from: fullWidth(TODAY), to: fullWidth(TODAY) }));
    expect(byDate.rows.map((r) => r.number)).toEqual(all.rows.map((r) => r.number));
    expect((await b.call((c) => c.history.list({ from: "2026-04-02" }))).rows).toEqual([]);
  });
});

describe("商品 search (catalog.search): never refused", () => {
  it.each<[string, number]>([
    ["", 1],
    ["abc", 1],
    ["２", 2],
    ["99", 2],
    ["-3", 1],
  ])("page %j → %i", async (page, expected) => {
    expect((await b.call((c) => c.catalog.search({ page }))).page).toBe(expected);
  });

  it("an over-long keyword is cut, not refused", async () => {
    const result = await b.call((c) => c.catalog.search({ keyword: "あ".repeat(5000) }));
    expect(result.total).toBe(0);
    expect((await b.call((c) => c.catalog.search({ keyword: "ｆｉｌｌｅｒ－１" }))).total).toBeGreaterThan(0);
  });
});
