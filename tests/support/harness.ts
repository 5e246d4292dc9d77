import { createDb, type DB, dialectOf, migrateToLatest } from "../../db";
import { type Config, loadConfig } from "../../server/config";
import { ManualClock } from "../../server/lib/clock";
import { MailRenderer } from "../../server/mail/render";
import { mailboxTransport } from "../../server/mail/transports";
import { MailWorker } from "../../server/mail/worker";
import { createCaller } from "../../server/routers/index";
import { buildDeps } from "../../server/runtime";
import type { ServiceDeps } from "../../server/services/deps";
import { createAccount } from "../../server/services/identity/accounts";
import { createContext } from "../../server/trpc/context";
import { partialIndexLiterals, refusingRepreparation } from "./reprepare";
import { freshDatabase } from "./test-db";

export const TEST_PEPPER = "test-pepper-0123456789-abcdefghijklmnop";

let renderer: Promise<MailRenderer> | undefined;

export interface Harness {
  databaseUrl: string;
  config: Config;
  db: DB;
  clock: ManualClock;
  deps: ServiceDeps;
  renderer: MailRenderer;
  worker: MailWorker;
  /** A browser: its own cookie jar, IP and user agent; every call goes through the tRPC caller. */
  browser(options?: { ip?: string; userAgent?: string }): TestBrowser;
  /** Opens another customer account ("other01", password Rental-2026) and returns a browser signed in to it. */
  otherAccount(): Promise<TestBrowser>;
  /** Delivers the outbox to the mailbox and returns the mails to an address, newest first. */
  mailsTo(address: string): Promise<{ subject: string; text: string; html: string; created_at: string }[]>;
  close(): Promise<void>;
}

export interface TestBrowser {
  cookies: Map<string, string>;
  call<T>(fn: (caller: ReturnType<typeof createCaller>) => Promise<T>): Promise<T>;
}

/**
 * A real, empty, migrated database (a SQLite file, or a PostgreSQL schema in the postgres leg) with the
 * mailbox transport and a movable clock.
 */
export async function createHarness(
  env: Record<string, string> = {},
  options: { dialect?: "sqlite" | "postgres" } = {},
): Promise<Harness> {
  const database = await freshDatabase(options.dialect);
  const config = loadConfig({
    DATABASE_URL: database.url,
    PEPPER: TEST_PEPPER,
    MAIL_TRANSPORT: "mailbox",
    APP_ORIGIN: "http://localhost:3000",
    ...env,
  });
  const opened = createDb(config.databaseUrl, { poolSize: 4 });
  await migrateToLatest(opened);
  // On SQLite, a statement the planner would prepare again at every run fails the test that runs it.
  const db =
    dialectOf(opened) === "sqlite" ? refusingRepreparation(opened, await partialIndexLiterals(opened)) : opened;
  renderer ??= MailRenderer.compile(config.site);
  const clock = new ManualClock("2026-04-01T00:00:00.000Z");
  const compiled = await renderer;
  const deps = buildDeps(config, db, compiled, TEST_PEPPER, clock);
  const worker = new MailWorker({
    db,
    clock,
    transport: mailboxTransport(db),
    from: config.mail.from,
    pollIntervalMs: 1000,
  });

  function browser(options: { ip?: string; userAgent?: string } = {}): TestBrowser {
    const cookies = new Map<string, string>();
    return {
      cookies,
      async call(fn) {
        const ctx = await createContext(deps, {
          cookieHeader: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") || undefined,
          ip: options.ip ?? "203.0.113.10",
          userAgent: options.userAgent ?? "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0.0.0 Safari/537.36",
          setCookie(header) {
            const [pair = "", ...attrs] = header.split(";");
            const eq = pair.indexOf("=");
            const name = pair.slice(0, eq).trim();
            const value = pair.slice(eq + 1).trim();
            if (!value || attrs.some((a) => a.trim().toLowerCase() === "max-age=0")) cookies.delete(name);
            else cookies.set(name, value);
          },
        });
        return fn(createCaller(ctx));
      },
    };
  }

  let closed = false;
  return {
    databaseUrl: database.url,
    config,
    db,
    clock,
    deps,
    renderer: compiled,
    worker,
    browser,
    async otherAccount() {
      const other = { loginId: "other01", email: "x@example.jp", password: "Rental-2026" };
      await createAccount(deps, {
        loginId: other.loginId,
        companyName: "別会社",
        email: other.email,
        permanentPassword: other.password,
      });
      const b = browser();
      await b.call((c) => c.auth.login(other));
      return b;
    },
    async mailsTo(address) {
      await worker.runOnce();
      return db
        .selectFrom("dev_mailbox")
        .select(["subject", "text", "html", "created_at"])
        .where("to_address", "=", address)
        .orderBy("created_at", "desc")
        .execute();
    },
    async close() {
      if (closed) return;
      closed = true;
      await worker.stop();
      await db.destroy().catch(() => undefined);
      await database.drop();
    },
  };
}
