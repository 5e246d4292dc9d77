import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
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

const sessionOf = (res: Response) => (res.headers.get("set-cookie") ?? "").split(";")[0] as string;

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

/** This machine's address on its network (not loopback), if it has one. */
const networkAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

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

describe("redirects built from what the user sent", () => {
  const target = "/products?keyword=計測器";
  const encoded = `/products?keyword=${encodeURIComponent("計測器")}`;

  it("a non-ASCII redirectTo is percent-encoded after login, not a 500", async () => {
    const { url } = await start();
    const res = await login(url, {}, { redirectTo: target });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(encoded);
    // An already encoded target is kept as it is, not encoded twice.
    const again = await login(url, {}, { redirectTo: encoded });
    expect(again.headers.get("location")).toBe(encoded);
    // A path and a fragment in Japanese too.
    const path = await login(url, {}, { redirectTo: "/商品#一覧" });
    expect(path.headers.get("location")).toBe(`/${encodeURIComponent("商品")}#${encodeURIComponent("一覧")}`);
  });

  it("the login page sends a signed-in visitor on to a non-ASCII redirectTo, encoded", async () => {
    const { url } = await start();
    const session = sessionOf(await login(url));
    const res = await fetch(`${url}/login?redirectTo=${encodeURIComponent(target)}`, {
      headers: { Cookie: session },
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(encoded);
  });

  it("anonymous visitors of a page with a Japanese query are sent to /login with it encoded", async () => {
    const { url } = await start();
    const res = await fetch(`${url}${encoded}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/login?redirectTo=${encodeURIComponent(encoded)}`);
  });

  it("the one-time-password step keeps a non-ASCII redirectTo and ends there, encoded", async () => {
    const { h, url } = await start();
    await h.db.updateTable("users").set({ mfa_enabled: 1 }).execute();
    const first = await login(url, {}, { redirectTo: target });
    expect(first.status).toBe(302);
    const otpPage = first.headers.get("location") ?? "";
    expect(otpPage).toBe(`/login/otp?redirectTo=${encodeURIComponent(encoded)}`);
    const challenge = sessionOf(first);
    const mail = (await h.mailsTo(USER.email)).find((m) => m.subject.includes("ワンタイムパスワード通知"));
    const code = /ワンタイムパスワード: (\d{6})/.exec(mail?.text ?? "")?.[1] ?? "";
    const res = await fetch(`${url}${otpPage}`, {
      method: "POST",
      body: new URLSearchParams({ intent: "verify", code }),
      headers: { Origin: url, Cookie: challenge },
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(encoded);
  });

  it("a user who must change the password goes to the forced change first, keeping the redirectTo for after it", async () => {
    const { h, url } = await start();
    await createAccount(h.deps, {
      loginId: "kari01",
      companyName: "仮会社",
      email: "kari@example.jp",
      temporaryPassword: "Start-2026x",
    });
    const res = await fetch(`${url}/login`, {
      method: "POST",
      body: new URLSearchParams({
        loginId: "kari01",
        email: "kari@example.jp",
        password: "Start-2026x",
        redirectTo: target,
      }),
      headers: { Origin: url },
      redirect: "manual",
    });
    expect(res.status).toBe(302);
    // The deep link waits, encoded, for after the change (issue 12 item 5); an outside one never gets in.
    expect(res.headers.get("location")).toBe(`/password/initial?redirectTo=${encodeURIComponent(encoded)}`);
    const outside = await fetch(`${url}/login`, {
      method: "POST",
      body: new URLSearchParams({
        loginId: "kari01",
        email: "kari@example.jp",
        password: "Start-2026x",
        redirectTo: "//evil.example/x",
      }),
      headers: { Origin: url },
      redirect: "manual",
    });
    expect(outside.headers.get("location")).toBe("/password/initial");
  });
});

/** A GET with any Host header (fetch does not let a caller choose it). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { Host: host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
  });
}

describe("the development mailbox answers only this machine", () => {
  const inbox = "/dev/mailbox/messages.json?to=taro@example.jp";

  it.skipIf(!networkAddress)(
    "refuses a request from the machine's network address; loopback still reads it",
    async () => {
      const { url, port } = await start({}, { host: "0.0.0.0" });
      expect((await fetch(`${url}${inbox}`)).status).toBe(200);
      expect((await fetch(`${url}/dev/mailbox`)).status).toBe(200);
      const remote = `http://${networkAddress}:${port}`;
      expect((await fetch(`${remote}${inbox}`)).status).toBe(403);
      expect((await fetch(`${remote}/dev/mailbox`)).status).toBe(403);
      // The rest of the site answers there as before.
      expect((await fetch(`${remote}/login`)).status).toBe(200);
    },
  );

  it.skipIf(!networkAddress)("MAILBOX_ALLOW_REMOTE=true opens it to other machines", async () => {
    const { port } = await start({ MAILBOX_ALLOW_REMOTE: "true" }, { host: "0.0.0.0" });
    expect((await fetch(`http://${networkAddress}:${port}${inbox}`)).status).toBe(200);
  });

  it("refuses what a proxy forwards and what a page on another host name sends (DNS rebinding)", async () => {
    const { url } = await start({ TRUST_PROXY: "false" });
    // A local reverse proxy connects from loopback on behalf of anyone.
    expect((await fetch(`${url}${inbox}`, { headers: { "X-Forwarded-For": "203.0.113.5" } })).status).toBe(403);
    expect((await fetch(`${url}${inbox}`, { headers: { Forwarded: "for=203.0.113.5" } })).status).toBe(403);
    expect(await getWithHost(`${url}${inbox}`, "evil.example:3000")).toBe(403);
    expect(await getWithHost(`${url}${inbox}`, "localhost:3000")).toBe(200);
  });
});

describe("tRPC over HTTP", () => {
  it("answers with Cache-Control: no-store (personal data)", async () => {
    const { url } = await start();
    const session = sessionOf(await login(url));
    const res = await fetch(`${url}/api/trpc/auth.me`, { headers: { Cookie: session } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(USER.email);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it("refuses a batch of more than 10 calls with 400", async () => {
    const { url } = await start();
    const batch = (n: number) =>
      fetch(`${url}/api/trpc/${Array(n).fill("auth.me").join(",")}?batch=1&input=${encodeURIComponent("{}")}`);
    expect((await batch(10)).status).toBe(200);
    const res = await batch(11);
    expect(res.status).toBe(400);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("control characters typed into a page", () => {
  it("a catalog search with a control character shows the message beside キーワード, not an error page", async () => {
    const { h, url } = await start();
    const { seedCatalog } = await import("../../db/seed/demo");
    await seedCatalog(h.deps);
    const session = sessionOf(await login(url));
    for (const q of ["DSOX\u0000", "DSOX\tオシロ"]) {
      const res = await fetch(`${url}/products?q=${encodeURIComponent(q)}`, { headers: { Cookie: session } });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain("使用できない文字(制御文字)が含まれています。");
      expect(html).toMatch(/id="q"[^>]*aria-invalid="true"/);
      // The form still offers every category.
      expect(html).toContain("オシロスコープ");
    }
    const ok = await fetch(`${url}/products?q=DSOX`, { headers: { Cookie: session } });
    expect(await ok.text()).not.toContain("制御文字");
  });
});

describe("pages as bytes", () => {
  // React 18's streaming renderer encodes into 2 KB buffers and sent the whole buffer when a character of
  // several bytes did not fit at its end: NUL bytes inside Japanese text (an aria-label then read "商\uFFFD品").
  it("pages full of Japanese (catalog, search, home, account, rentals) are valid UTF-8 without a NUL byte", async () => {
    const { h, url } = await start();
    const { seedCatalog } = await import("../../db/seed/demo");
    await seedCatalog(h.deps);
    const session = sessionOf(await login(url));
    let multibyte = 0;
    for (const path of ["/products", "/products?q=%E3%83%AC%E3%83%BC%E3%82%B6%E3%83%BC", "/", "/account", "/rentals"]) {
      const res = await fetch(`${url}${path}`, { headers: { Cookie: session } });
      expect(res.status, path).toBe(200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect(bytes.indexOf(0), `${path}: first NUL byte`).toBe(-1);
      const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      expect(text.startsWith("<!DOCTYPE html><html"), path).toBe(true);
      multibyte += bytes.length - text.length;
    }
    // Enough Japanese that many 2 KB boundaries fell inside a character (each adds 2 bytes to the count).
    expect(multibyte).toBeGreaterThan(10_000);
  });
});

describe("compression by the app itself (brotli, else gzip)", () => {
  function get(url: string, acceptEncoding?: string) {
    return new Promise<{ status?: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.get(url, { headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      });
      req.on("error", reject);
    });
  }

  it("pages and build assets are sent compressed to browsers that accept it, and plain to those that do not", async () => {
    const { url } = await start();
    const br = await get(`${url}/login`, "gzip, deflate, br");
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers.vary).toMatch(/Accept-Encoding/i);
    expect(zlib.brotliDecompressSync(br.body).toString("utf8")).toContain("ログインID");

    const gzip = await get(`${url}/login`, "gzip");
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(zlib.gunzipSync(gzip.body).toString("utf8")).toContain("ログインID");

    const plain = await get(`${url}/login`);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString("utf8")).toContain("ログインID");

    // The largest script of the build: a fraction of its size on the wire.
    const dir = path.resolve("public/build");
    const scripts = fs
      .readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".js"))
      .map((f) => ({ f, size: fs.statSync(path.join(dir, f)).size }))
      .sort((a, b) => b.size - a.size);
    const biggest = scripts[0];
    if (!biggest) throw new Error("no scripts in public/build: run `npm run build` first");
    const asset = await get(`${url}/build/${biggest.f}`, "br");
    expect(asset.headers["content-encoding"]).toBe("br");
    expect(asset.headers["content-type"]).toMatch(/javascript/);
    expect(asset.headers["cache-control"]).toContain("immutable");
    expect(asset.body.length).toBeLessThan(biggest.size * 0.4);
    const original = fs.readFileSync(path.join(dir, biggest.f));
    expect(zlib.brotliDecompressSync(asset.body).equals(original)).toBe(true);
    // Compressed once at build time (scripts/precompress.mjs), at brotli's best quality: the twin on disk.
    expect(asset.body.equals(fs.readFileSync(path.join(dir, `${biggest.f}.br`)))).toBe(true);
    const refused = await get(`${url}/build/${biggest.f}`, "br;q=0, gzip");
    expect(refused.headers["content-encoding"]).toBe("gzip");
    expect(zlib.gunzipSync(refused.body).equals(original)).toBe(true);
    const none = await get(`${url}/build/${biggest.f}`);
    expect(none.headers["content-encoding"]).toBeUndefined();
    expect(none.body.equals(original)).toBe(true);
    // No way out of the build folder through the twins' lookup.
    const outside = await get(`${url}/build/..%2f..%2fpackage.json`, "br");
    expect(outside.status).toBe(404);
    expect(zlib.brotliDecompressSync(outside.body).toString("utf8")).not.toContain("member-order-site");
  });

  it("public files are served beside the pages: the favicon, cached for an hour", async () => {
    const { url } = await start();
    const icon = await get(`${url}/favicon.svg`, "br");
    expect(icon.status).toBe(200);
    expect(icon.headers["content-type"]).toMatch(/image\/svg\+xml/);
    expect(icon.headers["cache-control"]).toBe("public, max-age=3600");
    const original = fs.readFileSync(path.resolve("public/favicon.svg"));
    const body = icon.headers["content-encoding"] === "br" ? zlib.brotliDecompressSync(icon.body) : icon.body;
    expect(body.equals(original)).toBe(true);
    // A page is never looked up among the files, and a file that is not there is the app's 404 page.
    const missing = await get(`${url}/no-such-file.txt`);
    expect(missing.status).toBe(404);
    expect(missing.body.toString("utf8")).toContain("</html>");
  });

  it("a page holding a mailed link's token is never compressed (BREACH)", async () => {
    const { url } = await start();
    for (const page of [
      "/reset-password/abcdefghijklmnopqrstuvwxyz",
      "/setup-password/abcdefghijklmnopqrstuvwxyz",
      "/login-report/abcdefghijklmnopqrstuvwxyz",
    ]) {
      const res = await get(`${url}${page}`, "gzip, deflate, br");
      expect(res.headers["content-encoding"], page).toBeUndefined();
    }
  });
});
