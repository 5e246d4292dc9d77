import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, TEST_DIALECT, type TestDatabase } from "../support/test-db";

/** The real `npm start` entry point (scripts/start.mjs), as an operator runs it. */
function startServer(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = "";
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    env: { ...process.env, NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => {
    output += d;
  });
  child.stderr?.on("data", (d) => {
    output += d;
  });
  return { child, output: () => output };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once("exit", (code) => resolve(code));
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

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
          { timeout: 30_000 },
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
      await expect
        .poll(
          async () =>
            (
              (await (await fetch(`${url}/dev/mailbox/messages.json?to=demo@example.com`)).json()) as {
                messages: unknown[];
              }
            ).messages.length,
          { timeout: 10_000 },
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
