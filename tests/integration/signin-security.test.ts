import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HOUR, MINUTE } from "../../server/lib/clock";
import { INVALID_CREDENTIALS_MESSAGE } from "../../server/services/errors";
import { createAccount } from "../../server/services/identity/accounts";
import { domainCode, failure, fieldErrors } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp", userName: "山田 太郎" };
const PASSWORD = "Rental-2026";
const CREDS = { loginId: USER.loginId, email: USER.email, password: PASSWORD };

let h: Harness;
let userId: string;
beforeEach(async () => {
  h = await createHarness();
  ({ userId } = await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD }));
});
afterEach(async () => {
  await h.close();
});

async function signIn(b = h.browser()) {
  await b.call((c) => c.auth.login(CREDS));
  return b;
}

async function latestMail(subject: string) {
  const mails = await h.mailsTo(USER.email);
  const mail = mails.find((m) => m.subject.includes(subject));
  if (!mail) throw new Error(`no mail "${subject}"`);
  return mail;
}

async function latestCode(): Promise<string> {
  const code = /ワンタイムパスワード: (\d{6})/.exec((await latestMail("ワンタイムパスワード通知")).text)?.[1];
  if (!code) throw new Error("no code in the mail");
  return code;
}

async function enableMfa() {
  await h.db.updateTable("users").set({ mfa_enabled: 1 }).where("id", "=", userId).execute();
}

describe("one-time password (MFA)", () => {
  beforeEach(enableMfa);

  async function startLogin(b: TestBrowser = h.browser()) {
    const result = await b.call((c) => c.auth.login(CREDS));
    expect(result.status).toBe("otp_required");
    return b;
  }

  it("holds no session until the mailed code is accepted; then a new session and the login notice", async () => {
    const b = await startLogin();
    expect(await b.call((c) => c.auth.me())).toBeNull();
    expect(await h.db.selectFrom("sessions").selectAll().execute()).toHaveLength(0);
    expect((await h.mailsTo(USER.email)).map((m) => m.subject)).toEqual([
      "【WEB会員専用ご注文サイト】ワンタイムパスワード通知",
    ]);
    const code = await latestCode();
    expect(await b.call((c) => c.auth.verifyOtp({ code }))).toEqual({ mustChangePassword: false });
    expect((await b.call((c) => c.auth.me()))?.user.id).toBe(userId);
    await latestMail("ログイン通知");
    // The challenge is gone with its cookie and cannot be used again.
    expect(await b.call((c) => c.auth.otpChallenge())).toBeNull();
  });

  it("accepts the code at 9:59 and refuses it at 10:01", async () => {
    const early = await startLogin();
    const code1 = await latestCode();
    h.clock.advance(10 * MINUTE - 1000);
    await early.call((c) => c.auth.verifyOtp({ code: code1 }));

    const late = await startLogin();
    const code2 = await latestCode();
    h.clock.advance(10 * MINUTE + 1000);
    const e = await failure(late.call((c) => c.auth.verifyOtp({ code: code2 })));
    expect(domainCode(e)).toBe("OTP_CHALLENGE_ENDED");
  });

  it("ends the challenge at the 5th wrong code: even the right one is refused then", async () => {
    const b = await startLogin();
    const code = await latestCode();
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 1; i <= 4; i++) {
      const e = await failure(b.call((c) => c.auth.verifyOtp({ code: wrong })));
      expect(domainCode(e)).toBe("OTP_INVALID");
      expect(e.message).toContain(`あと${5 - i}回`);
    }
    expect(domainCode(await failure(b.call((c) => c.auth.verifyOtp({ code: wrong }))))).toBe("OTP_CHALLENGE_ENDED");
    expect(domainCode(await failure(b.call((c) => c.auth.verifyOtp({ code }))))).toBe("OTP_CHALLENGE_ENDED");
    expect(await b.call((c) => c.auth.me())).toBeNull();
  });

  async function wrongCodes(b: TestBrowser, n: number) {
    const code = await latestCode();
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < n; i++) await failure(b.call((c) => c.auth.verifyOtp({ code: wrong })));
  }

  it("counts wrong codes across challenges and locks like passwords: 8 logins × 5 wrong codes, then the right code fails", async () => {
    const answers: string[] = [];
    for (let round = 0; round < 8; round++) {
      const b = h.browser();
      const result = await b.call((c) => c.auth.login(CREDS)).catch((error: TRPCError) => error);
      if (result instanceof TRPCError) {
        expect(result.message).toBe(INVALID_CREDENTIALS_MESSAGE);
        answers.push(domainCode(result));
        continue;
      }
      answers.push(result.status);
      await wrongCodes(b, 5);
    }
    // The 10th wrong code locked the login ID + email: 15 minutes of the login's generic answer.
    expect(answers).toEqual(["otp_required", "otp_required", ...Array(6).fill("INVALID_CREDENTIALS")]);
    const lockouts = await h.db
      .selectFrom("audit_events")
      .select("action")
      .where("action", "=", "auth.lockout")
      .execute();
    expect(lockouts).toHaveLength(1);
    h.clock.advance(15 * MINUTE);
    const b = await startLogin();
    await b.call(async (c) => c.auth.verifyOtp({ code: await latestCode() }));
    expect((await b.call((c) => c.auth.me()))?.user.id).toBe(userId);
  });

  it("a lock ends the open challenge too: its right code no longer signs in", async () => {
    const b = await startLogin();
    await wrongCodes(b, 4);
    const open = await startLogin();
    await wrongCodes(open, 4);
    // Two wrong passwords from elsewhere reach 10.
    for (let i = 0; i < 2; i++)
      await failure(h.browser().call((c) => c.auth.login({ ...CREDS, password: "Wrong-2026x" })));
    const e = await failure(open.call(async (c) => c.auth.verifyOtp({ code: await latestCode() })));
    expect(domainCode(e)).toBe("OTP_CHALLENGE_ENDED");
    expect(await open.call((c) => c.auth.me())).toBeNull();
  });

  it("a completed login forgets earlier wrong codes", async () => {
    await wrongCodes(await startLogin(), 5);
    const b = await startLogin();
    await wrongCodes(b, 4);
    await b.call(async (c) => c.auth.verifyOtp({ code: await latestCode() }));
    await wrongCodes(await startLogin(), 5);
    await startLogin();
  });

  it("a code works once: two parallel submissions of it give one session", async () => {
    const b = await startLogin();
    const code = await latestCode();
    const twin = h.browser();
    for (const [k, v] of b.cookies) twin.cookies.set(k, v);
    const results = await Promise.allSettled([
      b.call((c) => c.auth.verifyOtp({ code })),
      twin.call((c) => c.auth.verifyOtp({ code })),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await h.db.selectFrom("sessions").selectAll().execute()).toHaveLength(1);
  });

  it("resends at most once a minute; a resend voids the old code", async () => {
    const b = await startLogin();
    const old = await latestCode();
    h.clock.advance(59_000);
    expect(domainCode(await failure(b.call((c) => c.auth.resendOtp())))).toBe("OTP_RESEND_TOO_SOON");
    h.clock.advance(1_000);
    await b.call((c) => c.auth.resendOtp());
    const fresh = await latestCode();
    if (fresh !== old) {
      expect(domainCode(await failure(b.call((c) => c.auth.verifyOtp({ code: old }))))).toBe("OTP_INVALID");
    }
    await b.call((c) => c.auth.verifyOtp({ code: fresh }));
    expect(await b.call((c) => c.auth.me())).not.toBeNull();
  });

  it("resends at most 5 times an hour", async () => {
    let b = await startLogin();
    for (let i = 0; i < 5; i++) {
      if (i === 3) b = await startLogin(); // a new login does not reset the hourly count
      h.clock.advance(MINUTE);
      await b.call((c) => c.auth.resendOtp());
    }
    h.clock.advance(MINUTE);
    const e = await failure(b.call((c) => c.auth.resendOtp()));
    expect(e.message).toContain("1時間に5回");
    h.clock.advance(HOUR);
    b = await startLogin();
    h.clock.advance(MINUTE);
    await b.call((c) => c.auth.resendOtp());
  });

  it("stores neither the code nor the challenge token", async () => {
    const b = await startLogin();
    const code = await latestCode();
    const token = [...b.cookies.values()][0] as string;
    const rows = JSON.stringify(await h.db.selectFrom("verifications").selectAll().execute());
    expect(rows).not.toContain(code);
    expect(rows).not.toContain(token);
    const audit = JSON.stringify(await h.db.selectFrom("audit_events").selectAll().execute());
    expect(audit).not.toContain(code);
  });
});

describe("lockout", () => {
  const wrong = { ...CREDS, password: "Wrong-2026x" };
  // Each attempt from another address, so the per-IP rate limit stays out of the way.
  let n = 0;
  const anyIp = () => h.browser({ ip: `198.51.100.${++n % 250}` });

  it("locks the login ID + email at the 10th consecutive failure for 15 minutes, with the generic answer", async () => {
    for (let i = 0; i < 9; i++) await failure(anyIp().call((c) => c.auth.login(wrong)));
    // 9 failures: the right password still works, and resets the count.
    await signIn(anyIp());
    for (let i = 0; i < 10; i++) await failure(anyIp().call((c) => c.auth.login(wrong)));
    const e = await failure(anyIp().call((c) => c.auth.login(CREDS)));
    expect(e.message).toBe(INVALID_CREDENTIALS_MESSAGE);
    h.clock.advance(15 * MINUTE - 1000);
    await failure(anyIp().call((c) => c.auth.login(CREDS)));
    h.clock.advance(1000);
    await signIn(anyIp());
    const events = await h.db
      .selectFrom("audit_events")
      .select("action")
      .where("action", "=", "auth.lockout")
      .execute();
    expect(events).toHaveLength(1);
  });

  it("counts parallel failures: 20 at once end locked", async () => {
    await Promise.allSettled(Array.from({ length: 20 }, () => anyIp().call((c) => c.auth.login(wrong))));
    await failure(anyIp().call((c) => c.auth.login(CREDS)));
  });

  it("forgets old failures after 12 hours", async () => {
    for (let i = 0; i < 9; i++) await failure(anyIp().call((c) => c.auth.login(wrong)));
    h.clock.advance(12 * HOUR + 1000);
    await failure(anyIp().call((c) => c.auth.login(wrong)));
    await signIn(anyIp());
  });

  it("locks unknown combinations too, so a lock tells nothing", async () => {
    const ghost = { loginId: "nobody", email: "ghost@example.jp", password: "Wrong-2026x" };
    for (let i = 0; i < 10; i++) await failure(anyIp().call((c) => c.auth.login(ghost)));
    const row = await h.db
      .selectFrom("login_failures")
      .selectAll()
      .where("key", "=", "nobody\nghost@example.jp")
      .executeTakeFirst();
    expect(row?.locked_until).not.toBeNull();
  });
});

describe("rate limit per IP", () => {
  it("answers the 21st login attempt in a minute from one IP with TOO_MANY_REQUESTS", async () => {
    const from = (ip: string) => h.browser({ ip });
    // Failures for another login, so that this one is not locked meanwhile.
    const someoneElse = { loginId: "nobody", email: "x@example.jp", password: "x" };
    for (let i = 0; i < 20; i++) await failure(from("198.51.100.1").call((c) => c.auth.login(someoneElse)));
    const e = await failure(from("198.51.100.1").call((c) => c.auth.login(CREDS)));
    expect(e.code).toBe("TOO_MANY_REQUESTS");
    await from("198.51.100.2").call((c) => c.auth.login(CREDS));
    h.clock.advance(MINUTE);
    await from("198.51.100.1").call((c) => c.auth.login(CREDS));
  });

  it("is off with LOGIN_RATE_LIMIT_PER_MINUTE=0", async () => {
    await h.close();
    h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
    await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
    for (let i = 0; i < 30; i++) await h.browser().call((c) => c.auth.login(CREDS));
  });
});

describe("forced password change at first login", () => {
  beforeEach(async () => {
    await h.db.updateTable("users").set({ must_change_password: 1 }).execute();
  });

  it("refuses everything but the change and logout, then lets the user in", async () => {
    const other = await signIn();
    const b = h.browser();
    expect(await b.call((c) => c.auth.login(CREDS))).toEqual({ status: "signed_in", mustChangePassword: true });
    const e = await failure(b.call((c) => c.account.settings()));
    expect(e.code).toBe("FORBIDDEN");
    expect(e.message).toContain("パスワードの変更が必要です");
    expect((await failure(b.call((c) => c.auth.requireCustomer()))).code).toBe("FORBIDDEN");

    const same = await failure(
      b.call((c) => c.account.changeInitialPassword({ newPassword: PASSWORD, confirmPassword: PASSWORD })),
    );
    expect(same.code).toBe("BAD_REQUEST");
    const mismatch = await failure(
      b.call((c) => c.account.changeInitialPassword({ newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw8" })),
    );
    expect(JSON.stringify(mismatch.cause)).toContain("一致しません");

    await b.call((c) => c.account.changeInitialPassword({ newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }));
    expect((await b.call((c) => c.account.settings())).email).toBe(USER.email);
    expect(await other.call((c) => c.auth.me())).toBeNull();
    await latestMail("パスワード変更のお知らせ");
    const user = await h.db.selectFrom("users").selectAll().executeTakeFirstOrThrow();
    expect(user.must_change_password).toBe(0);
    await h.browser().call((c) => c.auth.login({ ...CREDS, password: "Kqmzrtw7" }));
  });
});

describe("お客様情報設定", () => {
  it("changes the password with the current one; other sessions end, this one goes on", async () => {
    const other = await signIn();
    const b = await signIn();
    const wrong = await failure(
      b.call((c) =>
        c.account.changePassword({
          currentPassword: "Nope-2026x",
          newPassword: "Kqmzrtw7",
          confirmPassword: "Kqmzrtw7",
        }),
      ),
    );
    expect(JSON.stringify(wrong.cause)).toContain("現パスワードが正しくありません");
    await b.call((c) =>
      c.account.changePassword({ currentPassword: PASSWORD, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }),
    );
    expect(await b.call((c) => c.auth.me())).not.toBeNull();
    expect(await other.call((c) => c.auth.me())).toBeNull();
    await latestMail("パスワード変更のお知らせ");
  });

  it("switching MFA needs the current password and mails a notice; the name needs none", async () => {
    const b = await signIn();
    await b.call((c) => c.account.updateProfile({ name: "山田 次郎", mfaEnabled: false }));
    const e = await failure(b.call((c) => c.account.updateProfile({ name: "山田 次郎", mfaEnabled: true })));
    expect(JSON.stringify(e.cause)).toContain("現在のパスワードを入力してください");
    await failure(
      b.call((c) => c.account.updateProfile({ name: "山田 次郎", mfaEnabled: true, currentPassword: "Nope-2026x" })),
    );
    expect((await b.call((c) => c.account.settings())).mfaEnabled).toBe(false);
    await b.call((c) => c.account.updateProfile({ name: "山田 次郎", mfaEnabled: true, currentPassword: PASSWORD }));
    expect(await b.call((c) => c.account.settings())).toMatchObject({ name: "山田 次郎", mfaEnabled: true });
    expect((await latestMail("多要素認証設定変更")).text).toContain("「利用する」");
    const actions = (await h.db.selectFrom("audit_events").select("action").execute()).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["profile.update_name", "mfa.enable"]));
  });
});

describe("guessing the current password (お客様情報設定)", () => {
  const WRONG = "Nope-2026x";
  /** The three forms that ask for the current password, each with a wrong one. */
  const guesses = (b: TestBrowser) => [
    () =>
      b.call((c) =>
        c.account.changePassword({ currentPassword: WRONG, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }),
      ),
    () => b.call((c) => c.account.requestEmailChange({ currentPassword: WRONG })),
    () => b.call((c) => c.account.updateProfile({ name: USER.userName, mfaEnabled: true, currentPassword: WRONG })),
  ];

  it("counts toward the login lockout: a message beside 現パスワード until the 10th, which ends every session", async () => {
    const other = await signIn();
    const b = await signIn();
    const forms = guesses(b);
    for (let i = 0; i < 9; i++) await failure(forms[i % 3]?.() as Promise<unknown>);
    // A right current password resets the count, as a login does.
    await b.call((c) => c.account.requestEmailChange({ currentPassword: PASSWORD }));
    for (let i = 0; i < 9; i++) {
      const e = await failure(forms[i % 3]?.() as Promise<unknown>);
      expect(e.code).toBe("BAD_REQUEST");
      expect(fieldErrors(e).currentPassword?.[0]).toMatch(/^(現)?パスワードが正しくありません。$/);
    }
    const last = await failure(forms[0]?.() as Promise<unknown>);
    expect(last.code).toBe("UNAUTHORIZED");
    expect(last.message).toContain("ログアウトしました");
    expect(b.cookies.size).toBe(0);
    expect(await b.call((c) => c.auth.me())).toBeNull();
    expect(await other.call((c) => c.auth.me())).toBeNull();
    // The login ID + email is locked as after 10 wrong logins: the generic answer, for 15 minutes.
    expect((await failure(h.browser().call((c) => c.auth.login(CREDS)))).message).toBe(INVALID_CREDENTIALS_MESSAGE);
    h.clock.advance(15 * MINUTE);
    await signIn();
    const lockouts = await h.db
      .selectFrom("audit_events")
      .select("action")
      .where("action", "=", "auth.lockout")
      .execute();
    expect(lockouts).toHaveLength(1);
  });

  it("adds up with wrong logins", async () => {
    const b = await signIn();
    for (let i = 0; i < 9; i++) {
      await failure(h.browser({ ip: `198.51.100.${i + 1}` }).call((c) => c.auth.login({ ...CREDS, password: WRONG })));
    }
    expect((await failure(b.call((c) => c.account.requestEmailChange({ currentPassword: WRONG })))).code).toBe(
      "UNAUTHORIZED",
    );
    expect(await b.call((c) => c.auth.me())).toBeNull();
  });

  it("100 guesses in one batch test at most 10 passwords, then the session is gone", async () => {
    const b = await signIn();
    const verify = vi.spyOn(h.deps.hasher, "verify");
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        b.call((c) => c.account.requestEmailChange({ currentPassword: `Nope-2026x${i}` })),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(0);
    expect(verify.mock.calls.length).toBeLessThanOrEqual(10);
    expect(await b.call((c) => c.auth.me())).toBeNull();
    await failure(h.browser().call((c) => c.auth.login(CREDS)));
  });

  it("a wrong current password does not tell whether the new password is the current one", async () => {
    const b = await signIn();
    const e = await failure(
      b.call((c) =>
        c.account.changePassword({ currentPassword: WRONG, newPassword: PASSWORD, confirmPassword: PASSWORD }),
      ),
    );
    expect(fieldErrors(e)).toEqual({ currentPassword: ["現パスワードが正しくありません。"] });
    // With the right current password the rule still applies.
    const same = await failure(
      b.call((c) =>
        c.account.changePassword({ currentPassword: PASSWORD, newPassword: PASSWORD, confirmPassword: PASSWORD }),
      ),
    );
    expect(fieldErrors(same).newPassword).toContain("現在のパスワードと異なるパスワードを設定してください。");
  });
});

describe("password reset", () => {
  async function resetLink(): Promise<string> {
    const url = /(http:\/\/localhost:3000\/reset-password\/\S+)/.exec((await latestMail("パスワード再設定")).text)?.[1];
    if (!url) throw new Error("no link");
    return url.split("/").pop() as string;
  }

  it("answers the same whether or not the pair exists, and mails only a real user", async () => {
    const anon = h.browser();
    expect(await anon.call((c) => c.auth.requestPasswordReset({ loginId: "nobody", email: USER.email }))).toEqual({
      ok: true,
    });
    expect(await h.mailsTo(USER.email)).toHaveLength(0);
    expect(
      await anon.call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: " TARO@example.jp " })),
    ).toEqual({ ok: true });
    await latestMail("パスワード再設定のご案内");
  });

  it("sets a new password once from the link; the link then and after 30 minutes is dead; sessions end", async () => {
    const signedIn = await signIn();
    const anon = h.browser();
    await anon.call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: USER.email }));
    const token = await resetLink();
    expect(await anon.call((c) => c.auth.resetTokenValid({ token }))).toBe(true);
    // Viewing the link does not use it.
    expect(await anon.call((c) => c.auth.resetTokenValid({ token }))).toBe(true);
    h.clock.advance(30 * MINUTE - 1000);
    await anon.call((c) => c.auth.resetPassword({ token, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }));
    expect(await signedIn.call((c) => c.auth.me())).toBeNull();
    await latestMail("パスワード変更のお知らせ");
    const reused = await failure(
      anon.call((c) => c.auth.resetPassword({ token, newPassword: "Kqmzrtw9", confirmPassword: "Kqmzrtw9" })),
    );
    expect(domainCode(reused)).toBe("TOKEN_INVALID");
    await h.browser().call((c) => c.auth.login({ ...CREDS, password: "Kqmzrtw7" }));

    await anon.call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: USER.email }));
    const late = await resetLink();
    h.clock.advance(30 * MINUTE + 1000);
    expect(await anon.call((c) => c.auth.resetTokenValid({ token: late }))).toBe(false);
    expect(
      domainCode(
        await failure(
          anon.call((c) => c.auth.resetPassword({ token: late, newPassword: "Kqmzrtw9", confirmPassword: "Kqmzrtw9" })),
        ),
      ),
    ).toBe("TOKEN_INVALID");
  });

  it("a newer request voids the older link; the policy applies; MFA still asks for the code afterwards", async () => {
    await enableMfa();
    const anon = h.browser();
    await anon.call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: USER.email }));
    const first = await resetLink();
    h.clock.advance(1000);
    await anon.call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: USER.email }));
    const second = await resetLink();
    expect(second).not.toBe(first);
    expect(await anon.call((c) => c.auth.resetTokenValid({ token: first }))).toBe(false);
    const weak = await failure(
      anon.call((c) => c.auth.resetPassword({ token: second, newPassword: "Password1", confirmPassword: "Password1" })),
    );
    expect(JSON.stringify(weak.cause)).toContain("よく使われるパスワード");
    await anon.call((c) =>
      c.auth.resetPassword({ token: second, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }),
    );
    expect((await h.browser().call((c) => c.auth.login({ ...CREDS, password: "Kqmzrtw7" }))).status).toBe(
      "otp_required",
    );
  });

  it("a reset ends a lockout", async () => {
    for (let i = 0; i < 10; i++)
      await failure(h.browser().call((c) => c.auth.login({ ...CREDS, password: "Wrong-2026x" })));
    const anon = h.browser();
    await anon.call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: USER.email }));
    const token = await resetLink();
    await anon.call((c) => c.auth.resetPassword({ token, newPassword: "Kqmzrtw7", confirmPassword: "Kqmzrtw7" }));
    await h.browser().call((c) => c.auth.login({ ...CREDS, password: "Kqmzrtw7" }));
  });
});
