import type { AppLoadContext } from "@remix-run/node";
import { TRPCError } from "@trpc/server";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { signedInCustomer } from "../../app/utils/auth.server";
import { HOUR, MINUTE } from "../../server/lib/clock";
import { sha256Hex } from "../../server/lib/crypto";
import { INVALID_CREDENTIALS_MESSAGE } from "../../server/services/errors";
import { createAccount } from "../../server/services/identity/accounts";
import { createHarness, type Harness } from "../support/harness";

const ACME = {
  loginId: "acme01",
  companyName: "アクメ計測株式会社",
  email: "Taro.Yamada@Example.co.jp",
  userName: "山田 太郎",
};
const PASSWORD = "Rental-2026";

let h: Harness;

beforeEach(async () => {
  h = await createHarness();
  await createAccount(h.deps, { ...ACME, permanentPassword: PASSWORD });
});
afterEach(async () => {
  await h.close();
});

async function loginError(input: { loginId: string; email: string; password: string }) {
  const error = await h
    .browser()
    .call((c) => c.auth.login(input))
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(TRPCError);
  return error as TRPCError;
}

describe("login", () => {
  it("signs in with the three fields, trimming and ignoring the email's case", async () => {
    const b = h.browser();
    const result = await b.call((c) =>
      c.auth.login({ loginId: " acme01 ", email: "  taro.yamada@example.CO.JP ", password: PASSWORD }),
    );
    expect(result).toEqual({ status: "signed_in", mustChangePassword: false });
    const me = await b.call((c) => c.auth.me());
    expect(me?.account.loginId).toBe("acme01");
    expect(me?.user.name).toBe("山田 太郎");
  });

  it("answers every wrong field with the same status and message", async () => {
    const cases = [
      { loginId: "nobody", email: ACME.email, password: PASSWORD },
      { loginId: ACME.loginId, email: "someone@example.co.jp", password: PASSWORD },
      { loginId: ACME.loginId, email: ACME.email, password: "Wrong-2026x" },
      { loginId: "nobody", email: "someone@example.co.jp", password: "Wrong-2026x" },
    ];
    for (const input of cases) {
      const error = await loginError(input);
      expect(error.code).toBe("UNAUTHORIZED");
      expect(error.message).toBe(INVALID_CREDENTIALS_MESSAGE);
    }
    const failures = await h.db.selectFrom("audit_events").selectAll().where("result", "=", "failure").execute();
    expect(failures).toHaveLength(4);
    expect(failures.every((f) => !f.details?.includes("Wrong") && !f.target?.includes("Wrong"))).toBe(true);
  });

  it("spends an argon2 verification on unknown users too (no timing oracle)", async () => {
    const dummy = vi.spyOn(h.deps.hasher, "verifyDummy");
    await loginError({ loginId: "nobody", email: ACME.email, password: PASSWORD });
    await loginError({ loginId: ACME.loginId, email: "other@example.com", password: PASSWORD });
    expect(dummy).toHaveBeenCalledTimes(2);
  });

  it("requires all three fields, each with its own message", async () => {
    const error = await loginError({ loginId: "", email: " ", password: "" });
    expect(error.code).toBe("BAD_REQUEST");
    const issues = (error.cause as unknown as { issues: { path: string[]; message: string }[] }).issues;
    expect(issues.map((i) => [i.path[0], i.message])).toEqual([
      ["loginId", "ログインIDを入力してください。"],
      ["email", "メールアドレスを入力してください。"],
      ["password", "パスワードを入力してください。"],
    ]);
  });

  it("refuses users of a disabled account like any wrong password", async () => {
    await h.db.updateTable("accounts").set({ status: "disabled" }).execute();
    const error = await loginError({ loginId: ACME.loginId, email: ACME.email, password: PASSWORD });
    expect(error.message).toBe(INVALID_CREDENTIALS_MESSAGE);
  });

  it("mails a login notice to that user only, with Tokyo time, IP and browser", async () => {
    await createAccount(h.deps, {
      loginId: "other01",
      companyName: "別会社",
      email: "someone@example.com",
      permanentPassword: PASSWORD.replace("R", "Q"),
    });
    h.clock.set("2026-04-01T03:04:05.000Z");
    const b = h.browser({
      ip: "198.51.100.7",
      userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Firefox/128.0",
    });
    await b.call((c) => c.auth.login({ loginId: ACME.loginId, email: ACME.email, password: PASSWORD }));
    const mails = await h.mailsTo(ACME.email);
    expect(mails).toHaveLength(1);
    const [mail] = mails;
    expect(mail?.subject).toBe("【WEB会員専用ご注文サイト】ログイン通知");
    expect(mail?.text).toContain("2026/04/01 12:04:05 (日本時間)");
    expect(mail?.text).toContain("198.51.100.7");
    expect(mail?.text).toContain("Firefox 128 (macOS)");
    expect(mail?.text).toContain("コンタクトセンタ");
    expect(mail?.html).toContain("198.51.100.7");
    expect(await h.mailsTo("someone@example.com")).toHaveLength(0);
  });

  it("sends no notice for a failed login", async () => {
    await loginError({ loginId: ACME.loginId, email: ACME.email, password: "Wrong-2026x" });
    expect(await h.mailsTo(ACME.email)).toHaveLength(0);
  });
});

describe("sessions", () => {
  async function signedIn() {
    const b = h.browser();
    await b.call((c) => c.auth.login({ loginId: ACME.loginId, email: ACME.email, password: PASSWORD }));
    return b;
  }

  it("stores only a hash of the session id", async () => {
    const b = await signedIn();
    const cookie = [...b.cookies.values()][0] as string;
    const rows = await h.db.selectFrom("sessions").select("id").execute();
    expect(rows).toEqual([{ id: sha256Hex(cookie) }]);
  });

  it("ends after 30 idle minutes but slides while used", async () => {
    const b = await signedIn();
    h.clock.advance(29 * MINUTE);
    expect(await b.call((c) => c.auth.me())).not.toBeNull();
    h.clock.advance(29 * MINUTE);
    expect(await b.call((c) => c.auth.me())).not.toBeNull();
    h.clock.advance(30 * MINUTE + 1);
    expect(await b.call((c) => c.auth.me())).toBeNull();
    expect(b.cookies.size).toBe(0);
  });

  it("ends 12 hours after login however busy", async () => {
    const b = await signedIn();
    for (let i = 0; i < 12 * 3; i++) {
      h.clock.advance(20 * MINUTE);
      const me = await b.call((c) => c.auth.me());
      if (i < 12 * 3 - 1) expect(me).not.toBeNull();
      else expect(me).toBeNull();
    }
    expect(h.clock.now().getTime() - new Date("2026-04-01T00:00:00.000Z").getTime()).toBe(12 * HOUR);
  });

  it("logout ends the session on the server, not just the cookie", async () => {
    const b = await signedIn();
    const stolen = new Map(b.cookies);
    await b.call((c) => c.auth.logout());
    expect(b.cookies.size).toBe(0);
    const replay = h.browser();
    for (const [k, v] of stolen) replay.cookies.set(k, v);
    expect(await replay.call((c) => c.auth.me())).toBeNull();
  });

  it("a deleted user's session stops working at its next request", async () => {
    const b = await signedIn();
    await h.db.deleteFrom("users").execute();
    expect(await b.call((c) => c.auth.me())).toBeNull();
    expect(await h.db.selectFrom("sessions").selectAll().execute()).toHaveLength(0);
  });

  it("protected procedures refuse anonymous callers", async () => {
    const error = await h
      .browser()
      .call((c) => c.auth.requireCustomer())
      .catch((e: unknown) => e);
    expect((error as TRPCError).code).toBe("UNAUTHORIZED");
  });
});

describe("the signed-in customer of a page (app/utils/auth.server.ts)", () => {
  it("is asked once per request: the root's loader and the page's share the answer; another request asks again", async () => {
    const b = h.browser();
    await b.call((c) => c.auth.login({ loginId: ACME.loginId, email: ACME.email, password: PASSWORD }));
    await b.call(async (caller) => {
      const context = { caller } as AppLoadContext;
      const root = signedInCustomer(context);
      expect(signedInCustomer(context)).toBe(root);
      expect((await root)?.account.loginId).toBe(ACME.loginId);
      const nextRequest = { caller } as AppLoadContext;
      expect(signedInCustomer(nextRequest)).not.toBe(root);
      expect(await signedInCustomer(nextRequest)).toEqual(await root);
    });
    expect(await h.browser().call((caller) => signedInCustomer({ caller } as AppLoadContext))).toBeNull();
  });
});
