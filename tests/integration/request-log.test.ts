import { afterEach, describe, expect, it, vi } from "vitest";
import { loggedPath } from "../../server/request-log";
import { createHarness } from "../support/harness";
import { serve } from "../support/server";

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function start() {
  const h = await createHarness();
  const lines: string[] = [];
  const s = await serve(h, { log: (line) => lines.push(line) });
  cleanup.push(
    () => h.close(),
    () => s.close(),
  );
  return { url: s.url, lines };
}

/** The answer's log line, once the server has written it (after the body went out). */
async function lineOf(lines: string[], id: string | null): Promise<string> {
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  await vi.waitFor(() => expect(lines.some((l) => l.endsWith(`id=${id}`))).toBe(true));
  const found = lines.filter((l) => l.endsWith(`id=${id}`));
  expect(found).toHaveLength(1);
  return found[0] as string;
}

describe("request log", () => {
  it("writes one line per request: method, path, status, time and the X-Request-Id", async () => {
    const { url, lines } = await start();
    const res = await fetch(`${url}/login`);
    expect(res.status).toBe(200);
    await res.text();
    expect(await lineOf(lines, res.headers.get("x-request-id"))).toMatch(/^GET \/login 200 \d+ms id=[0-9a-f-]{36}$/);
    const health = await fetch(`${url}/healthz`);
    await health.text();
    expect(await lineOf(lines, health.headers.get("x-request-id"))).toMatch(/^GET \/healthz 200 \d+ms /);
  });

  it("logs a 404 in its one line, without a stack trace", async () => {
    const { url, lines } = await start();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    for (const path of ["/no-such-page", "/account/history/O-2026-999999", "/products/unknown-id"]) {
      const res = await fetch(`${url}${path}`, { redirect: "manual" });
      await res.text();
      const line = await lineOf(lines, res.headers.get("x-request-id"));
      expect(line.startsWith(`GET ${path} `)).toBe(true);
    }
    expect(error).not.toHaveBeenCalled();
    // The development build of react-router warns of an unmatched location; the production server
    // prints nothing but the line (server-process.test.ts).
    expect(warn.mock.calls.filter(([m]) => !String(m).startsWith("No routes matched location"))).toEqual([]);
  });

  it("never logs a mailed token or a query string", async () => {
    const { url, lines } = await start();
    const token = "tok3n-s3cr3t-value";
    for (const path of [
      `/reset-password/${token}`,
      `/setup-password/${token}`,
      `/email-change/${token}`,
      `/email-change/confirm/${token}`,
      `/login-report/${token}`,
      `/products?q=${token}`,
    ]) {
      const res = await fetch(`${url}${path}`, { redirect: "manual" });
      await res.text();
      await lineOf(lines, res.headers.get("x-request-id"));
    }
    expect(lines.join("\n")).not.toContain(token);
    expect(lines.join("\n")).toContain("GET /reset-password/… ");
    expect(lines.join("\n")).toContain("GET /email-change/confirm/… ");
  });
});

describe("loggedPath", () => {
  it("drops the query and hides link tokens", () => {
    expect(loggedPath("/account/history?kind=order")).toBe("/account/history");
    expect(loggedPath("/setup-password/abc/def?x=1")).toBe("/setup-password/…/def");
    expect(loggedPath("/email-change/confirm/abc")).toBe("/email-change/confirm/…");
    expect(loggedPath("/email-change/abc")).toBe("/email-change/…");
    expect(loggedPath("/login-report/abc")).toBe("/login-report/…");
    expect(loggedPath("/products/abc")).toBe("/products/abc");
  });
});
