import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb } from "../../db";
import { buildDeps } from "../../server/runtime";
import { createAccount } from "../../server/services/identity/accounts";
import { failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";

/**
 * セキュリティ設定 (issue 14 item 1): ログイン履歴 and ログイン中の端末 with ログアウト per device and
 * 他の端末をすべてログアウト, through the caller. Who may call: isolation.test.ts.
 */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SAFARI =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

let h: Harness;
beforeEach(async () => {
  h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
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

describe("ログイン履歴", () => {
  it("lists the user's sign-ins and failed attempts, newest first: time, IP, browser, result; at most 30", async () => {
    await signIn({ ip: "198.51.100.7", userAgent: FIREFOX });
    const wrong = h.browser({ ip: "192.0.2.99", userAgent: SAFARI });
    await failure(wrong.call((c) => c.auth.login({ ...USER, password: "Wrong-2026x" })));
    h.clock.advance(60_000);
    const b = await signIn();
    const { history } = await b.call((c) => c.account.security());
    expect(history.map((r) => [r.result, r.ip, r.browser])).toEqual([
      ["成功", "203.0.113.10", expect.stringContaining("Chrome")],
      ["失敗", "192.0.2.99", expect.stringContaining("Safari")],
      ["成功", "198.51.100.7", expect.stringContaining("Firefox")],
    ]);
    expect(history[2]?.atLabel).toBe("2026/04/01 09:00:00 (日本時間)");

    let latest = b;
    for (let i = 0; i < 30; i++) latest = await signIn();
    expect((await latest.call((c) => c.account.security())).history).toHaveLength(30);
    // Another user's sign-ins are not in it.
    const other = await h.otherAccount();
    const theirs = (await other.call((c) => c.account.security())).history;
    expect(theirs).toHaveLength(1);
  });
});

describe("ログイン中の端末", () => {
  it("lists the user's live sessions, this one first and marked; ログアウト ends another at once, on every instance", async () => {
    const pc = await signIn({ ip: "198.51.100.7", userAgent: FIREFOX });
    const phone = await signIn({ ip: "192.0.2.44", userAgent: SAFARI });
    await pc.call((c) => c.account.settings());
    const { devices } = await pc.call((c) => c.account.security());
    expect(devices.map((d) => [d.current, d.ip, d.browser.includes("Firefox")])).toEqual([
      [true, "198.51.100.7", true],
      [false, "192.0.2.44", false],
    ]);
    expect(devices[0]?.startedLabel).toBe("2026/04/01 09:00:00 (日本時間)");
    const phoneHandle = devices[1]?.handle as string;
    // The handle names the session; it is not one.
    expect([...phone.cookies.values()]).not.toContain(phoneHandle);

    // Another instance on the same database, to check the session there too.
    const db2 = createDb(h.databaseUrl, { poolSize: 2 });
    try {
      const instance2 = buildDeps(h.config, db2, h.renderer, "unused-pepper-0123456789abcdefghij", h.clock);
      const phoneSessionId = phone.cookies.get(h.deps.sessions.cookieName) as string;
      expect(await instance2.sessions.validate(phoneSessionId)).not.toBeNull();

      expect(await pc.call((c) => c.account.endSession({ handle: phoneHandle }))).toEqual({ ended: true });
      expect((await failure(phone.call((c) => c.account.settings()))).code).toBe("UNAUTHORIZED");
      expect(await instance2.sessions.validate(phoneSessionId)).toBeNull();
    } finally {
      await db2.destroy();
    }
    // Again: already ended, nothing more happens.
    expect(await pc.call((c) => c.account.endSession({ handle: phoneHandle }))).toEqual({ ended: false });
    expect((await pc.call((c) => c.account.security())).devices).toHaveLength(1);
    const audited = await h.db
      .selectFrom("audit_events")
      .select(["action", "ip"])
      .where("action", "=", "auth.session_end")
      .execute();
    expect(audited).toEqual([{ action: "auth.session_end", ip: "198.51.100.7" }]);
  });

  it("refuses to end this device here, and cannot end another user's session", async () => {
    const b = await signIn();
    const [mine] = (await b.call((c) => c.account.security())).devices;
    const e = await failure(b.call((c) => c.account.endSession({ handle: mine?.handle as string })));
    expect(e.code).toBe("BAD_REQUEST");
    expect(e.message).toContain("この端末");
    expect(await b.call((c) => c.account.settings())).toBeTruthy();

    const other = await h.otherAccount();
    const [theirs] = (await other.call((c) => c.account.security())).devices;
    expect(await b.call((c) => c.account.endSession({ handle: theirs?.handle as string }))).toEqual({ ended: false });
    expect(await other.call((c) => c.account.settings())).toBeTruthy();
  });

  it("他の端末をすべてログアウト ends every other session of the user, and only those", async () => {
    const here = await signIn();
    const second = await signIn({ userAgent: FIREFOX });
    const third = await signIn({ userAgent: SAFARI });
    const other = await h.otherAccount();
    expect(await here.call((c) => c.account.endOtherSessions())).toEqual({ ended: 2 });
    for (const b of [second, third])
      expect((await failure(b.call((c) => c.account.settings()))).code).toBe("UNAUTHORIZED");
    expect((await here.call((c) => c.account.security())).devices.map((d) => d.current)).toEqual([true]);
    expect(await other.call((c) => c.account.settings())).toBeTruthy();
    expect(await here.call((c) => c.account.endOtherSessions())).toEqual({ ended: 0 });
  });
});
