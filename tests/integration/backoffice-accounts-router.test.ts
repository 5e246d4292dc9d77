import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { fieldErrorsOf } from "../../server/trpc/field-errors";
import { domainCode, failure, fieldErrors } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";

/**
 * 顧客管理 and 会員データ移行 through the router (server/routers/backoffice-accounts.ts), as the
 * /admin/accounts and /admin/import actions call it: a signed-in operator, the services underneath.
 */

const OPERATOR = { email: "ops@example.jp", password: "Staff-2026b", role: "operator" as const };
const PASSWORD = "Rental-2026";
const ACME = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };

let h: Harness;
let staff: TestBrowser;
let staffId: string;
beforeEach(async () => {
  h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
  ({ staffId } = await createStaff(h.deps, OPERATOR));
  staff = h.browser();
  await staff.call((c) => c.staffAuth.login({ email: OPERATOR.email, password: OPERATOR.password }));
  const mail = (await h.mailsTo(OPERATOR.email)).find((m) => m.subject.includes("ワンタイムパスワード"));
  const code = mail && /ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1];
  await staff.call((c) => c.staffAuth.verifyOtp({ code: code ?? "" }));
});
afterEach(async () => {
  await h.close();
});

const customerLogin = (email = ACME.email, password = PASSWORD) =>
  h.browser().call((c) => c.auth.login({ loginId: ACME.loginId, email, password }));
const base64 = (text: string | Uint8Array) => Buffer.from(text).toString("base64");

describe("顧客管理", () => {
  it("opens an account without a password (set-up mail), finds it and shows its user", async () => {
    const { accountId } = await staff.call((c) => c.backofficeAccounts.open(ACME));
    const setup = (await h.mailsTo(ACME.email)).find((m) => m.subject.includes("パスワード設定"));
    expect(setup?.text).toMatch(/\/setup-password\//);
    const audit = await h.db.selectFrom("audit_events").selectAll().where("action", "=", "account.create").execute();
    expect(audit.map((a) => a.actor_id)).toEqual([staffId]);

    await createAccount(h.deps, { loginId: "beta02", companyName: "ベータ電機", email: "b@example.jp" });
    const found = await staff.call((c) => c.backofficeAccounts.search({ keyword: "アクメ" }));
    expect(found).toEqual({
      rows: [
        {
          id: accountId,
          loginId: "acme01",
          companyName: "アクメ計測",
          status: "active",
          statusLabel: "利用中",
          userCount: 1,
        },
      ],
      nextCursor: null,
    });
    const all = await staff.call((c) => c.backofficeAccounts.search({}));
    expect(all.rows.map((r) => r.loginId)).toEqual(["acme01", "beta02"]);

    const detail = await staff.call((c) => c.backofficeAccounts.get({ accountId }));
    expect(detail.users).toMatchObject([
      { email: ACME.email, state: "pending", stateLabel: "設定待ち", lastLoginAt: null, lastLoginLabel: null },
    ]);
  });

  it("refuses a bad 顧客登録 with messages per field, and a taken login ID", async () => {
    const e = await failure(
      staff.call((c) => c.backofficeAccounts.open({ loginId: "a", companyName: "", email: "x", password: "short" })),
    );
    expect(e.code).toBe("BAD_REQUEST");
    expect(Object.keys(fieldErrors(e)).sort()).toEqual(["companyName", "email", "loginId", "password"]);
    await staff.call((c) => c.backofficeAccounts.open({ ...ACME, password: PASSWORD }));
    const taken = await failure(staff.call((c) => c.backofficeAccounts.open(ACME)));
    expect(domainCode(taken)).toBe("LOGIN_ID_TAKEN");
  });

  it("suspends and resumes; requires a password change; resends the set-up mail; unlocks", async () => {
    const { accountId, userId } = await createAccount(h.deps, { ...ACME, permanentPassword: PASSWORD });
    await customerLogin();
    const lastLogin = (await staff.call((c) => c.backofficeAccounts.get({ accountId }))).users[0];
    expect(lastLogin?.lastLoginLabel).toMatch(/日本時間/);

    await staff.call((c) => c.backofficeAccounts.suspend({ accountId }));
    expect((await staff.call((c) => c.backofficeAccounts.get({ accountId }))).statusLabel).toBe("利用停止");
    expect(domainCode(await failure(customerLogin()))).toBe("INVALID_CREDENTIALS");
    await staff.call((c) => c.backofficeAccounts.resume({ accountId }));
    await customerLogin();

    await staff.call((c) => c.backofficeAccounts.requirePasswordChange({ accountId, userId }));
    const forced = await h.db.selectFrom("users").select("must_change_password").where("id", "=", userId).execute();
    expect(forced).toEqual([{ must_change_password: 1 }]);
    const resend = await failure(staff.call((c) => c.backofficeAccounts.resendSetupMail({ accountId, userId })));
    expect(resend.message).toBe("この利用者はパスワードを設定済みです。");

    for (let i = 0; i < 10; i++) await customerLogin(ACME.email, "Wrong-2026x").catch(() => undefined);
    expect((await staff.call((c) => c.backofficeAccounts.get({ accountId }))).users[0]?.stateLabel).toBe("ロック中");
    await staff.call((c) => c.backofficeAccounts.unlockUser({ accountId, userId }));
    expect((await staff.call((c) => c.backofficeAccounts.get({ accountId }))).users[0]?.stateLabel).toBe("有効");

    const missing = await failure(staff.call((c) => c.backofficeAccounts.get({ accountId: "nope" })));
    expect(missing.code).toBe("NOT_FOUND");
  });
});

describe("会員データ移行", () => {
  const HEADER = "ログインID,会社名,メールアドレス,ユーザ名\r\n";
  const GOOD = `${HEADER}mig01,移行商事,one@example.jp,移行 一郎\r\nmig01,移行商事,two@example.jp,移行 二郎\r\n`;

  it("previews the errors of a bad file and imports nothing; then imports a good one, once", async () => {
    const bad = `${GOOD}mig02,別商事,not-an-email,三郎\r\n`;
    const preview = await staff.call((c) => c.backofficeAccounts.previewMemberImport({ file: base64(bad) }));
    expect(preview).toMatchObject({ ok: false, errors: [{ line: 4, column: "メールアドレス" }] });
    const refused = await staff.call((c) => c.backofficeAccounts.importMembers({ file: base64(bad) }));
    expect(refused.ok).toBe(false);
    expect(await h.db.selectFrom("accounts").select("id").execute()).toEqual([]);

    expect(await staff.call((c) => c.backofficeAccounts.previewMemberImport({ file: base64(GOOD) }))).toEqual({
      ok: true,
      accountsAdded: 1,
      usersAdded: 2,
      unchanged: 0,
    });
    expect(await staff.call((c) => c.backofficeAccounts.importMembers({ file: base64(GOOD) }))).toEqual({
      ok: true,
      accountsAdded: 1,
      usersAdded: 2,
      unchanged: 0,
      passwordCsv: null,
    });
    expect((await h.mailsTo("one@example.jp")).some((m) => m.subject.includes("パスワード設定"))).toBe(true);
    expect(await staff.call((c) => c.backofficeAccounts.importMembers({ file: base64(GOOD) }))).toMatchObject({
      accountsAdded: 0,
      usersAdded: 0,
      unchanged: 2,
    });
  });

  it("with 初期パスワードを発行する: no set-up mail, the passwords once in the answer's CSV, hashed in the database", async () => {
    const refused = await staff.call((c) =>
      c.backofficeAccounts.importMembers({ file: base64(`${GOOD}x,y,bad,z\r\n`), temporaryPasswords: true }),
    );
    expect(refused).toMatchObject({ ok: false, passwordCsv: null });

    const result = await staff.call((c) =>
      c.backofficeAccounts.importMembers({ file: base64(GOOD), temporaryPasswords: true }),
    );
    expect(result).toMatchObject({ ok: true, accountsAdded: 1, usersAdded: 2, unchanged: 0 });
    expect(result).not.toHaveProperty("temporaryPasswords");
    const csv = (result.ok && result.passwordCsv) || "";
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const rows = csv
      .slice(1)
      .trimEnd()
      .split("\r\n")
      .map((l) => l.split(","));
    expect(rows[0]).toEqual(["行", "ログインID", "会社名", "メールアドレス", "ユーザ名", "仮パスワード"]);
    expect(rows.slice(1).map((r) => r.slice(0, 5))).toEqual([
      ["2", "mig01", "移行商事", "one@example.jp", "移行 一郎"],
      ["3", "mig01", "移行商事", "two@example.jp", "移行 二郎"],
    ]);
    const password = rows[1]?.[5] ?? "";
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(await h.mailsTo("one@example.jp")).toEqual([]);

    // Stored only as a hash; not in the audit log.
    const stored = JSON.stringify([
      await h.db.selectFrom("users").selectAll().execute(),
      await h.db.selectFrom("audit_events").selectAll().execute(),
    ]);
    expect(stored).not.toContain(password);
    const audit = await h.db.selectFrom("audit_events").selectAll().where("action", "=", "member.import").execute();
    expect(audit.map((a) => [a.actor_id, JSON.parse(a.details ?? "{}").temporaryPasswords])).toEqual([[staffId, true]]);

    // The imported user signs in with it and must change it first.
    const signedIn = await h
      .browser()
      .call((c) => c.auth.login({ loginId: "mig01", email: "one@example.jp", password }));
    expect(signedIn).toMatchObject({ mustChangePassword: true });

    // The same file again: nothing new, so no passwords.
    expect(
      await staff.call((c) => c.backofficeAccounts.importMembers({ file: base64(GOOD), temporaryPasswords: true })),
    ).toEqual({ ok: true, accountsAdded: 0, usersAdded: 0, unchanged: 2, passwordCsv: null });
  });

  it("reads the file's bytes as sent (here UTF-8 with a BOM), and refuses what is not base64", async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(GOOD)]);
    expect(await staff.call((c) => c.backofficeAccounts.previewMemberImport({ file: base64(bom) }))).toMatchObject({
      ok: true,
      usersAdded: 2,
    });
    const e = await failure(staff.call((c) => c.backofficeAccounts.previewMemberImport({ file: "not base64!" })));
    expect(fieldErrorsOf(e).file).toEqual(["CSVファイルを読み取れませんでした。"]);
  });
});
