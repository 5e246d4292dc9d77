import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrations } from "../../db/migrations";
import { HOUR } from "../../server/lib/clock";
import { createAccount } from "../../server/services/identity/accounts";
import { domainCode, failure, fieldErrors } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";

const OWNER = { loginId: "acme01", companyName: "アクメ計測", email: "owner@example.jp", userName: "管理 太郎" };
const PASSWORD = "Rental-2026";

let h: Harness;
let owner: TestBrowser;
beforeEach(async () => {
  h = await createHarness();
  await createAccount(h.deps, { ...OWNER, permanentPassword: PASSWORD });
  owner = h.browser();
  await owner.call((c) => c.auth.login({ loginId: OWNER.loginId, email: OWNER.email, password: PASSWORD }));
});
afterEach(async () => {
  await h.close();
});

async function setupToken(email: string): Promise<string> {
  const mail = (await h.mailsTo(email)).find((m) => m.subject.includes("パスワード設定依頼"));
  const token = /\/setup-password\/(\S+)/.exec(mail?.text ?? "")?.[1];
  if (!token) throw new Error(`no set-up link to ${email}`);
  return token;
}

const idOf = async (email: string) =>
  (await h.db.selectFrom("users").select("id").where("email_normalized", "=", email).executeTakeFirstOrThrow()).id;

describe("利用者追加", () => {
  it("adds a pending user who sets a password from the mailed link and can then log in", async () => {
    h.clock.advance(1000);
    await owner.call((c) => c.users.add({ email: " Hanako@Example.jp " }));
    const { users } = await owner.call((c) => c.users.list());
    expect(users.map((u) => [u.email, u.status, u.isSelf])).toEqual([
      ["owner@example.jp", "active", true],
      ["Hanako@Example.jp", "pending", false],
    ]);
    // Pending: no login yet.
    await failure(
      h.browser().call((c) => c.auth.login({ loginId: OWNER.loginId, email: "hanako@example.jp", password: "x" })),
    );

    const token = await setupToken("Hanako@Example.jp");
    const anon = h.browser();
    expect(await anon.call((c) => c.users.setupLink({ token }))).toEqual({
      loginId: "acme01",
      email: "Hanako@Example.jp",
    });
    const weak = await failure(
      anon.call((c) => c.users.completeSetup({ token, newPassword: "hanako-2026", confirmPassword: "hanako-2026" })),
    );
    expect(JSON.stringify(weak.cause)).toContain("英大文字");
    await anon.call((c) => c.users.completeSetup({ token, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }));
    const b = h.browser();
    await b.call((c) => c.auth.login({ loginId: OWNER.loginId, email: "hanako@example.jp", password: "Kqmzrtw7" }));
    expect((await b.call((c) => c.auth.me()))?.user.email).toBe("Hanako@Example.jp");
    // The link worked once.
    expect(await anon.call((c) => c.users.setupLink({ token }))).toBeNull();
    expect(
      domainCode(
        await failure(
          anon.call((c) => c.users.completeSetup({ token, newPassword: "Kqmzrtw9", confirmPassword: "Kqmzrtw9" })),
        ),
      ),
    ).toBe("TOKEN_INVALID");
  });

  it("refuses an address already in the account, compared trimmed and without case", async () => {
    const e = await failure(owner.call((c) => c.users.add({ email: "  OWNER@example.JP" })));
    expect(e.code).toBe("CONFLICT");
    expect(JSON.stringify(e.cause)).toContain("既に登録されています");
  });

  it("refuses a full-width twin of an address in the account (compared after NFKC)", async () => {
    await owner.call((c) => c.users.add({ email: "victim@example.jp" }));
    for (const twin of [
      "ｖｉｃｔｉｍ@example.jp",
      "ＶＩＣＴＩＭ@example.jp",
      "ｖictim@example.jp",
      "ｏｗｎｅｒ@example.jp",
    ]) {
      const e = await failure(owner.call((c) => c.users.add({ email: twin })));
      expect(domainCode(e)).toBe("DUPLICATE_EMAIL");
      expect(fieldErrors(e).email).toEqual(["このメールアドレスは既に登録されています。"]);
    }
    expect((await owner.call((c) => c.users.list())).users).toHaveLength(2);
  });

  it("keeps a full-width address as typed and signs it in by either form", async () => {
    await owner.call((c) => c.users.add({ email: "ｈａｎａｋｏ@example.jp" }));
    const row = await h.db
      .selectFrom("users")
      .select("email_normalized")
      .where("email", "=", "ｈａｎａｋｏ@example.jp")
      .executeTakeFirstOrThrow();
    expect(row.email_normalized).toBe("hanako@example.jp");
    const token = await setupToken("ｈａｎａｋｏ@example.jp");
    await h
      .browser()
      .call((c) => c.users.completeSetup({ token, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }));
    for (const email of ["hanako@example.jp", "ｈａｎａｋｏ@example.jp", "Hanako@example.jp"]) {
      await h.browser().call((c) => c.auth.login({ loginId: OWNER.loginId, email, password: "Kqmzrtw7" }));
    }
  });

  it("allows the same address under another login ID", async () => {
    const other = await h.otherAccount();
    await other.call((c) => c.users.add({ email: OWNER.email }));
  });

  it("refuses a bad address with its own message", async () => {
    const e = await failure(owner.call((c) => c.users.add({ email: "not-an-address" })));
    expect(JSON.stringify(e.cause)).toContain("メールアドレスの形式が正しくありません");
  });

  it("stops at 10 users per login ID, also when 20 adds race", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => owner.call((c) => c.users.add({ email: `user${i}@example.jp` }))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(9);
    const refused = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    expect(refused.every((r) => domainCode(r.reason) === "LIMIT_REACHED")).toBe(true);
    expect((await owner.call((c) => c.users.list())).users).toHaveLength(10);
    const e = await failure(owner.call((c) => c.users.add({ email: "eleventh@example.jp" })));
    expect(e.message).toBe("利用者は1つのログインIDにつき10件まで登録できます。");
  });
});

describe("set-up links", () => {
  it("expire after 72 hours", async () => {
    await owner.call((c) => c.users.add({ email: "late@example.jp" }));
    const token = await setupToken("late@example.jp");
    h.clock.advance(72 * HOUR - 1000);
    expect(await h.browser().call((c) => c.users.setupLink({ token }))).not.toBeNull();
    h.clock.advance(2000);
    expect(await h.browser().call((c) => c.users.setupLink({ token }))).toBeNull();
  });

  it("a resend voids the old link; active users get no resend", async () => {
    await owner.call((c) => c.users.add({ email: "again@example.jp" }));
    const first = await setupToken("again@example.jp");
    h.clock.advance(1000);
    const againId = await idOf("again@example.jp");
    await owner.call((c) => c.users.resendSetup({ id: againId }));
    const second = await setupToken("again@example.jp");
    expect(second).not.toBe(first);
    expect(await h.browser().call((c) => c.users.setupLink({ token: first }))).toBeNull();
    await h
      .browser()
      .call((c) => c.users.completeSetup({ token: second, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }));
    await failure(owner.call((c) => c.users.resendSetup({ id: againId })));
  });

  it("die with a deleted user", async () => {
    await owner.call((c) => c.users.add({ email: "gone@example.jp" }));
    const token = await setupToken("gone@example.jp");
    const goneId = await idOf("gone@example.jp");
    await owner.call((c) => c.users.remove({ id: goneId }));
    expect(await h.browser().call((c) => c.users.setupLink({ token }))).toBeNull();
    await failure(
      h.browser().call((c) => c.users.completeSetup({ token, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" })),
    );
  });
});

describe("削除", () => {
  async function activeUser(email: string): Promise<TestBrowser> {
    await owner.call((c) => c.users.add({ email }));
    const token = await setupToken(email);
    await h
      .browser()
      .call((c) => c.users.completeSetup({ token, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }));
    const b = h.browser();
    await b.call((c) => c.auth.login({ loginId: OWNER.loginId, email, password: "Kqmzrtw7" }));
    return b;
  }

  it("signs the deleted user out at its next request and mails the deleted address", async () => {
    const jiro = await activeUser("jiro@example.jp");
    expect(await jiro.call((c) => c.auth.me())).not.toBeNull();
    const deletedId = await idOf("jiro@example.jp");
    await owner.call((c) => c.users.remove({ id: deletedId }));
    expect(await jiro.call((c) => c.auth.me())).toBeNull();
    const notice = (await h.mailsTo("jiro@example.jp")).find((m) => m.subject.includes("利用者削除のお知らせ"));
    expect(notice?.text).toContain("コンタクトセンタ");
    await failure(
      h.browser().call((c) => c.auth.login({ loginId: OWNER.loginId, email: "jiro@example.jp", password: "Kqmzrtw7" })),
    );
    const audit = await h.db
      .selectFrom("audit_events")
      .select(["action", "target"])
      .where("action", "=", "user.delete")
      .execute();
    expect(audit).toEqual([{ action: "user.delete", target: "jiro@example.jp" }]);
  });

  it("nobody deletes themself; two users deleting each other at once leave one", async () => {
    const self = await failure(owner.call(async (c) => c.users.remove({ id: (await c.auth.me())?.user.id ?? "" })));
    expect(self.message).toBe("ご自身を削除することはできません。");
    const jiro = await activeUser("jiro@example.jp");
    const ownerId = await idOf(OWNER.email);
    const jiroId = await idOf("jiro@example.jp");
    await Promise.allSettled([
      owner.call((c) => c.users.remove({ id: jiroId })),
      jiro.call((c) => c.users.remove({ id: ownerId })),
    ]);
    expect(await h.db.selectFrom("users").select("id").execute()).toHaveLength(1);
  });

  it("another account's user is not found", async () => {
    const { userId } = await createAccount(h.deps, {
      loginId: "other01",
      companyName: "別会社",
      email: "x@example.jp",
      permanentPassword: PASSWORD,
    });
    expect((await failure(owner.call((c) => c.users.remove({ id: userId })))).code).toBe("NOT_FOUND");
    expect((await failure(owner.call((c) => c.users.get({ id: userId })))).code).toBe("NOT_FOUND");
    expect((await failure(owner.call((c) => c.users.resendSetup({ id: userId })))).code).toBe("NOT_FOUND");
  });
});

describe("admin create-account without a password", () => {
  it("makes a pending first user with a set-up mail", async () => {
    await createAccount(h.deps, { loginId: "fresh01", companyName: "新規", email: "first@example.jp" });
    const user = await h.db
      .selectFrom("users")
      .selectAll()
      .where("email_normalized", "=", "first@example.jp")
      .executeTakeFirstOrThrow();
    expect(user.status).toBe("pending");
    expect(user.password_hash).toBeNull();
    const token = await setupToken("first@example.jp");
    await h
      .browser()
      .call((c) => c.users.completeSetup({ token, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }));
    await h
      .browser()
      .call((c) => c.auth.login({ loginId: "fresh01", email: "first@example.jp", password: "Kqmzrtw7" }));
  });
});

describe("addresses stored before NFKC (migration 0004_email_normalized_nfkc)", () => {
  it("re-keys them; of two that now mean one address, the one a login reached keeps it", async () => {
    const accountId = (await owner.call((c) => c.auth.me()))?.account.id as string;
    const passwordHash = await h.deps.hasher.hash("Kqmzrtw7");
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
    // As the old rule stored them: trimmed and lower-cased only.
    const stored = [
      { id: "u-wide", email: "Ｗｉｄｅ@example.jp", created_at: at(1) },
      { id: "u-twin", email: "ｖｉｃｔｉｍ@example.jp", created_at: at(2) },
      { id: "u-victim", email: "victim@example.jp", created_at: at(3) },
      { id: "u-half1", email: "ｐａｉｒ@example.jp", created_at: at(4) },
      { id: "u-half2", email: "pａir@example.jp", created_at: at(5) },
    ];
    for (const u of stored) {
      await h.db
        .insertInto("users")
        .values({
          ...u,
          account_id: accountId,
          email_normalized: u.email.trim().toLowerCase(),
          name: "",
          password_hash: passwordHash,
          status: "active",
          must_change_password: 0,
          mfa_enabled: 0,
          password_changed_at: u.created_at,
        })
        .execute();
    }
    const keys = async () =>
      Object.fromEntries(
        (await h.db.selectFrom("users").select(["id", "email_normalized"]).execute()).map((u) => [
          u.id,
          u.email_normalized,
        ]),
      );
    const login = (email: string) =>
      h.browser().call((c) => c.auth.login({ loginId: OWNER.loginId, email, password: "Kqmzrtw7" }));
    // Before: the new rule no longer finds the full-width one.
    await failure(login("ｗｉｄｅ@example.jp"));

    await migrations["0004_email_normalized_nfkc"]?.up(h.db);
    expect(await keys()).toEqual({
      [(await owner.call((c) => c.auth.me()))?.user.id as string]: "owner@example.jp",
      "u-wide": "wide@example.jp",
      "u-victim": "victim@example.jp",
      "u-twin": "ｖｉｃｔｉｍ@example.jp",
      "u-half1": "pair@example.jp",
      "u-half2": "pａir@example.jp",
    });
    await login("ｗｉｄｅ@example.jp");
    await login("wide@example.jp");
    // The twin's address now means its original: a login typed either way is victim's.
    for (const email of ["ｖｉｃｔｉｍ@example.jp", "victim@example.jp"]) {
      const b = h.browser();
      await b.call((c) => c.auth.login({ loginId: OWNER.loginId, email, password: "Kqmzrtw7" }));
      expect((await b.call((c) => c.auth.me()))?.user.id).toBe("u-victim");
    }

    await migrations["0004_email_normalized_nfkc"]?.down?.(h.db);
    expect((await keys())["u-wide"]).toBe("ｗｉｄｅ@example.jp");
    expect((await keys())["u-half1"]).toBe("ｐａｉｒ@example.jp");
  });
});
