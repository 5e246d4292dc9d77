import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { keyFromDisplay, totpCode, totpStep } from "../../server/services/identity/authenticator";
import { domainCode, failure, fieldErrors } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { signedInStaff } from "../support/staff";

/**
 * 認証アプリ (issue 14 item 1): enrolment with a first code, recovery codes shown once and used once, the
 * login step with the app's code (never the same code twice), regenerate and remove with the password.
 */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
});
afterEach(async () => {
  await h.close();
});

async function signIn(): Promise<TestBrowser> {
  const b = h.browser();
  const result = await b.call((c) => c.auth.login({ ...USER, password: PASSWORD }));
  expect(result.status).toBe("signed_in");
  return b;
}

/** The code the app shows now for a 設定キー. */
function appCode(key: string, offsetSteps = 0): string {
  return totpCode(keyFromDisplay(key), totpStep(h.clock.now()) + offsetSteps);
}

/** Enrols an authenticator for the user; returns the 設定キー and the recovery codes. */
async function enrol(b: TestBrowser): Promise<{ key: string; recoveryCodes: string[] }> {
  await b.call((c) => c.account.startAuthenticator());
  const state = (await b.call((c) => c.account.security())).authenticator;
  if (state.state !== "pending") throw new Error(`expected a pending enrolment, got ${state.state}`);
  const { recoveryCodes } = await b.call((c) => c.account.confirmAuthenticator({ code: appCode(state.key) }));
  return { key: state.key, recoveryCodes };
}

/** The password step of a login of an enrolled user: the browser holds the challenge. */
async function passwordStep(): Promise<TestBrowser> {
  const b = h.browser();
  const result = await b.call((c) => c.auth.login({ ...USER, password: PASSWORD }));
  expect(result.status).toBe("otp_required");
  return b;
}

describe("enrolment", () => {
  it("shows a QR code and the 設定キー, takes the app's first code, gives ten recovery codes once, seals the key", async () => {
    const b = await signIn();
    expect((await b.call((c) => c.account.security())).authenticator).toEqual({ state: "none" });
    await b.call((c) => c.account.startAuthenticator());
    const pending = (await b.call((c) => c.account.security())).authenticator;
    if (pending.state !== "pending") throw new Error("not pending");
    expect(pending.key).toMatch(/^[A-Z2-7]{32}$/);
    expect(pending.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(pending.qrCode.split(",")[1] as string, "base64").toString()).toContain("<svg");

    // A wrong or malformed code is a field error; the enrolment waits on.
    for (const [code, message] of [
      ["", "確認コードを入力してください。"],
      ["12ab", "確認コードは6桁の数字で入力してください。"],
      [
        appCode(pending.key, 5),
        "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。",
      ],
    ] as const) {
      const e = await failure(b.call((c) => c.account.confirmAuthenticator({ code })));
      expect(fieldErrors(e).code).toEqual([message]);
    }
    expect((await b.call((c) => c.account.security())).authenticator.state).toBe("pending");

    // Full-width digits, as a Japanese keyboard may type them, are the same code.
    const fullWidth = appCode(pending.key).replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    const { recoveryCodes } = await b.call((c) => c.account.confirmAuthenticator({ code: fullWidth }));
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const active = (await b.call((c) => c.account.security())).authenticator;
    expect(active).toEqual({ state: "active", sinceLabel: "2026/04/01 09:00:00 (日本時間)", recoveryCodesLeft: 10 });
    // Not shown again; a second enrolment is refused while one is in use.
    expect(JSON.stringify(active)).not.toContain(recoveryCodes[0]);
    expect((await failure(b.call((c) => c.account.startAuthenticator()))).message).toBe(
      "認証アプリはすでに登録されています。",
    );

    // At rest: the key sealed, the codes hashed.
    const row = await h.db.selectFrom("user_totp").selectAll().executeTakeFirstOrThrow();
    expect(row.secret_sealed).toMatch(/^v1:/);
    const rawKey = Buffer.from(keyFromDisplay(pending.key));
    expect(row.secret_sealed).not.toContain(pending.key);
    expect(Buffer.from(row.secret_sealed.slice(3), "base64").includes(rawKey)).toBe(false);
    expect(() => h.deps.secrets.open(row.secret_sealed, "another-user")).toThrow();
    const stored = await h.db.selectFrom("recovery_codes").select("code_hash").execute();
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) for (const code of recoveryCodes) expect(code_hash).not.toContain(code);

    const audit = await h.db.selectFrom("audit_events").select("action").where("action", "=", "totp.enable").execute();
    expect(audit).toHaveLength(1);
    // (Mails of one moment come in no set order: found by subject.)
    const mail = (await h.mailsTo(USER.email)).find((m) => m.subject.includes("認証アプリ設定変更のお知らせ"));
    expect(mail?.text).toContain("認証アプリを登録しました。");
  });

  it("中止 drops a waiting enrolment; starting again makes a new key", async () => {
    const b = await signIn();
    await b.call((c) => c.account.startAuthenticator());
    const first = (await b.call((c) => c.account.security())).authenticator;
    await b.call((c) => c.account.startAuthenticator());
    const second = (await b.call((c) => c.account.security())).authenticator;
    expect(first.state === "pending" && second.state === "pending" && first.key !== second.key).toBe(true);
    await b.call((c) => c.account.cancelAuthenticator());
    expect((await b.call((c) => c.account.security())).authenticator).toEqual({ state: "none" });
    // A waiting enrolment is no second step.
    await b.call((c) => c.account.startAuthenticator());
    await signIn();
  });
});

describe("the login step", () => {
  it("asks for the app's code instead of mailing one; a code is refused when reused within its window", async () => {
    const { key } = await enrol(await signIn());
    const mailsBefore = (await h.mailsTo(USER.email)).length;
    h.clock.advance(60_000);

    const first = await passwordStep();
    expect(await first.call((c) => c.auth.otpChallenge())).toMatchObject({ method: "authenticator" });
    const code = appCode(key);
    await first.call((c) => c.auth.verifyOtp({ code }));
    expect(await first.call((c) => c.auth.me())).not.toBeNull();
    // No ワンタイムパスワード通知 was mailed; the ログイン通知 was.
    const mails = await h.mailsTo(USER.email);
    expect(mails.slice(0, mails.length - mailsBefore).map((m) => m.subject)).toEqual([
      expect.stringContaining("ログイン通知"),
    ]);

    // The same code again, ten seconds later and still within its window: refused.
    h.clock.advance(10_000);
    const second = await passwordStep();
    const reused = await failure(second.call((c) => c.auth.verifyOtp({ code })));
    expect(domainCode(reused)).toBe("OTP_INVALID");
    expect(fieldErrors(reused).code).toEqual(["ワンタイムパスワードが正しくありません。(あと4回入力できます)"]);
    // Nor is an older step's code taken after a newer one.
    const older = await failure(second.call((c) => c.auth.verifyOtp({ code: appCode(key, -1) })));
    expect(domainCode(older)).toBe("OTP_INVALID");
    // The next step's code is.
    h.clock.advance(30_000);
    await second.call((c) => c.auth.verifyOtp({ code: appCode(key) }));
    expect(await second.call((c) => c.auth.me())).not.toBeNull();

    // A code of a phone a step ahead or behind is taken (once).
    h.clock.advance(90_000);
    const third = await passwordStep();
    await third.call((c) => c.auth.verifyOtp({ code: appCode(key, 1) }));
    expect(await third.call((c) => c.auth.me())).not.toBeNull();

    // No resend for the app; the mailed switch plays no part.
    const fourth = await passwordStep();
    expect((await failure(fourth.call((c) => c.auth.resendOtp()))).message).toBe(
      "認証アプリに表示されているワンタイムパスワードを入力してください。",
    );
  });

  it("of two logins racing with one code, exactly one gets in", async () => {
    const { key } = await enrol(await signIn());
    h.clock.advance(60_000);
    const a = await passwordStep();
    const b = await passwordStep();
    const code = appCode(key);
    const results = await Promise.allSettled([
      a.call((c) => c.auth.verifyOtp({ code })),
      b.call((c) => c.auth.verifyOtp({ code })),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
  });

  it("a recovery code signs in once, tells the user how many are left; five wrong codes end the step", async () => {
    const { recoveryCodes } = await enrol(await signIn());
    const [code = ""] = recoveryCodes;
    const b = await passwordStep();
    // Typed in capitals, without the hyphen, with full-width characters: the same code.
    const typed = code
      .replace("-", "")
      .toUpperCase()
      .replace(/[A-Z]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0));
    await b.call((c) => c.auth.verifyRecoveryCode({ recoveryCode: typed }));
    expect(await b.call((c) => c.auth.me())).not.toBeNull();
    const told = (await h.mailsTo(USER.email)).filter((m) => m.text.includes("リカバリーコードでログインしました"));
    expect(told.map((m) => m.text)).toEqual([expect.stringContaining("(残りのリカバリーコード: 9個)")]);
    expect((await b.call((c) => c.account.security())).authenticator).toMatchObject({ recoveryCodesLeft: 9 });

    const again = await passwordStep();
    const e = await failure(again.call((c) => c.auth.verifyRecoveryCode({ recoveryCode: code })));
    expect(domainCode(e)).toBe("OTP_INVALID");
    expect(fieldErrors(e).recoveryCode).toEqual(["リカバリーコードが正しくありません。(あと4回入力できます)"]);
    for (let i = 2; i <= 4; i++) {
      await failure(again.call((c) => c.auth.verifyRecoveryCode({ recoveryCode: "zzzzz-zzzzz" })));
    }
    const fifth = await failure(again.call((c) => c.auth.verifyRecoveryCode({ recoveryCode: "zzzzz-zzzzz" })));
    expect(domainCode(fifth)).toBe("OTP_CHALLENGE_ENDED");
    const ended = await failure(
      again.call((c) => c.auth.verifyRecoveryCode({ recoveryCode: recoveryCodes[1] as string })),
    );
    expect(domainCode(ended)).toBe("OTP_CHALLENGE_ENDED");
    // The right code was not used up by the ended step.
    const later = await passwordStep();
    await later.call((c) => c.auth.verifyRecoveryCode({ recoveryCode: recoveryCodes[1] as string }));
    expect(await later.call((c) => c.auth.me())).not.toBeNull();
  });

  it("a recovery code is no answer to a mailed code's step", async () => {
    const b = await signIn();
    await b.call((c) => c.account.updateProfile({ name: "", mfaEnabled: true, currentPassword: PASSWORD }));
    const other = await passwordStep();
    expect(await other.call((c) => c.auth.otpChallenge())).toMatchObject({ method: "mail" });
    const e = await failure(other.call((c) => c.auth.verifyRecoveryCode({ recoveryCode: "abcde-fghjk" })));
    expect(e.message).toBe("リカバリーコードは、認証アプリを登録している場合に使用できます。");
  });
});

describe("regenerate and remove", () => {
  it("need the current password; new codes end the old ones; removed, the login has no second step", async () => {
    const b = await signIn();
    const { recoveryCodes: old } = await enrol(b);
    const wrong = await failure(b.call((c) => c.account.regenerateRecoveryCodes({ currentPassword: "Wrong-2026x" })));
    expect(fieldErrors(wrong).currentPassword).toEqual(["現在のパスワードが正しくありません。"]);
    h.clock.advance(1000);
    const { recoveryCodes: fresh } = await b.call((c) =>
      c.account.regenerateRecoveryCodes({ currentPassword: PASSWORD }),
    );
    expect(fresh).toHaveLength(10);
    const step = await passwordStep();
    expect(
      domainCode(await failure(step.call((c) => c.auth.verifyRecoveryCode({ recoveryCode: old[0] as string })))),
    ).toBe("OTP_INVALID");
    await step.call((c) => c.auth.verifyRecoveryCode({ recoveryCode: fresh[0] as string }));

    const empty = await failure(b.call((c) => c.account.removeAuthenticator({ currentPassword: "" })));
    expect(fieldErrors(empty).currentPassword).toEqual(["現在のパスワードを入力してください。"]);
    expect((await b.call((c) => c.account.security())).authenticator.state).toBe("active");
    h.clock.advance(1000);
    await b.call((c) => c.account.removeAuthenticator({ currentPassword: PASSWORD }));
    expect((await b.call((c) => c.account.security())).authenticator).toEqual({ state: "none" });
    expect(await h.db.selectFrom("recovery_codes").select("id").execute()).toEqual([]);
    await signIn();
    const actions = await h.db
      .selectFrom("audit_events")
      .select("action")
      .where("action", "like", sql.lit("totp.%"))
      .orderBy("at")
      .execute();
    expect(actions.map((a) => a.action)).toEqual(["totp.enable", "totp.recovery_regenerate", "totp.disable"]);
  });
});

describe("認証アプリ解除 by the contact center", () => {
  it("staff remove a lost authenticator from 顧客管理: the user's sessions end, the user is told, the login has no app step", async () => {
    const b = await signIn();
    await enrol(b);
    const staffLogin = { email: "ops@example.jp", password: "Staff-2026a" };
    await createStaff(h.deps, { ...staffLogin, role: "operator" });
    const staff = await signedInStaff(h, staffLogin);
    const { accountId, userId } = await h.db
      .selectFrom("users")
      .select(["account_id as accountId", "id as userId"])
      .executeTakeFirstOrThrow();
    const before = await staff.call((c) => c.backofficeAccounts.get({ accountId }));
    expect(before.users.map((u) => u.authenticator)).toEqual([true]);

    await staff.call((c) => c.backofficeAccounts.removeAuthenticator({ accountId, userId }));
    expect(
      (await staff.call((c) => c.backofficeAccounts.get({ accountId }))).users.map((u) => u.authenticator),
    ).toEqual([false]);
    expect(domainCode(await failure(b.call((c) => c.account.security())))).toBe("UNAUTHORIZED");
    const told = (await h.mailsTo(USER.email)).find((m) =>
      m.text.includes("コンタクトセンタにより、認証アプリの登録を解除しました。"),
    );
    expect(told?.subject).toContain("認証アプリ設定変更のお知らせ");
    const event = await h.db
      .selectFrom("audit_events")
      .select(["actor_type", "target"])
      .where("action", "=", "totp.disable")
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ actor_type: "staff", target: USER.email });
    await signIn();
    // Again: nothing to remove.
    expect(
      (await failure(staff.call((c) => c.backofficeAccounts.removeAuthenticator({ accountId, userId })))).message,
    ).toBe("認証アプリは登録されていません。");
  });
});
