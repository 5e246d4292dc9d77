import { afterEach, describe, expect, it } from "vitest";
import { createAccount } from "../../server/services/identity/accounts";
import { createHarness, type Harness } from "../support/harness";
import { serve } from "../support/server";

/** The hardening of the HTTP surface (docs/security.md): client addresses, redirects, the mailbox, tRPC. */

const USER = {
  loginId: "acme01",
  companyName: "アクメ計測",
  email: "taro@example.jp",
  permanentPassword: "Rental-2026",
};

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function start(env: Record<string, string> = {}, options: { host?: string } = {}) {
  const h: Harness = await createHarness(env);
  await createAccount(h.deps, USER);
  const s = await serve(h, options);
  cleanup.push(
    () => h.close(),
    () => s.close(),
  );
  return { h, url: s.url, port: s.port };
}

function loginForm(extra: Record<string, string> = {}) {
  return new URLSearchParams({ loginId: USER.loginId, email: USER.email, password: USER.permanentPassword, ...extra });
}

function login(url: string, headers: Record<string, string> = {}, extra: Record<string, string> = {}) {
  return fetch(`${url}/login`, {
    method: "POST",
    body: loginForm(extra),
    headers: { Origin: url, ...headers },
    redirect: "manual",
  });
}

/** The address the latest successful login was recorded with, in the audit log and the login notice. */
async function lastLoginAddress(h: Harness) {
  const audit = await h.db
    .selectFrom("audit_events")
    .select("ip")
    .where("action", "=", "auth.login")
    .where("result", "=", "success")
    .orderBy("at", "desc")
    .executeTakeFirstOrThrow();
  const notice = (await h.mailsTo(USER.email)).find((m) => m.subject.includes("ログイン通知"));
  return { audit: audit.ip, notice: /IPアドレス: (\S+)/.exec(notice?.text ?? "")?.[1] };
}

describe("client address behind a proxy (TRUST_PROXY)", () => {
  it("TRUST_PROXY=true trusts one hop: forged X-Forwarded-For entries neither escape the per-IP limit nor reach the audit log and the login notice", async () => {
    const { h, url } = await start({ TRUST_PROXY: "true" });
    // What nginx's $proxy_add_x_forwarded_for passes on: the client's own header, then the address it saw.
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await fetch(`${url}/login`, {
        method: "POST",
        body: new URLSearchParams({ loginId: "nobody", email: "x@example.jp", password: "x" }),
        headers: { Origin: url, "X-Forwarded-For": `10.0.0.${i}, 127.0.0.1` },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);

    h.clock.advance(1000);
    expect((await login(url, { "X-Forwarded-For": "10.9.9.9, 198.51.100.7" })).status).toBe(302);
    expect(await lastLoginAddress(h)).toEqual({ audit: "198.51.100.7", notice: "198.51.100.7" });
  });

  it("takes the right-most address not among the trusted proxies: none, a hop count, or addresses and CIDRs", async () => {
    const cases: [string, string][] = [
      ["false", "127.0.0.1"],
      ["1", "198.51.100.7"],
      ["2", "203.0.113.5"],
      // The proxies by address: the socket's peer (loopback) and a load balancer's network.
      ["127.0.0.1, 198.51.100.0/24", "203.0.113.5"],
      ["loopback", "198.51.100.7"],
      // A trusted list that does not contain the socket's peer: the header is not read at all.
      ["192.0.2.1", "127.0.0.1"],
    ];
    for (const [trustProxy, expected] of cases) {
      const { h, url } = await start({ TRUST_PROXY: trustProxy });
      const res = await login(url, { "X-Forwarded-For": "10.9.9.9, 203.0.113.5, 198.51.100.7" });
      expect(res.status).toBe(302);
      expect((await lastLoginAddress(h)).audit, `TRUST_PROXY=${trustProxy}`).toBe(expected);
    }
  });
});
