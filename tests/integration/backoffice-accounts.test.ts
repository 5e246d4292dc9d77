import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  getAccountForStaff,
  openAccount,
  requirePasswordChange,
  resendSetupMail,
  resumeAccount,
  searchAccounts,
  suspendAccount,
  unlockUser,
} from "../../server/services/backoffice/accounts";
import { INVALID_CREDENTIALS_MESSAGE } from "../../server/services/errors";
import { createAccount } from "../../server/services/identity/accounts";
import { domainCode, failure } from "../support/errors";
import { createHarness, type Harness } from "../support/harness";

const STAFF = { id: "staff-1" };
const META = { ip: "198.51.100.7", userAgent: "staff-browser" };
const PASSWORD = "Rental-2026";
const ACME = { loginId: "acme01", companyName: "株式会社 アクメ計測", email: "taro@example.jp" };

let h: Harness;
let acmeId: string;
let taroId: string;
beforeEach(async () => {
  h = await createHarness();
  const opened = await createAccount(h.deps, { ...ACME, userName: "計測 太郎", permanentPassword: PASSWORD });
  acmeId = opened.accountId;
  taroId = opened.userId;
});
afterEach(async () => {
  await h.close();
});

const login = (b = h.browser(), email = ACME.email, password = PASSWORD) =>
  b.call((c) => c.auth.login({ loginId: ACME.loginId, email, password }));
const audit = (action: string) =>
  h.db.selectFrom("audit_events").selectAll().where("action", "=", action).orderBy("at").execute();

describe("顧客管理: 検索", () => {
  it("finds accounts by a prefix of the login ID or of the company name without its legal form", async () => {
    await createAccount(h.deps, { loginId: "Beta-02", companyName: "ベータ電機(株)", email: "b@example.jp" });
    await createAccount(h.deps, { loginId: "gamma03", companyName: "ガンマ ＴＥＣＨ 合同会社", email: "g@example.jp" });
    const ids = async (keyword: string) => (await searchAccounts(h.deps, keyword)).rows.map((r) => r.loginId);
    expect(await ids("")).toEqual(["Beta-02", "acme01", "gamma03"].sort());
    expect(await ids("ACME")).toEqual(["acme01"]);
    expect(await ids("beta-")).toEqual(["Beta-02"]);
    expect(await ids("アクメ")).toEqual(["acme01"]);
    expect(await ids("株式会社アクメ計")).toEqual(["acme01"]);
    expect(await ids("㈱ベータ")).toEqual(["Beta-02"]);
    expect(await ids("ガンマtech")).toEqual(["gamma03"]);
    expect(await ids("計測")).toEqual([]);
    const [row] = (await searchAccounts(h.deps, "acme")).rows;
    expect(row).toEqual({
      id: acmeId,
      loginId: "acme01",
      companyName: "株式会社 アクメ計測",
      status: "active",
      statusLabel: "利用中",
      userCount: 1,
    });
  });

  it("pages by keyset: every account once, in login ID order, new accounts before the cursor not repeated", async () => {
    for (let i = 1; i <= 7; i++) {
      await createAccount(h.deps, { loginId: `page${i}`, companyName: `ページ商事${i}`, email: `p${i}@example.jp` });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof searchAccounts>> = await searchAccounts(h.deps, "ページ", cursor, 3);
      seen.push(...page.rows.map((r) => r.loginId));
      cursor = page.nextCursor;
      if (pages++ === 0) {
        await createAccount(h.deps, { loginId: "page0", companyName: "ページ商事0", email: "p0@example.jp" });
      }
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(["page1", "page2", "page3", "page4", "page5", "page6", "page7"]);
  });
});

describe("顧客管理: 顧客登録 and the account page", () => {
  it("opens an account with a set-up mail, or with 初期パスワード that must be changed at first login", async () => {
    const mailed = await openAccount(h.deps, STAFF, {
      loginId: "delta04",
      companyName: "デルタ工業",
      email: "d@example.jp",
    });
    expect((await h.mailsTo("d@example.jp")).map((m) => m.subject)).toEqual([
      expect.stringContaining("パスワード設定依頼"),
    ]);
    const page = await getAccountForStaff(h.deps, mailed.accountId);
    expect(page.users).toMatchObject([{ email: "d@example.jp", state: "pending", stateLabel: "設定待ち" }]);

    await openAccount(h.deps, STAFF, {
      loginId: "echo05",
      companyName: "エコー",
      email: "e@example.jp",
      initialPassword: "Temp-2026a",
    });
    const b = h.browser();
    expect(
      await b.call((c) => c.auth.login({ loginId: "echo05", email: "e@example.jp", password: "Temp-2026a" })),
    ).toMatchObject({ mustChangePassword: true });
    expect(domainCode(await failure(b.call((c) => c.users.list())))).toBe("PASSWORD_CHANGE_REQUIRED");
    // One clock time for all three: in login ID order (acme01 by the set-up, then staff's two).
    const created = (await audit("account.create")).sort((x, y) => ((x.target ?? "") < (y.target ?? "") ? -1 : 1));
    expect(created).toMatchObject([
      { actor_type: "system" },
      { actor_type: "staff", actor_id: "staff-1", target: "delta04" },
      { actor_type: "staff", actor_id: "staff-1", target: "echo05" },
    ]);

    const taken = await failure(
      openAccount(h.deps, STAFF, { loginId: "acme01", companyName: "x", email: "x@example.jp" }),
    );
    expect(taken.message).toBe("このログインIDは既に使われています。");
    expect((taken as unknown as { fieldErrors: Record<string, string[]> }).fieldErrors).toEqual({
      loginId: ["このログインIDは既に使われています。"],
    });
  });

  it("lists the users with their state and last login; an unknown account is not found", async () => {
    h.clock.advance(60_000);
    await login();
    const owner = h.browser();
    await login(owner);
    await owner.call((c) => c.users.add({ email: "hanako@example.jp" }));
    const page = await getAccountForStaff(h.deps, acmeId);
    expect(page).toMatchObject({ loginId: "acme01", status: "active", statusLabel: "利用中", suspendedAt: null });
    expect(page.users).toEqual([
      {
        id: taroId,
        email: "taro@example.jp",
        name: "計測 太郎",
        state: "active",
        stateLabel: "有効",
        mustChangePassword: false,
        mfaEnabled: false,
        authenticator: false,
        lastLoginAt: "2026-04-01T00:01:00.000Z",
      },
      expect.objectContaining({ email: "hanako@example.jp", state: "pending", lastLoginAt: null }),
    ]);
    expect(domainCode(await failure(getAccountForStaff(h.deps, "no-such-account")))).toBe("NOT_FOUND");
  });
});

describe("顧客管理: actions on a user", () => {
  it("ロック解除 ends the lockout: the state shows ロック中, then the right password works again", async () => {
    for (let i = 0; i < 10; i++) await failure(login(h.browser(), ACME.email, "Wrong-pass1"));
    expect((await getAccountForStaff(h.deps, acmeId)).users[0]).toMatchObject({
      state: "locked",
      stateLabel: "ロック中",
    });
    expect((await failure(login())).message).toBe(INVALID_CREDENTIALS_MESSAGE);

    await unlockUser(h.deps, STAFF, acmeId, taroId, META);
    expect((await getAccountForStaff(h.deps, acmeId)).users[0]?.state).toBe("active");
    expect(await login()).toMatchObject({ mustChangePassword: false });
    expect(await audit("user.unlock")).toMatchObject([
      { actor_type: "staff", actor_id: "staff-1", account_id: acmeId, target: ACME.email, ip: "198.51.100.7" },
    ]);
  });

  it("設定メール再送 mails a new link (the old one stops working) only to a user without a password", async () => {
    const owner = h.browser();
    await login(owner);
    const { userId } = await owner.call((c) => c.users.add({ email: "hanako@example.jp" }));
    const tokenOf = async () =>
      /\/setup-password\/(\S+)/.exec((await h.mailsTo("hanako@example.jp"))[0]?.text ?? "")?.[1] ?? "";
    const first = await tokenOf();
    h.clock.advance(1000);
    await resendSetupMail(h.deps, STAFF, acmeId, userId, META);
    const second = await tokenOf();
    expect(second).not.toBe(first);
    const anon = h.browser();
    expect(await anon.call((c) => c.users.setupLink({ token: first }))).toBeNull();
    expect(await anon.call((c) => c.users.setupLink({ token: second }))).toMatchObject({ loginId: "acme01" });

    const done = await failure(resendSetupMail(h.deps, STAFF, acmeId, taroId, META));
    expect(done.message).toBe("この利用者はパスワードを設定済みです。");
    // Another account's user is not found through this account.
    const other = await createAccount(h.deps, { loginId: "other01", companyName: "別", email: "o@example.jp" });
    expect(domainCode(await failure(resendSetupMail(h.deps, STAFF, acmeId, other.userId, META)))).toBe("NOT_FOUND");
  });

  it("パスワード変更を要求 ends the user's sessions and forces the change at the next login", async () => {
    const b = h.browser();
    await login(b);
    await requirePasswordChange(h.deps, STAFF, acmeId, taroId, META);
    expect(domainCode(await failure(b.call((c) => c.users.list())))).toBe("UNAUTHORIZED");
    expect(await login(b)).toMatchObject({ mustChangePassword: true });
    expect(domainCode(await failure(b.call((c) => c.users.list())))).toBe("PASSWORD_CHANGE_REQUIRED");
    expect((await getAccountForStaff(h.deps, acmeId)).users[0]?.mustChangePassword).toBe(true);
    expect(await audit("user.require_password_change")).toMatchObject([{ actor_type: "staff", account_id: acmeId }]);
  });
});

describe("顧客管理: 利用停止 / 利用再開", () => {
  it("利用停止 ends every session of the account at once and its logins get the generic answer; 利用再開 undoes it", async () => {
    const taro = h.browser();
    await login(taro);
    await taro.call((c) => c.users.add({ email: "hanako@example.jp" }));
    const other = await h.otherAccount();

    h.clock.advance(1000);
    await suspendAccount(h.deps, STAFF, acmeId, META);
    expect(domainCode(await failure(taro.call((c) => c.users.list())))).toBe("UNAUTHORIZED");
    const sessions = await h.db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .select("sessions.id")
      .where("users.account_id", "=", acmeId)
      .execute();
    expect(sessions).toEqual([]);
    expect((await failure(login())).message).toBe(INVALID_CREDENTIALS_MESSAGE);
    // Other accounts go on.
    expect((await other.call((c) => c.users.list())).users).toHaveLength(1);
    expect(await getAccountForStaff(h.deps, acmeId)).toMatchObject({
      status: "disabled",
      statusLabel: "利用停止",
      suspendedAt: "2026-04-01T00:00:01.000Z",
    });
    expect((await searchAccounts(h.deps, "acme")).rows[0]?.statusLabel).toBe("利用停止");
    // Twice is once.
    await suspendAccount(h.deps, STAFF, acmeId, META);
    expect(await audit("account.suspend")).toMatchObject([
      { actor_type: "staff", actor_id: "staff-1", account_id: acmeId, target: "acme01" },
    ]);

    await resumeAccount(h.deps, STAFF, acmeId, META);
    expect(await login()).toMatchObject({ status: "signed_in" });
    expect(await getAccountForStaff(h.deps, acmeId)).toMatchObject({ status: "active", suspendedAt: null });
    expect(await audit("account.resume")).toMatchObject([{ actor_type: "staff", account_id: acmeId }]);
  });
});
