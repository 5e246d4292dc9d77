import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startIntakeStub } from "./intake-stub";

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts the app as `npm start` would (production build), on a free port with a fresh database,
 * and shares its address with the tests through the environment.
 */
/**
 * With E2E_POSTGRES_URL (a PostgreSQL server the suite may create databases on, e.g. TEST_DATABASE_URL),
 * the app runs on a fresh database of its own there, dropped afterwards; otherwise on a fresh SQLite file.
 */
async function freshDatabase(dir: string): Promise<{ url: string; drop(): Promise<void> }> {
  const server = process.env.E2E_POSTGRES_URL;
  if (!server) return { url: `file:${path.join(dir, "e2e.sqlite")}`, drop: async () => {} };
  const { default: pg } = await import("pg");
  const name = `mos_e2e_${Date.now().toString(36)}_${process.pid}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export default async function globalSetup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-e2e-"));
  const database = await freshDatabase(dir);
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  // Order intake is an endpoint of the suite's own, so that a test can hold an application in 処理中.
  const intake = await startIntakeStub();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    APP_ENV: "local",
    PORT: String(port),
    HOST: "127.0.0.1",
    APP_ORIGIN: baseURL,
    DATABASE_URL: database.url,
    PEPPER: "e2e-pepper-0123456789-abcdefghijklmnopq",
    MAIL_TRANSPORT: "mailbox",
    MAIL_POLL_INTERVAL_MS: "100",
    // 返却予定のお知らせ looks often, so that ordering.spec.ts sees its mail soon after the rental starts.
    RETURN_REMINDER_POLL_INTERVAL_MS: "200",
    LOGIN_RATE_LIMIT_PER_MINUTE: "0",
    SEED_DEMO: "true",
    // The company's copy of each new application and intake failure (quote-to-order.spec.ts reads it).
    STAFF_NOTIFY_EMAIL: "orders@rental.example.jp",
    INTAKE_WEBHOOK_URL: `${intake.url}/intake`,
  };
  const logFile = path.join(dir, "server.log");
  const log = fs.openSync(logFile, "a");
  const server: ChildProcess = spawn(process.execPath, ["scripts/start.mjs"], { env, stdio: ["ignore", log, log] });

  // Waits for /healthz (or for the app to exit, which fails at once). start.mjs may have to build
  // first, and a loaded machine is slow: the deadline only bounds a hang.
  const startMinutes = 5;
  const deadline = Date.now() + startMinutes * 60_000;
  for (;;) {
    if (server.exitCode !== null) {
      throw new Error(`the app exited (${server.exitCode}):\n${fs.readFileSync(logFile, "utf8")}`);
    }
    try {
      if ((await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(30_000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`the app did not start in ${startMinutes} min:\n${fs.readFileSync(logFile, "utf8")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  process.env.E2E_BASE_URL = baseURL;
  process.env.E2E_DATABASE_URL = env.DATABASE_URL;
  process.env.E2E_PEPPER = env.PEPPER;
  process.env.E2E_INTAKE_URL = intake.url;

  return async () => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
    fs.closeSync(log);
    await intake.close();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
