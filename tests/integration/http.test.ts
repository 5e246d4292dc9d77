import fs from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createAccount } from "../../server/services/identity/accounts";
import { createHarness, type Harness } from "../support/harness";
import { serve } from "../support/server";

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

async function start(env: Record<string, string> = {}) {
  const h: Harness = await createHarness(env);
  await createAccount(h.deps, USER);
  const s = await serve(h);
  cleanup.push(
    () => h.close(),
    () => s.close(),
  );
  return { h, url: s.url };
}

function loginForm(extra: Record<string, string> = {}) {
  return new URLSearchParams({ loginId: USER.loginId, email: USER.email, password: USER.permanentPassword, ...extra });
}

describe("HTTP surface", () => {
  it("/healthz answers 200 with the database and 503 without it", async () => {
    const { h, url } = await start();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await h.db.destroy();
    expect((await fetch(`${url}/healthz`)).status).toBe(503);
  });

  it("refuses state-changing requests from other origins or with no origin", async () => {
    const { url } = await start();
    const post = (headers: Record<string, string>) =>
      fetch(`${url}/login`, { method: "POST", body: loginForm(), headers, redirect: "manual" });
    expect((await post({})).status).toBe(403);
    expect((await post({ Origin: "https://evil.example" })).status).toBe(403);
    expect((await post({ "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    expect((await post({ Origin: "null", "Sec-Fetch-Site": "cross-site" })).status).toBe(403);
    expect((await post({ Origin: "null" })).status).toBe(403);
    const trpc = await fetch(`${url}/api/trpc/auth.logout`, {
      method: "POST",
      headers: { Origin: "https://evil.example" },
    });
    expect(trpc.status).toBe(403);
    expect((await post({ Origin: url })).status).toBe(302);
    expect((await post({ "Sec-Fetch-Site": "same-origin" })).status).toBe(302);
    // What a browser sends from a no-referrer page.
    expect((await post({ Origin: "null", "Sec-Fetch-Site": "same-origin" })).status).toBe(302);
  });

  it("logs in through the form: session cookie flags, safe redirect, signed-in page", async () => {
    const { url } = await start();
    const res = await fetch(`${url}/login`, {
      method: "POST",
      body: loginForm({ redirectTo: "//evil.example/path" }),
      headers: { Origin: url },
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^mos_session=[a-z0-9]+; HttpOnly; Path=\/; SameSite=Lax$/);
    const home = await fetch(`${url}/`, { headers: { Cookie: cookie.split(";")[0] as string } });
    expect(home.status).toBe(200);
    expect(home.headers.get("cache-control")).toBe("no-store");
    expect(await home.text()).toContain("アクメ計測");
    // However the client joins its cookies: with or without a space, a trailing separator, others around.
    const session = cookie.split(";")[0] as string;
    for (const header of [`${session};`, `${session}; `, `a=1;${session}`, `a=1; ${session};b=2`, ` ${session} `]) {
      const page = await fetch(`${url}/`, { headers: { Cookie: header }, redirect: "manual" });
      expect(page.status, header).toBe(200);
    }
  });

  it("says 'done' once after a redirect, in a signed flash cookie, and not again on reload", async () => {
    const { url } = await start();
    const login = await fetch(`${url}/login`, {
      method: "POST",
      body: loginForm(),
      headers: { Origin: url },
      redirect: "manual",
    });
    const session = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const created = await fetch(`${url}/account/templates`, {
      method: "POST",
      body: new URLSearchParams({
        name: "本社",
        company: "アクメ計測",
        person: "山田太郎",
        postalCode: "100-0001",
        address: "東京都千代田区千代田1-1",
        phone: "03-1234-5678",
      }),
      headers: { Origin: url, Cookie: session },
      redirect: "manual",
    });
    expect(created.status).toBe(302);
    expect(created.headers.get("location")).toBe("/account/templates");
    const flash = (created.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect(flash).toMatch(/^mos_flash=./);
    const done = "お届け先テンプレートを登録しました。";

    const page = await fetch(`${url}/account/templates`, { headers: { Cookie: `${session}; ${flash}` } });
    expect(await page.text()).toContain(done);
    expect(page.headers.get("set-cookie")).toMatch(/^mos_flash=; Max-Age=0/);
    // Reloading without the cookie (the browser dropped it) shows nothing.
    const reload = await fetch(`${url}/account/templates`, { headers: { Cookie: session } });
    expect(await reload.text()).not.toContain(done);
    // With no message waiting there is nothing to clear (the root loader's data then goes out without a Response).
    expect(reload.headers.get("set-cookie")).toBeNull();
    // A cookie whose signature does not match is ignored: the site says nothing it did not sign.
    const [name, value] = flash.split("=") as [string, string];
    const forged = `${name}=${value.slice(0, -4)}AAAA`;
    const tampered = await fetch(`${url}/account/templates`, { headers: { Cookie: `${session}; ${forged}` } });
    expect(await tampered.text()).not.toContain(done);
  });

  it("sends anonymous visitors to /login with the way back", async () => {
    const { url } = await start();
    const res = await fetch(`${url}/?tab=1`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent("/?tab=1")}`);
  });

  it("sends anonymous visitors of every お客様情報 page to /login (the frame has no loader; each page checks)", async () => {
    // Every route file of the frame (app/routes/account.*), with a path that reaches it.
    const pages: Record<string, string> = {
      "account._index.tsx": "/account",
      "account.history.tsx": "/account/history?kind=order",
      "account.history_.$number.tsx": "/account/history/O-2026-000001",
      "account.security.tsx": "/account/security",
      "account.templates.tsx": "/account/templates",
      "account.templates_.$id.delete.tsx": "/account/templates/t1/delete",
      "account.templates_.$id.edit.tsx": "/account/templates/t1/edit",
      "account.users.tsx": "/account/users",
      "account.users_.$id.delete.tsx": "/account/users/u1/delete",
    };
    const files = fs.readdirSync("app/routes").filter((f) => f.startsWith("account.") && f !== "account.tsx");
    expect(files.sort()).toEqual(Object.keys(pages).sort());
    const { url } = await start();
    for (const path of Object.values(pages)) {
      const res = await fetch(`${url}${path}`, { redirect: "manual" });
      expect(res.status, path).toBe(302);
      expect(res.headers.get("location"), path).toBe(`/login?redirectTo=${encodeURIComponent(path)}`);
    }
  });

  it("answers a wrong login with 401, the generic message and what was typed, never the password", async () => {
    const { url } = await start();
    const res = await fetch(`${url}/login`, {
      method: "POST",
      body: loginForm({ password: "Wrong-2026x" }),
      headers: { Origin: url },
    });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain("ログインID、メールアドレスまたはパスワードが正しくありません。");
    expect(html).toContain('value="taro@example.jp"');
    expect(html).not.toContain("Wrong-2026x");
  });

  it("sets the security headers with a fresh CSP nonce on every page", async () => {
    const { url } = await start();
    const a = await fetch(`${url}/login`);
    const b = await fetch(`${url}/login`);
    const csp = a.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'none'");
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(b.headers.get("content-security-policy")).not.toContain(nonce);
    const html = await a.text();
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
    expect(a.headers.get("x-content-type-options")).toBe("nosniff");
    expect(a.headers.get("strict-transport-security")).toBeNull();
  });

  it("over https: __Host- cookie with Secure, and HSTS", async () => {
    const origin = "https://order.example.jp";
    const { url } = await start({ APP_ORIGIN: origin });
    // As behind the TLS-terminating proxy of docs/operations.md, which forwards the public host.
    const res = await fetch(`${url}/login`, {
      method: "POST",
      body: loginForm(),
      headers: { Origin: origin, "X-Forwarded-Host": "order.example.jp" },
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("set-cookie")).toMatch(
      /^__Host-mos_session=[a-z0-9]+; HttpOnly; Path=\/; SameSite=Lax; Secure$/,
    );
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
  });

  it("serves fingerprinted assets with immutable caching", async () => {
    const { url } = await start();
    const html = await (await fetch(`${url}/login`)).text();
    const asset = /href="(\/build\/[^"]+\.css)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const res = await fetch(`${url}${asset}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("mailbox JSON lists mails to an address, newest first; 404 when the transport is SMTP", async () => {
    const { h, url } = await start();
    for (let i = 0; i < 2; i++) {
      h.clock.advance(1000);
      await fetch(`${url}/login`, { method: "POST", body: loginForm(), headers: { Origin: url }, redirect: "manual" });
    }
    await h.worker.runOnce();
    const res = await fetch(`${url}/dev/mailbox/messages.json?to=TARO@example.jp`);
    const body = (await res.json()) as { messages: Record<string, string | unknown[]>[] };
    expect(body.messages).toHaveLength(2);
    // The fields of SPEC §9, and the mail's files (ADR 023): none on a ログイン通知.
    expect(Object.keys(body.messages[0] ?? {}).sort()).toEqual([
      "attachments",
      "createdAt",
      "html",
      "id",
      "subject",
      "text",
      "to",
    ]);
    expect(body.messages[0]?.attachments).toEqual([]);
    expect((body.messages[0]?.createdAt ?? "") > (body.messages[1]?.createdAt ?? "")).toBe(true);
    expect((await fetch(`${url}/dev/mailbox`)).status).toBe(200);

    const smtp = await start({ MAIL_TRANSPORT: "smtp", SMTP_URL: "smtp://127.0.0.1:1" });
    expect((await fetch(`${smtp.url}/dev/mailbox/messages.json`)).status).toBe(404);
    expect((await fetch(`${smtp.url}/dev/mailbox`)).status).toBe(404);
  });

  it("token pages send no Referer; a reset link is not used by opening it", async () => {
    const { url } = await start();
    const res = await fetch(`${url}/reset-password/not-a-real-token`);
    expect(res.status).toBe(200);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await res.text()).toContain("このURLは無効か、有効期限が切れています");
    const report = await fetch(`${url}/login-report/not-a-real-token`);
    expect(report.headers.get("referrer-policy")).toBe("no-referrer");
    expect(await report.text()).toContain("このURLは無効か、有効期限が切れています");
    expect((await fetch(`${url}/login`)).headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  it("answers the 21st login POST in a minute from one address with 429", async () => {
    const { url } = await start();
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await fetch(`${url}/login`, {
        method: "POST",
        body: new URLSearchParams({ loginId: "nobody", email: "x@example.jp", password: "x" }),
        headers: { Origin: url },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
  });

  it("with MFA on, the password step sets only a short-lived challenge cookie, not a session", async () => {
    const { h, url } = await start();
    await h.db.updateTable("users").set({ mfa_enabled: 1 }).execute();
    const res = await fetch(`${url}/login`, {
      method: "POST",
      body: loginForm(),
      headers: { Origin: url },
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/login/otp");
    const cookies = res.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^mos_login_challenge=[a-z0-9]+; HttpOnly; Max-Age=600; Path=\/; SameSite=Lax$/);
    const page = await fetch(`${url}/login/otp`, {
      headers: { Cookie: (cookies[0] as string).split(";")[0] as string },
    });
    const html = await page.text();
    expect(html).toContain("ワンタイムパスワード認証");
    expect(html).toMatch(/有効期限: (?:<!-- -->)?<strong>\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \(日本時間\)<\/strong>/);
  });
});
