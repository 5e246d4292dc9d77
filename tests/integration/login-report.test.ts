import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb } from "../../db";
import { HOUR } from "../../server/lib/clock";
import { buildDeps } from "../../server/runtime";
import { createAccount } from "../../server/services/identity/accounts";
import { domainCode, failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";

/**
 * 心当たりがない場合 (issue 14 item 1): the ログイン通知's one-time link ends every session of the user, voids
 * the password (a reset mail follows), records the event and tells the contact center.
 */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const STAFF = "orders@rental.example.jp";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0", STAFF_NOTIFY_EMAIL: STAFF });
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
});
afterEach(async () => {
  await h.close();
});

async function signIn(options: { ip?: string; userAgent?: string } = {}): Promise<TestBrowser> {
  const b = h.browser(options);
  await b.call((c) => c.auth.login({ ...USER, password: PASSWORD }));
  h.clock.advance(60_000);
  return b;
}

/** The link of the newest ログイン通知 (the n-th newest with `nth`). */
async function reportToken(nth = 0): Promise<string> {
  const notices = (await h.mailsTo(USER.email)).filter((m) => m.subject.includes("ログイン通知"));
  const mail = notices[nth];
  expect(mail?.text).toContain("心当たりがない場合はこちら");
  expect(mail?.html).toContain("心当たりがない場合はこちら");
  const url = /心当たりがない場合はこちら: (\S+)/.exec(mail?.text ?? "")?.[1] ?? "";
  expect(url).toMatch(/^http:\/\/localhost:3000\/login-report\/[\w-]{20,}$/);
  return url.split("/").pop() as string;
}

function sessionOf(b: TestBrowser): string {
  return b.cookies.get(h.deps.sessions.cookieName) as string;
}

describe("心当たりがない場合", () => {
  it("ends every session at once (on every instance), voids the password, mails a reset link and tells the contact center", async () => {
    const owner = await signIn();
    const intruder = await signIn({ ip: "192.0.2.66", userAgent: FIREFOX });
    const token = await reportToken();
    // Opening the page shows the sign-in it is about and changes nothing.
    const page = h.browser();
    expect(await page.call((c) => c.auth.loginReportInfo({ token }))).toEqual({
      loginAt: "2026/04/01 09:01:00 (日本時間)",
      ip: "192.0.2.66",
      browser: expect.stringContaining("Firefox"),
    });
    await owner.call((c) => c.account.settings());

    const db2 = createDb(h.databaseUrl, { poolSize: 2 });
    try {
      const instance2 = buildDeps(h.config, db2, h.renderer, "unused-pepper-0123456789abcdefghij", h.clock);
      expect(await instance2.sessions.validate(sessionOf(intruder))).not.toBeNull();

      // The owner opens the link in their signed-in browser.
      await owner.call((c) => c.auth.reportLogin({ token }));
      expect(sessionOf(owner)).toBeUndefined();
      expect(await instance2.sessions.validate(sessionOf(intruder))).toBeNull();
    } finally {
      await db2.destroy();
    }
    expect(domainCode(await failure(intruder.call((c) => c.account.settings())))).toBe("UNAUTHORIZED");
    expect(await h.db.selectFrom("sessions").select("id").execute()).toEqual([]);

    // The password no longer signs in (the same answer as any wrong one).
    expect(domainCode(await failure(h.browser().call((c) => c.auth.login({ ...USER, password: PASSWORD }))))).toBe(
      "INVALID_CREDENTIALS",
    );

    // The reset mail sets a new one.
    const reset = (await h.mailsTo(USER.email)).find((m) => m.subject.includes("パスワード再設定のご案内"));
    const resetToken = /\/reset-password\/([\w-]+)/.exec(reset?.text ?? "")?.[1] as string;
    expect(resetToken).toBeTruthy();
    await h
      .browser()
      .call((c) =>
        c.auth.resetPassword({ token: resetToken, newPassword: "Fresh-2026pw", confirmPassword: "Fresh-2026pw" }),
      );
    await h.browser().call((c) => c.auth.login({ ...USER, password: "Fresh-2026pw" }));

    // The contact center is told which sign-in was reported.
    const [staff] = await h.mailsTo(STAFF);
    expect(staff?.subject).toContain("不正ログインの報告");
    expect(staff?.text).toContain("192.0.2.66");
    expect(staff?.text).toContain(USER.email);
    expect(staff?.text).toContain(USER.loginId);
    expect(staff?.text).toMatch(/\/admin\/accounts\/[\w-]+/);

    // The event is in the audit trail, with the reported sign-in.
    const event = await h.db
      .selectFrom("audit_events")
      .select(["actor_type", "target", "details", "ip"])
      .where("action", "=", "auth.login_reported")
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ actor_type: "customer", target: USER.email, ip: "203.0.113.10" });
    expect(event.details).toContain("192.0.2.66");
  });

  it("works once; the other notices' links end with it; a wrong or expired link changes nothing", async () => {
    await signIn();
    await signIn();
    const older = await reportToken(1);
    const newer = await reportToken(0);
    // Each sign-in's notice has a link of its own; a newer sign-in did not end the older one.
    expect(older).not.toBe(newer);
    expect(await h.browser().call((c) => c.auth.loginReportInfo({ token: older }))).not.toBeNull();

    for (const token of ["x".repeat(43), ""]) {
      const error = await failure(h.browser().call((c) => c.auth.reportLogin({ token })));
      expect(error.message).toMatch(/このURLは無効か、有効期限が切れています|入力/);
    }
    expect(await h.db.selectFrom("sessions").select("id").execute()).toHaveLength(2);

    await h.browser().call((c) => c.auth.reportLogin({ token: newer }));
    const again = await failure(h.browser().call((c) => c.auth.reportLogin({ token: newer })));
    expect(domainCode(again)).toBe("TOKEN_INVALID");
    expect(again.message).toContain("このURLは無効か、有効期限が切れています");
    expect(await h.browser().call((c) => c.auth.loginReportInfo({ token: older }))).toBeNull();
    expect(domainCode(await failure(h.browser().call((c) => c.auth.reportLogin({ token: older }))))).toBe(
      "TOKEN_INVALID",
    );
    // One report: one reset mail, one staff mail.
    expect((await h.mailsTo(STAFF)).length).toBe(1);
    expect((await h.mailsTo(USER.email)).filter((m) => m.subject.includes("パスワード再設定")).length).toBe(1);
  });

  it("expires after a day; a password change or a newer sign-in leaves it usable", async () => {
    await signIn();
    const token = await reportToken();
    // An intruder who knows the password changes it: the owner's way out stays.
    const intruder = await signIn();
    await intruder.call((c) =>
      c.account.changePassword({
        currentPassword: PASSWORD,
        newPassword: "Taken-2026pw",
        confirmPassword: "Taken-2026pw",
      }),
    );
    expect(await h.browser().call((c) => c.auth.loginReportInfo({ token }))).not.toBeNull();

    h.clock.advance(24 * HOUR);
    expect(await h.browser().call((c) => c.auth.loginReportInfo({ token }))).toBeNull();
    expect(domainCode(await failure(h.browser().call((c) => c.auth.reportLogin({ token }))))).toBe("TOKEN_INVALID");
    expect(await h.db.selectFrom("sessions").select("id").execute()).not.toEqual([]);
    expect((await h.mailsTo(STAFF)).length).toBe(0);
  });

  it("without STAFF_NOTIFY_EMAIL the rest still happens", async () => {
    await h.close();
    h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
    await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
    await signIn();
    await h.browser().call(async (c) => c.auth.reportLogin({ token: await reportToken() }));
    expect(await h.db.selectFrom("sessions").select("id").execute()).toEqual([]);
    expect(await h.db.selectFrom("mail_outbox").select("to_address").where("to_address", "=", STAFF).execute()).toEqual(
      [],
    );
  });
});
