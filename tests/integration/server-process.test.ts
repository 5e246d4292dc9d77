import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exited, freePort, startServer } from "../support/processes";
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
});
