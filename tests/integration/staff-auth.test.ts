import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOUR, MINUTE } from "../../server/lib/clock";
import { STAFF_INVALID_CREDENTIALS_MESSAGE } from "../../server/services/backoffice/staff-sign-in";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { ADMIN_ONLY, SIGN_IN_REQUIRED, STAFF_SIGN_IN_REQUIRED } from "../../server/trpc/init";
import { domainCode, failure, fieldErrors } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";

/** スタッフログイン (SPEC §6, §8): password, then always a mailed code, then a staff session of its own. */

const ADMIN = { email: "admin@example.jp", password: "Staff-2026a", name: "管理 花子", role: "admin" as const };
const OPERATOR = { email: "ops@example.jp", password: "Staff-2026b", name: "運用 次郎", role: "operator" as const };
const CUSTOMER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp", password: "Rental-2026" };

let h: Harness;
let adminId: string;
let operatorId: string;
beforeEach(async () => {
  h = await createHarness();
  ({ staffId: adminId } = await createStaff(h.deps, ADMIN));
  ({ staffId: operatorId } = await createStaff(h.deps, OPERATOR));
});
afterEach(async () => {
  await h.close();
});

async function latestCode(to: string): Promise<string> {
  const mail = (await h.mailsTo(to)).find((m) => m.subject.includes("管理画面ワンタイムパスワード通知"));
  const code = mail && /ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1];
  if (!code) throw new Error(`no code mailed to ${to}`);
  return code;
}

async function signIn(who: { email: string; password: string }, b: TestBrowser = h.browser()) {
  await b.call((c) => c.staffAuth.login({ email: who.email, password: who.password }));
  const code = await latestCode(who.email);
  await b.call((c) => c.staffAuth.verifyOtp({ code }));
  return b;
}

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, "0");

async function auditActions(actorId: string | null = null) {
  const rows = await h.db.selectFrom("audit_events").selectAll().orderBy("at").execute();
  return rows.filter((r) => actorId === null || r.actor_id === actorId);
}

describe("sign-in", () => {
  it("mails a code after the right password, and starts a staff session only after the code", async () => {
    const b = h.browser();
    const result = await b.call((c) => c.staffAuth.login({ email: ADMIN.email, password: ADMIN.password }));
    expect(result.status).toBe("otp_required");
    expect(await b.call((c) => c.staffAuth.me())).toBeNull();
    expect(await h.db.selectFrom("sessions").selectAll().execute()).toHaveLength(0);
    const mails = await h.mailsTo(ADMIN.email);
    expect(mails.map((m) => m.subject)).toEqual(["【WEB会員専用ご注文サイト】管理画面ワンタイムパスワード通知"]);
    expect(await b.call((c) => c.staffAuth.otpChallenge())).toMatchObject({ expiresAt: "2026-04-01T00:10:00.000Z" });

    const code = await latestCode(ADMIN.email);
    h.clock.advance(1000); // the audit rows below in time order, not one instant
    await b.call((c) => c.staffAuth.verifyOtp({ code }));
    expect(await b.call((c) => c.staffAuth.me())).toEqual({
      id: adminId,
      email: ADMIN.email,
      name: ADMIN.name,
      role: "admin",
    });
    // Its own cookie and a staff row: no customer session.
    expect([...b.cookies.keys()]).toEqual([h.deps.sessions.cookieNameFor("staff")]);
    expect(h.deps.sessions.cookieNameFor("staff")).toBe("mos_staff_session");
    const sessions = await h.db.selectFrom("sessions").selectAll().execute();
    expect(sessions.map((s) => [s.kind, s.user_id])).toEqual([["staff", adminId]]);
    expect(await b.call((c) => c.auth.me())).toBeNull();

    const audit = await auditActions(adminId);
    expect(audit.map((a) => [a.actor_type, a.action, a.result])).toEqual([
      ["staff", "staff.otp.sent", "success"],
      ["staff", "staff.login", "success"],
    ]);
    // The code is never stored as typed.
    const verification = await h.db.selectFrom("verifications").selectAll().executeTakeFirstOrThrow();
    expect(verification.purpose).toBe("staff_login_otp");
    expect(JSON.stringify(verification)).not.toContain(code);
  });

  it("answers a wrong password, an unknown address and a disabled staff member alike", async () => {
    await h.db.updateTable("staff").set({ status: "disabled" }).where("id", "=", operatorId).execute();
    const attempts = [
      { email: ADMIN.email, password: "Wrong-2026a" },
      { email: "nobody@example.jp", password: ADMIN.password },
      { email: OPERATOR.email, password: OPERATOR.password },
    ];
    for (const input of attempts) {
      h.clock.advance(1000); // audit rows of one instant have no order: one second apart, they do
      const e = await failure(h.browser().call((c) => c.staffAuth.login(input)));
      expect({ code: e.code, message: e.message, domain: domainCode(e) }).toEqual({
        code: "UNAUTHORIZED",
        message: STAFF_INVALID_CREDENTIALS_MESSAGE,
        domain: "INVALID_CREDENTIALS",
      });
    }
    expect(await h.mailsTo(ADMIN.email)).toEqual([]);
    expect(await h.mailsTo(OPERATOR.email)).toEqual([]);
    const failures = (await auditActions()).filter((a) => a.action === "staff.login");
    expect(failures.map((a) => [a.actor_type, a.result, a.target])).toEqual([
      ["staff", "failure", ADMIN.email],
      ["anonymous", "failure", "nobody@example.jp"],
      ["staff", "failure", OPERATOR.email],
    ]);
    for (const a of failures) expect(a.details ?? "").not.toContain("Wrong-2026a");
  });

  it("matches the address however it is typed (case, full-width)", async () => {
    const b = h.browser();
    await b.call((c) => c.staffAuth.login({ email: "ADMIN@EXAMPLE.JP", password: ADMIN.password }));
    await b.call(async (c) => c.staffAuth.verifyOtp({ code: await latestCode(ADMIN.email) }));
    expect((await b.call((c) => c.staffAuth.me()))?.id).toBe(adminId);
  });

  it("locks the address for 15 minutes after 10 failures, with the same answer, then lets it in", async () => {
    for (let i = 0; i < 10; i++) {
      await failure(h.browser().call((c) => c.staffAuth.login({ email: ADMIN.email, password: `Wrong-2026${i}` })));
    }
    const locked = await failure(h.browser().call((c) => c.staffAuth.login(ADMIN)));
    expect(locked.message).toBe(STAFF_INVALID_CREDENTIALS_MESSAGE);
    expect(await h.mailsTo(ADMIN.email)).toEqual([]);
    expect((await auditActions(adminId)).filter((a) => a.action === "staff.lockout")).toHaveLength(1);
    // Keyed apart from customers: a customer with the same address is not locked.
    expect(await h.db.selectFrom("login_failures").select("key").execute()).toEqual([
      { key: "staff:admin@example.jp" },
    ]);
    h.clock.advance(15 * MINUTE + 1000);
    await signIn(ADMIN);
  });

  it("answers 429 past 20 login attempts a minute from one IP", async () => {
    const b = h.browser({ ip: "198.51.100.7" });
    for (let i = 0; i < 20; i++)
      await failure(b.call((c) => c.staffAuth.login({ email: "x@example.jp", password: "x" })));
    const e = await failure(b.call((c) => c.staffAuth.login(ADMIN)));
    expect(e.code).toBe("TOO_MANY_REQUESTS");
  });

  it("takes a code once", async () => {
    const b = h.browser();
    await b.call((c) => c.staffAuth.login(ADMIN));
    const code = await latestCode(ADMIN.email);
    const copy = h.browser();
    for (const [k, v] of b.cookies) copy.cookies.set(k, v);
    await b.call((c) => c.staffAuth.verifyOtp({ code }));
    const e = await failure(copy.call((c) => c.staffAuth.verifyOtp({ code })));
    expect(domainCode(e)).toBe("OTP_CHALLENGE_ENDED");
    expect(await copy.call((c) => c.staffAuth.me())).toBeNull();
  });

  it("ends the challenge after 5 wrong codes; the right one then fails too", async () => {
    const b = h.browser();
    await b.call((c) => c.staffAuth.login(ADMIN));
    const code = await latestCode(ADMIN.email);
    for (let i = 1; i <= 4; i++) {
      const e = await failure(b.call((c) => c.staffAuth.verifyOtp({ code: wrongCode(code) })));
      expect(e.message).toBe(`ワンタイムパスワードが正しくありません。(あと${5 - i}回入力できます)`);
    }
    const fifth = await failure(b.call((c) => c.staffAuth.verifyOtp({ code: wrongCode(code) })));
    expect(domainCode(fifth)).toBe("OTP_CHALLENGE_ENDED");
    const after = h.browser();
    await after.call((c) => c.staffAuth.login(ADMIN)); // a new challenge for another browser
    const e = await failure(b.call((c) => c.staffAuth.verifyOtp({ code })));
    expect(domainCode(e)).toBe("OTP_CHALLENGE_ENDED");
    expect(await b.call((c) => c.staffAuth.me())).toBeNull();
  });

  it("expires the code after 10 minutes, and resends at most once a minute", async () => {
    const b = h.browser();
    await b.call((c) => c.staffAuth.login(ADMIN));
    const first = await latestCode(ADMIN.email);
    expect(domainCode(await failure(b.call((c) => c.staffAuth.resendOtp())))).toBe("OTP_RESEND_TOO_SOON");
    h.clock.advance(MINUTE);
    await b.call((c) => c.staffAuth.resendOtp());
    const second = await latestCode(ADMIN.email);
    if (second !== first) {
      expect(domainCode(await failure(b.call((c) => c.staffAuth.verifyOtp({ code: first }))))).toBe("OTP_INVALID");
    }
    h.clock.advance(10 * MINUTE + 1000);
    expect(domainCode(await failure(b.call((c) => c.staffAuth.verifyOtp({ code: second }))))).toBe(
      "OTP_CHALLENGE_ENDED",
    );
  });

  it("logs out: the session ends and the logout is audited", async () => {
    const b = await signIn(ADMIN);
    h.clock.advance(1000); // after the sign-in's audit rows, not in the same instant
    await b.call((c) => c.staffAuth.logout());
    expect(await b.call((c) => c.staffAuth.me())).toBeNull();
    expect(await h.db.selectFrom("sessions").selectAll().execute()).toHaveLength(0);
    expect((await auditActions(adminId)).at(-1)).toMatchObject({ actor_type: "staff", action: "staff.logout" });
  });
});

describe("staff and customer sessions stay apart", () => {
  async function customer(b: TestBrowser = h.browser()) {
    await createAccount(h.deps, { ...CUSTOMER, permanentPassword: CUSTOMER.password });
    await b.call((c) => c.auth.login(CUSTOMER));
    return b;
  }

  it("a customer session cannot call staff procedures, nor a staff session customer ones", async () => {
    const c = await customer();
    // Thunks, called one at a time: a second promise made up front would reject before it is awaited.
    for (const call of [() => c.call((x) => x.staffAuth.requireStaff()), () => c.call((x) => x.staff.list())]) {
      const e = await failure(call());
      expect({ code: e.code, message: e.message }).toEqual({ code: "UNAUTHORIZED", message: STAFF_SIGN_IN_REQUIRED });
    }
    expect(await c.call((x) => x.staffAuth.me())).toBeNull();

    const s = await signIn(ADMIN);
    for (const call of [() => s.call((x) => x.auth.requireCustomer()), () => s.call((x) => x.templates.list())]) {
      const e = await failure(call());
      expect({ code: e.code, message: e.message }).toEqual({ code: "UNAUTHORIZED", message: SIGN_IN_REQUIRED });
    }
    expect(await s.call((x) => x.auth.me())).toBeNull();
  });

  it("a session id in the other kind's cookie is no session", async () => {
    const s = await signIn(ADMIN);
    const staffId = s.cookies.get("mos_staff_session") as string;
    const forged = h.browser();
    forged.cookies.set("mos_session", staffId);
    expect(await forged.call((x) => x.auth.me())).toBeNull();
    expect(domainCode(await failure(forged.call((x) => x.templates.list())))).toBe("UNAUTHORIZED");

    const c = await customer();
    const customerId = c.cookies.get("mos_session") as string;
    const forged2 = h.browser();
    forged2.cookies.set("mos_staff_session", customerId);
    expect(await forged2.call((x) => x.staffAuth.me())).toBeNull();
    // Neither session was harmed.
    expect(await s.call((x) => x.staffAuth.me())).not.toBeNull();
    expect(await c.call((x) => x.auth.me())).not.toBeNull();
  });

  it("one browser holds both; each logout ends only its own", async () => {
    const b = await customer();
    await signIn(ADMIN, b);
    expect((await b.call((x) => x.auth.me()))?.account.loginId).toBe(CUSTOMER.loginId);
    expect((await b.call((x) => x.staffAuth.me()))?.email).toBe(ADMIN.email);
    await b.call((x) => x.staffAuth.logout());
    expect(await b.call((x) => x.staffAuth.me())).toBeNull();
    expect(await b.call((x) => x.auth.me())).not.toBeNull();

    // And the other way round: the customer's logout leaves a staff session signed in.
    await signIn(ADMIN, b);
    await b.call((x) => x.auth.logout());
    expect(await b.call((x) => x.auth.me())).toBeNull();
    expect((await b.call((x) => x.staffAuth.me()))?.email).toBe(ADMIN.email);
    const kinds = await h.db.selectFrom("sessions").select("kind").execute();
    expect(kinds.map((k) => k.kind)).toEqual(["staff"]);
  });

  it("the customer logout with only a staff session ends nothing; the staff logout with only a customer session neither", async () => {
    const s = await signIn(ADMIN);
    const staffCookie = s.cookies.get("mos_staff_session");
    expect(await s.call((x) => x.auth.logout())).toEqual({ ok: true });
    expect((await s.call((x) => x.staffAuth.me()))?.email).toBe(ADMIN.email);
    expect(s.cookies.get("mos_staff_session")).toBe(staffCookie);

    const c = await customer();
    const customerCookie = c.cookies.get("mos_session");
    expect(await c.call((x) => x.staffAuth.logout())).toEqual({ ok: true });
    expect((await c.call((x) => x.auth.me()))?.account.loginId).toBe(CUSTOMER.loginId);
    expect(c.cookies.get("mos_session")).toBe(customerCookie);

    const sessions = await h.db.selectFrom("sessions").select("kind").orderBy("kind").execute();
    expect(sessions.map((r) => r.kind)).toEqual(["customer", "staff"]);
    const logouts = (await auditActions()).filter((a) => /logout/.test(a.action));
    expect(logouts).toEqual([]);
  });
});

describe("expiry", () => {
  it("ends a staff session idle for 30 minutes", async () => {
    const b = await signIn(OPERATOR);
    h.clock.advance(29 * MINUTE);
    expect(await b.call((x) => x.staffAuth.me())).not.toBeNull();
    h.clock.advance(29 * MINUTE);
    expect(await b.call((x) => x.staffAuth.me())).not.toBeNull();
    h.clock.advance(30 * MINUTE + 1000);
    expect(await b.call((x) => x.staffAuth.me())).toBeNull();
    expect(b.cookies.size).toBe(0);
  });

  it("ends a staff session 12 hours after sign-in however busy", async () => {
    const b = await signIn(OPERATOR);
    for (let t = 0; t < 12 * HOUR - 20 * MINUTE; t += 20 * MINUTE) {
      h.clock.advance(20 * MINUTE);
      expect(await b.call((x) => x.staffAuth.me())).not.toBeNull();
    }
    h.clock.advance(20 * MINUTE);
    expect(await b.call((x) => x.staffAuth.me())).toBeNull();
  });
});

describe("roles", () => {
  it("refuses an operator the admin procedures", async () => {
    const b = await signIn(OPERATOR);
    const calls = [
      () => b.call((x) => x.staff.list()),
      () =>
        b.call((x) => x.staff.add({ email: "new@example.jp", name: "", role: "operator", password: "Staff-2026c" })),
      () => b.call((x) => x.staff.setStatus({ id: adminId, status: "disabled" })),
    ];
    for (const call of calls) {
      const e = await failure(call());
      expect({ code: e.code, message: e.message }).toEqual({ code: "FORBIDDEN", message: ADMIN_ONLY });
    }
    expect(await h.db.selectFrom("staff").select("status").where("id", "=", adminId).executeTakeFirst()).toEqual({
      status: "active",
    });
  });

  it("lets an admin list, add, disable and enable staff; disabling ends their sessions", async () => {
    const admin = await signIn(ADMIN);
    const { id } = await admin.call((x) =>
      x.staff.add({ email: "new@example.jp", name: "新人 三郎", role: "operator", password: "Staff-2026c" }),
    );
    const list = await admin.call((x) => x.staff.list());
    expect(list.map((s) => [s.email, s.role, s.status])).toEqual([
      [ADMIN.email, "admin", "active"],
      ["new@example.jp", "operator", "active"],
      [OPERATOR.email, "operator", "active"],
    ]);
    const dup = await failure(
      admin.call((x) => x.staff.add({ email: "NEW@example.jp", name: "", role: "admin", password: "Staff-2026d" })),
    );
    expect(domainCode(dup)).toBe("DUPLICATE_EMAIL");

    const newcomer = await signIn({ email: "new@example.jp", password: "Staff-2026c" });
    await admin.call((x) => x.staff.setStatus({ id, status: "disabled" }));
    expect(await newcomer.call((x) => x.staffAuth.me())).toBeNull();
    await failure(h.browser().call((x) => x.staffAuth.login({ email: "new@example.jp", password: "Staff-2026c" })));
    await admin.call((x) => x.staff.setStatus({ id, status: "active" }));
    await signIn({ email: "new@example.jp", password: "Staff-2026c" });

    const self = await failure(admin.call((x) => x.staff.setStatus({ id: adminId, status: "disabled" })));
    expect(self.message).toBe("ご自身を利用停止にすることはできません。");
    const audit = (await auditActions(adminId)).map((a) => a.action);
    expect(audit).toEqual(expect.arrayContaining(["staff.create", "staff.disable", "staff.enable"]));
  });

  it("keeps the password policy for new staff", async () => {
    const admin = await signIn(ADMIN);
    const e = await failure(
      admin.call((x) => x.staff.add({ email: "weak@example.jp", name: "", role: "operator", password: "abc" })),
    );
    expect(domainCode(e)).toBe("VALIDATION");
  });
});

describe("staff passwords", () => {
  const change = (b: TestBrowser, currentPassword: string, next = "Staff-2026n", confirm = next) =>
    b.call((c) => c.staffAuth.changePassword({ currentPassword, newPassword: next, confirmPassword: confirm }));

  it("パスワード変更: the current one first; then a new session, the others end, and the new password signs in", async () => {
    const b = await signIn(OPERATOR);
    const other = await signIn(OPERATOR);
    const before = b.cookies.get("mos_staff_session");

    const wrong = await failure(change(b, "Wrong-2026x"));
    expect(fieldErrors(wrong)).toEqual({ currentPassword: ["現パスワードが正しくありません。"] });
    const weak = await failure(change(b, OPERATOR.password, "short", "other"));
    expect(Object.keys(fieldErrors(weak)).sort()).toEqual(["confirmPassword", "newPassword"]);
    const same = await failure(change(b, OPERATOR.password, OPERATOR.password));
    expect(fieldErrors(same)).toEqual({ newPassword: ["現パスワードと異なるパスワードを入力してください。"] });
    // Nothing changed so far.
    expect(await other.call((c) => c.staffAuth.me())).not.toBeNull();

    await change(b, OPERATOR.password);
    expect(b.cookies.get("mos_staff_session")).not.toBe(before);
    expect((await b.call((c) => c.staffAuth.me()))?.id).toBe(operatorId);
    expect(await other.call((c) => c.staffAuth.me())).toBeNull();
    expect(domainCode(await failure(signIn(OPERATOR)))).toBe("INVALID_CREDENTIALS");
    await signIn({ email: OPERATOR.email, password: "Staff-2026n" });
    expect((await auditActions(operatorId)).map((a) => a.action)).toContain("staff.password_change");
  });

  it("wrong current passwords count toward the lockout and end the staff member's sessions at the limit", async () => {
    const b = await signIn(OPERATOR);
    for (let i = 0; i < 9; i++) await failure(change(b, `Wrong-2026${i}`));
    const e = await failure(change(b, "Wrong-2026z"));
    expect(domainCode(e)).toBe("INVALID_CREDENTIALS");
    expect(e.message).toContain("ログアウトしました");
    expect(await b.call((c) => c.staffAuth.me())).toBeNull();
    // Locked: even the right password does not sign in for now.
    expect(domainCode(await failure(signIn(OPERATOR)))).toBe("INVALID_CREDENTIALS");
    expect((await auditActions(operatorId)).map((a) => a.action)).toContain("staff.lockout");
  });

  it("パスワード再設定 by an admin: the other's sessions end, the lockout lifts, the new password signs in", async () => {
    const admin = await signIn(ADMIN);
    const op = await signIn(OPERATOR);
    for (let i = 0; i < 10; i++) {
      await failure(h.browser().call((c) => c.staffAuth.login({ email: OPERATOR.email, password: "Wrong-2026x" })));
    }
    const reset = (id: string, newPassword = "Staff-2026r", confirmPassword = newPassword) =>
      admin.call((c) => c.staff.resetPassword({ id, newPassword, confirmPassword }));

    const bad = await failure(reset(operatorId, "Staff-2026r", "Staff-2026q"));
    expect(Object.keys(fieldErrors(bad))).toEqual(["confirmPassword"]);
    expect(domainCode(await failure(reset(adminId)))).toBe("VALIDATION");
    expect(domainCode(await failure(reset("no-such-staff")))).toBe("NOT_FOUND");
    expect(
      (
        await failure(
          op.call((c) =>
            c.staff.resetPassword({ id: adminId, newPassword: "Staff-2026r", confirmPassword: "Staff-2026r" }),
          ),
        )
      ).message,
    ).toBe(ADMIN_ONLY);

    await reset(operatorId);
    expect(await op.call((c) => c.staffAuth.me())).toBeNull();
    await signIn({ email: OPERATOR.email, password: "Staff-2026r" });
    const audit = await auditActions(adminId);
    expect(audit.filter((a) => a.action === "staff.password_reset").map((a) => a.target)).toEqual([OPERATOR.email]);
  });
});
