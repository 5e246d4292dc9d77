import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exited, freePort, startServer, waitHealthy } from "../support/processes";
import { freshDatabase, TEST_DIALECT, type TestDatabase } from "../support/test-db";

let dir: string;
let database: TestDatabase;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-proc-"));
  database = await freshDatabase();
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

describe("the server process", () => {
  it("refuses to start on bad configuration, naming each variable", async () => {
    const { child, output } = startServer({ PORT: "abc", APP_ENV: "production", DATABASE_URL: `file:${dir}/x.sqlite` });
    expect(await exited(child)).toBe(1);
    expect(output()).toMatch(/PORT:/);
    expect(output()).toMatch(/PEPPER: required when APP_ENV=production/);
  });

  it("starts with one-box defaults, seeds the demo, delivers mail, and shuts down cleanly on SIGTERM", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const sqlite = TEST_DIALECT === "sqlite";
    const { child, output } = startServer({
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_ORIGIN: url,
      // On one box (SQLite) no pepper is given; PostgreSQL instances must be given a shared one.
      DATABASE_URL: sqlite ? `file:${path.join(dir, "app.sqlite")}` : database.url,
      ...(sqlite ? {} : { PEPPER: "process-test-pepper-0123456789abcdef" }),
      MAIL_POLL_INTERVAL_MS: "100",
    });
    try {
      await expect
        .poll(
          () =>
            fetch(`${url}/healthz`).then(
              (r) => r.status,
              () => 0,
            ),
          { timeout: 90_000 },
        )
        .toBe(200);
      if (sqlite) {
        // No PEPPER given on one box: one was generated beside the database, private to the owner.
        expect(fs.statSync(path.join(dir, ".pepper")).mode & 0o777).toBe(0o600);
      }
      const login = await fetch(`${url}/login`, {
        method: "POST",
        headers: { Origin: url },
        body: new URLSearchParams({ loginId: "demo", email: "demo@example.com", password: "Sample-2026" }),
        redirect: "manual",
      });
      expect(login.status).toBe(302);
      // A 404 is one log line like every request, not a stack trace (production build).
      const missing = await fetch(`${url}/no-such-page`);
      expect(missing.status).toBe(404);
      await missing.text();
      const id = missing.headers.get("x-request-id");
      await expect.poll(() => output().includes(`id=${id}`), { timeout: 10_000 }).toBe(true);
      const about404 = output()
        .split("\n")
        .filter((line) => line.includes("no-such-page"));
      expect(about404).toEqual([expect.stringMatching(/^\[[^\]]+\] GET \/no-such-page 404 \d+ms id=/)]);
      expect(output()).not.toMatch(/Error|at .*\(.*:\d+:\d+\)/);
      // The login notice (the demo seed's own mails are there too).
      await expect
        .poll(
          async () => {
            const res = await fetch(`${url}/dev/mailbox/messages.json?to=demo@example.com`);
            const { messages } = (await res.json()) as { messages: { subject: string }[] };
            return messages.filter((m) => m.subject.includes("ログイン通知")).length;
          },
          { timeout: 60_000 },
        )
        .toBe(1);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited(child)).toBe(0);
    expect(output()).toContain("SIGTERM: closing");
    expect(output()).toContain("closed");
  });

  it("in local mode listens on loopback only (localhost works), unless HOST opens it", async () => {
    const port = await freePort();
    // HOST empty counts as unset: the default applies.
    const server = startServer({
      PORT: String(port),
      HOST: "",
      DATABASE_URL: `file:${path.join(dir, "local.sqlite")}`,
    });
    try {
      await waitHealthy(`http://127.0.0.1:${port}`, server);
      // The README's quick start address.
      expect((await fetch(`http://localhost:${port}/healthz`)).status).toBe(200);
      if (networkAddress) expect(await connects(networkAddress, port)).toBe(false);
      expect(server.output()).toContain(`listening on http://localhost:${port} (127.0.0.1:${port}`);
    } finally {
      server.child.kill("SIGTERM");
    }
    expect(await exited(server.child)).toBe(0);
  });

  it("refuses the mailbox in production without ALLOW_MAILBOX_IN_PRODUCTION=true, and warns at every start with it", async () => {
    const port = await freePort();
    const env = {
      APP_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_ORIGIN: "https://staging.example.jp",
      PEPPER: "process-test-pepper-0123456789abcdef",
      MAIL_FROM: "注文サイト <no-reply@example.jp>",
      MAIL_TRANSPORT: "mailbox",
      DATABASE_URL: `file:${path.join(dir, "production.sqlite")}`,
    };
    const refused = startServer(env);
    expect(await exited(refused.child)).toBe(1);
    expect(refused.output()).toMatch(/MAIL_TRANSPORT: .*ALLOW_MAILBOX_IN_PRODUCTION=true/);

    for (let start = 0; start < 2; start++) {
      const server = startServer({ ...env, ALLOW_MAILBOX_IN_PRODUCTION: "true" });
      try {
        await waitHealthy(`http://127.0.0.1:${port}`, server);
        expect(server.output()).toMatch(/WARNING: MAIL_TRANSPORT=mailbox with APP_ENV=production/);
      } finally {
        server.child.kill("SIGTERM");
      }
      expect(await exited(server.child)).toBe(0);
    }
  });
});

/** This machine's address on its network (not loopback), if it has one. */
const networkAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

/** Whether a TCP connection to host:port is accepted. */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
