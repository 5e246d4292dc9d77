import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../server/config";

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("has one-box defaults", () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.appOrigin).toBe("http://localhost:3000");
    expect(c.databaseUrl).toBe("file:./data/member-order.sqlite");
    expect(c.mail.transport).toBe("mailbox");
    expect(c.seedDemo).toBe(true);
    expect(c.secureCookies).toBe(false);
    expect(c.loginRateLimitPerMinute).toBe(20);
    expect(c.session).toEqual({ idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000 });
    expect(c.passwordSymbols).toBe(".-_");
  });

  it("polls intake as often as the outbox unless told otherwise", () => {
    expect(loadConfig({ MAIL_POLL_INTERVAL_MS: "100" }).intake.pollIntervalMs).toBe(100);
    const own = loadConfig({ MAIL_POLL_INTERVAL_MS: "100", INTAKE_POLL_INTERVAL_MS: "5000" });
    expect(own.intake.pollIntervalMs).toBe(5000);
    expect(own.mail.pollIntervalMs).toBe(100);
  });

  it("names every bad variable at once", () => {
    const p = problems({ PORT: "abc", APP_ORIGIN: "not a url", MAIL_TRANSPORT: "pigeon", TRUST_PROXY: "maybe" });
    expect(p.map((x) => x.split(":")[0]).sort()).toEqual(["APP_ORIGIN", "MAIL_TRANSPORT", "PORT", "TRUST_PROXY"]);
  });

  it("requires secrets, origin, sender and SMTP in production", () => {
    const p = problems({ APP_ENV: "production" });
    expect(p.map((x) => x.split(":")[0]).sort()).toEqual(["APP_ORIGIN", "MAIL_FROM", "PEPPER", "SMTP_URL"]);
    const ok = loadConfig({
      APP_ENV: "production",
      APP_ORIGIN: "https://order.example.jp",
      PEPPER: "p".repeat(32),
      MAIL_FROM: "注文サイト <no-reply@example.jp>",
      SMTP_URL: "smtp://mail.example.jp:587",
    });
    expect(ok.mail.transport).toBe("smtp");
    expect(ok.secureCookies).toBe(true);
    expect(ok.seedDemo).toBe(false);
  });

  it("refuses a short pepper, an origin with a path and an unknown database scheme", () => {
    const p = problems({ PEPPER: "short", APP_ORIGIN: "https://x.example/app", DATABASE_URL: "mysql://x" });
    expect(p.map((x) => x.split(":")[0]).sort()).toEqual(["APP_ORIGIN", "DATABASE_URL", "PEPPER"]);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", MAIL_TRANSPORT: "" }).port).toBe(3000);
  });

  it("allows turning the login rate limit off for QA", () => {
    expect(loadConfig({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" }).loginRateLimitPerMinute).toBe(0);
    expect(problems({ LOGIN_RATE_LIMIT_PER_MINUTE: "-1" })[0]).toMatch(/^LOGIN_RATE_LIMIT_PER_MINUTE/);
  });

  it("reads TRUST_PROXY as the proxies to trust: none, a hop count (true = one), or addresses and CIDRs", () => {
    const trust = (v: string) => loadConfig({ TRUST_PROXY: v }).trustProxy;
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(trust("false")).toBe(false);
    expect(trust("0")).toBe(false);
    // Never "trust every hop": that lets a client choose its own address through the proxy.
    expect(trust("true")).toBe(1);
    expect(trust("1")).toBe(1);
    expect(trust("2")).toBe(2);
    expect(trust("10.0.0.1, 10.0.1.0/24,fd00::/8")).toEqual(["10.0.0.1", "10.0.1.0/24", "fd00::/8"]);
    expect(trust("loopback,uniquelocal")).toEqual(["loopback", "uniquelocal"]);
    for (const bad of ["maybe", "10.0.0.300", "10.0.0.0/33", "::1/129", "-1", "1.5", "10.0.0.1,,"]) {
      const p = problems({ TRUST_PROXY: bad });
      expect(p, bad).toHaveLength(1);
      expect(p[0]).toMatch(/^TRUST_PROXY: .*hop count.*address/);
    }
  });

  it("listens on loopback in local mode unless HOST opens it; on every interface in production", () => {
    expect(loadConfig({}).host).toBe("127.0.0.1");
    expect(loadConfig({ HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
    const production = {
      APP_ENV: "production",
      APP_ORIGIN: "https://order.example.jp",
      PEPPER: "p".repeat(32),
      MAIL_FROM: "注文サイト <no-reply@example.jp>",
      SMTP_URL: "smtp://mail.example.jp:587",
    };
    expect(loadConfig(production).host).toBe("0.0.0.0");
  });

  it("refuses the mailbox transport in production unless ALLOW_MAILBOX_IN_PRODUCTION=true", () => {
    const production = {
      APP_ENV: "production",
      APP_ORIGIN: "https://order.example.jp",
      PEPPER: "p".repeat(32),
      MAIL_FROM: "注文サイト <no-reply@example.jp>",
      MAIL_TRANSPORT: "mailbox",
    };
    const p = problems(production);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^MAIL_TRANSPORT: .*ALLOW_MAILBOX_IN_PRODUCTION=true/);
    const allowed = loadConfig({ ...production, ALLOW_MAILBOX_IN_PRODUCTION: "true" });
    expect(allowed.mail.transport).toBe("mailbox");
    expect(allowed.mail.mailboxAllowRemote).toBe(false);
    expect(loadConfig({ MAILBOX_ALLOW_REMOTE: "true" }).mail.mailboxAllowRemote).toBe(true);
  });
});

describe("the documents' issuer (ADR 023)", () => {
  it("takes the company block from the environment; the phone falls back to the contact center's", () => {
    const c = loadConfig({
      COMPANY_NAME: "東都レンタル株式会社",
      COMPANY_ADDRESS: "〒105-0011 東京都港区芝公園1-2-3",
      COMPANY_REGISTRATION_NUMBER: "T1234567890123",
      CONTACT_CENTER_PHONE: "0120-111-222",
    });
    expect(c.company).toEqual({
      name: "東都レンタル株式会社",
      address: "〒105-0011 東京都港区芝公園1-2-3",
      phone: "0120-111-222",
      registrationNumber: "T1234567890123",
    });
    expect(loadConfig({ COMPANY_PHONE: "03-5555-0101" }).company.phone).toBe("03-5555-0101");
  });

  it("refuses a registration number that is not T and 13 digits, naming the variable", () => {
    for (const bad of ["1234567890123", "T123456789012", "T12345678901234", "t1234567890123", "T1234-567890123"]) {
      const p = problems({ COMPANY_REGISTRATION_NUMBER: bad });
      expect(p).toHaveLength(1);
      expect(p[0]).toMatch(/^COMPANY_REGISTRATION_NUMBER: T followed by 13 digits/);
    }
    expect(problems({ COMPANY_PHONE: "call us" })[0]).toMatch(/^COMPANY_PHONE: /);
  });

  it("shows samples in local mode, and leaves the lines out in production rather than print a sample", () => {
    expect(loadConfig({}).company).toMatchObject({
      address: "〒100-0005 東京都千代田区丸の内1-1-1 サンプルビル5階",
      registrationNumber: "T0000000000000",
    });
    const production = loadConfig({
      APP_ENV: "production",
      PEPPER: "x".repeat(32),
      APP_ORIGIN: "https://order.example.jp",
      MAIL_FROM: "no-reply@example.jp",
      SMTP_URL: "smtp://mail.example.jp:587",
    });
    expect(production.company).toMatchObject({ address: null, registrationNumber: null });
  });
});
