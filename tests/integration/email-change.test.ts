import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOUR } from "../../server/lib/clock";
import { createAccount } from "../../server/services/identity/accounts";
import { domainCode, failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "old@example.jp", userName: "山田 太郎" };
const PASSWORD = "Rental-2026";

let h: Harness;
let b: TestBrowser;
beforeEach(async () => {
  h = await createHarness();
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
  b = h.browser();
  await b.call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD }));
});
afterEach(async () => {
  await h.close();
});

async function link(to: string, subject: string, path: RegExp): Promise<string> {
  const mail = (await h.mailsTo(to)).find((m) => m.subject.includes(subject));
  const token = path.exec(mail?.text ?? "")?.[1];
  if (!token) throw new Error(`no "${subject}" link to ${to}`);
  return token;
}
const requestLink = () => link(USER.email, "メールアドレス変更依頼受付", /\/email-change\/([a-z0-9]+)/);
const confirmLink = (to: string) => link(to, "メールアドレス変更確認", /\/email-change\/confirm\/([a-z0-9]+)/);
const resetLink = () => link(USER.email, "パスワード再設定", /\/reset-password\/([a-z0-9]+)/);

async function changeEmailTo(newEmail: string) {
  await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
  const token = await requestLink();
  await h.browser().call((c) => c.account.submitNewEmail({ token, newEmail }));
  await h.browser().call(async (c) => c.account.confirmEmailChange({ token: await confirmLink(newEmail) }));
}

describe("email change", () => {
  it("runs across both mailboxes; then the new address logs in and the old one does not", async () => {
    const wrong = await failure(b.call((c) => c.account.requestEmailChange({ currentPassword: "Nope-2026x" })));
    expect(JSON.stringify(wrong.cause)).toContain("パスワードが正しくありません");
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    const token = await requestLink();

    const anon = h.browser();
    expect(await anon.call((c) => c.account.emailChangeLink({ token }))).toEqual({ currentEmail: USER.email });
    await anon.call((c) => c.account.submitNewEmail({ token, newEmail: " New@Example.jp " }));
    // Step 1's link is used up.
    expect(await anon.call((c) => c.account.emailChangeLink({ token }))).toBeNull();
    const confirm = await confirmLink("New@Example.jp");
    expect(await anon.call((c) => c.account.emailConfirmLink({ token: confirm }))).toEqual({
      newEmail: "New@Example.jp",
    });
    // Nothing changed yet.
    expect((await b.call((c) => c.auth.me()))?.user.email).toBe(USER.email);

    await anon.call((c) => c.account.confirmEmailChange({ token: confirm }));
    const told = (await h.mailsTo(USER.email)).find((m) => m.subject.includes("メールアドレス変更完了"));
    expect(told?.text).toContain("New@Example.jp");
    // The user's sessions ended with the change.
    expect(await b.call((c) => c.auth.me())).toBeNull();
    await failure(
      h.browser().call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD })),
    );
    await h.browser().call((c) => c.auth.login({ loginId: USER.loginId, email: "new@example.jp", password: PASSWORD }));
    expect(domainCode(await failure(anon.call((c) => c.account.confirmEmailChange({ token: confirm }))))).toBe(
      "TOKEN_INVALID",
    );
    const actions = (
      await h.db
        .selectFrom("audit_events")
        .select("action")
        .where("action", "like", sql.lit("email_change.%"))
        .execute()
    ).map((a) => a.action);
    expect(actions.sort()).toEqual(["email_change.confirm", "email_change.request", "email_change.submit_new"]);
  });

  it("refuses an address already in the account, at step 2 and again at the confirmation", async () => {
    await b.call((c) => c.users.add({ email: "taken@example.jp" }));
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    const token = await requestLink();
    const e = await failure(h.browser().call((c) => c.account.submitNewEmail({ token, newEmail: "TAKEN@example.jp" })));
    expect(JSON.stringify(e.cause)).toContain("既に登録されています");
    await h.browser().call((c) => c.account.submitNewEmail({ token, newEmail: "later@example.jp" }));
    const confirm = await confirmLink("later@example.jp");
    // Meanwhile someone adds that very address to the account.
    await b.call((c) => c.users.add({ email: "later@example.jp" }));
    await failure(h.browser().call((c) => c.account.confirmEmailChange({ token: confirm })));
    const emails = (await h.db.selectFrom("users").select("email").execute()).map((u) => u.email).sort();
    expect(emails).toEqual(["later@example.jp", "old@example.jp", "taken@example.jp"]);
  });

  it("compares the new address after NFKC: a full-width twin of a taken or the current address is refused", async () => {
    await b.call((c) => c.users.add({ email: "taken@example.jp" }));
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    const token = await requestLink();
    const taken = await failure(
      h.browser().call((c) => c.account.submitNewEmail({ token, newEmail: "ｔａｋｅｎ@example.jp" })),
    );
    expect(domainCode(taken)).toBe("DUPLICATE_EMAIL");
    const same = await failure(
      h.browser().call((c) => c.account.submitNewEmail({ token, newEmail: "ＯＬＤ@example.jp" })),
    );
    expect(JSON.stringify(same.cause)).toContain("現在のメールアドレスと同じです");
  });

  it("links expire after one hour", async () => {
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    const token = await requestLink();
    h.clock.advance(HOUR + 1000);
    expect(await h.browser().call((c) => c.account.emailChangeLink({ token }))).toBeNull();
    expect(
      domainCode(await failure(h.browser().call((c) => c.account.submitNewEmail({ token, newEmail: "n@example.jp" })))),
    ).toBe("TOKEN_INVALID");
  });

  it("a deleted user's links are dead", async () => {
    await b.call((c) => c.users.add({ email: "second@example.jp" }));
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    const token = await requestLink();
    // Another user of the account deletes this one.
    const me = await b.call((c) => c.auth.me());
    await h.db
      .updateTable("users")
      .set({ status: "active", password_hash: await h.deps.hasher.hash(PASSWORD) })
      .where("email_normalized", "=", "second@example.jp")
      .execute();
    const second = h.browser();
    await second.call((c) => c.auth.login({ loginId: USER.loginId, email: "second@example.jp", password: PASSWORD }));
    await second.call((c) => c.users.remove({ id: me?.user.id ?? "" }));
    expect(await h.browser().call((c) => c.account.emailChangeLink({ token }))).toBeNull();
  });
});

describe("mailed links end when the user's password, email or state changes", () => {
  it("a reset link asked for before an email change is dead after it: the old mailbox cannot take the account", async () => {
    const anon = h.browser();
    await anon.call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: USER.email }));
    const reset = await resetLink();
    h.clock.advance(1000);
    await changeEmailTo("new@example.jp");

    expect(await anon.call((c) => c.auth.resetTokenValid({ token: reset }))).toBe(false);
    const e = await failure(
      anon.call((c) => c.auth.resetPassword({ token: reset, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" })),
    );
    expect(domainCode(e)).toBe("TOKEN_INVALID");
    const loginAs = (password: string) =>
      h.browser().call((c) => c.auth.login({ loginId: USER.loginId, email: "new@example.jp", password }));
    await failure(loginAs("Kqmzrtw7"));
    await loginAs(PASSWORD);
  });

  it("a second change request mailed to the old address is dead once the first change is confirmed", async () => {
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    const first = await requestLink();
    await h.browser().call((c) => c.account.submitNewEmail({ token: first, newEmail: "new@example.jp" }));
    const confirm = await confirmLink("new@example.jp");
    h.clock.advance(1000);
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    const second = await requestLink();
    expect(second).not.toBe(first);

    await h.browser().call((c) => c.account.confirmEmailChange({ token: confirm }));
    expect(await h.browser().call((c) => c.account.emailChangeLink({ token: second }))).toBeNull();
    const e = await failure(
      h.browser().call((c) => c.account.submitNewEmail({ token: second, newEmail: "thief@example.jp" })),
    );
    expect(domainCode(e)).toBe("TOKEN_INVALID");
  });

  it("a password change ends the open reset link and an email change in progress", async () => {
    const anon = h.browser();
    await anon.call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: USER.email }));
    const reset = await resetLink();
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    const token = await requestLink();
    await anon.call((c) => c.account.submitNewEmail({ token, newEmail: "new@example.jp" }));
    const confirm = await confirmLink("new@example.jp");
    h.clock.advance(1000);
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    const pending = await requestLink();

    await b.call((c) =>
      c.account.changePassword({ currentPassword: PASSWORD, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }),
    );
    expect(await anon.call((c) => c.auth.resetTokenValid({ token: reset }))).toBe(false);
    expect(await anon.call((c) => c.account.emailChangeLink({ token: pending }))).toBeNull();
    expect(await anon.call((c) => c.account.emailConfirmLink({ token: confirm }))).toBeNull();
    expect(domainCode(await failure(anon.call((c) => c.account.confirmEmailChange({ token: confirm }))))).toBe(
      "TOKEN_INVALID",
    );
    expect((await h.db.selectFrom("users").select("email").executeTakeFirstOrThrow()).email).toBe(USER.email);
  });

  it("a reset from the link ends the other open links; the link used stays used, once", async () => {
    const anon = h.browser();
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    const pending = await requestLink();
    await anon.call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: USER.email }));
    const reset = await resetLink();
    await anon.call((c) =>
      c.auth.resetPassword({ token: reset, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }),
    );
    expect(await anon.call((c) => c.account.emailChangeLink({ token: pending }))).toBeNull();
    expect(
      domainCode(
        await failure(
          anon.call((c) =>
            c.auth.resetPassword({ token: reset, newPassword: "Kqmzrtw9", confirmPassword: "Kqmzrtw9" }),
          ),
        ),
      ),
    ).toBe("TOKEN_INVALID");
    await h.browser().call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: "Kqmzrtw7" }));
  });

  it("an email change and a reset racing: never both, and the reset never lands on the new address", async () => {
    const anon = h.browser();
    await anon.call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: USER.email }));
    const reset = await resetLink();
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    const token = await requestLink();
    await anon.call((c) => c.account.submitNewEmail({ token, newEmail: "new@example.jp" }));
    const confirm = await confirmLink("new@example.jp");
    const [changed, wasReset] = await Promise.allSettled([
      h.browser().call((c) => c.account.confirmEmailChange({ token: confirm })),
      anon.call((c) => c.auth.resetPassword({ token: reset, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" })),
    ]);
    // Each voids the other's link in its transaction: exactly one of them wins.
    expect([changed.status, wasReset.status].sort()).toEqual(["fulfilled", "rejected"]);
    const user = await h.db.selectFrom("users").select("email").executeTakeFirstOrThrow();
    const password = wasReset.status === "fulfilled" ? "Kqmzrtw7" : PASSWORD;
    await h.browser().call((c) => c.auth.login({ loginId: USER.loginId, email: user.email, password }));
  });
});
