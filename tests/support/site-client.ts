import { type DB, dialectOf } from "../../db";
import { seedCatalog } from "../../db/seed/demo";
import { loadConfig } from "../../server/config";
import { systemClock } from "../../server/lib/clock";
import { MailRenderer } from "../../server/mail/render";
import { buildDeps } from "../../server/runtime";
import type { ServiceDeps } from "../../server/services/deps";
import { createAccount } from "../../server/services/identity/accounts";
import { exited, freePort, type ServerProcess, startServer, waitHealthy } from "./processes";

/**
 * A customer of a running server (startServer), over HTTP as a browser or a script would be: the login
 * form, then tRPC over /api/trpc with the session cookie and the site's Origin.
 */
export interface SiteUser {
  loginId: string;
  email: string;
  password: string;
}

export interface Answer<T = unknown> {
  status: number;
  data?: T;
  /** tRPC's error: its (Japanese) message and domain code. */
  error?: { message: string; domainCode?: string };
}

/** Logs in through the login form; returns the session cookie ("name=value"). */
export async function loginOverHttp(url: string, user: SiteUser, signal?: AbortSignal): Promise<string> {
  const res = await fetch(`${url}/login`, {
    method: "POST",
    headers: { Origin: url },
    body: new URLSearchParams({ loginId: user.loginId, email: user.email, password: user.password }),
    redirect: "manual",
    signal,
  });
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (res.status !== 302 || !cookie.includes("=")) throw new Error(`login of ${user.loginId} answered ${res.status}`);
  return cookie;
}

/** One tRPC call over HTTP: a query (GET) or a mutation (POST), with the session cookie. */
export async function trpc<T = unknown>(
  url: string,
  cookie: string,
  procedure: string,
  input: unknown,
  kind: "query" | "mutation",
  signal?: AbortSignal,
): Promise<Answer<T>> {
  const res =
    kind === "query"
      ? await fetch(
          `${url}/api/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
          { headers: { Cookie: cookie }, signal },
        )
      : await fetch(`${url}/api/trpc/${procedure}`, {
          method: "POST",
          headers: { Cookie: cookie, Origin: url, "Content-Type": "application/json" },
          body: JSON.stringify(input ?? null),
          signal,
        });
  const text = await res.text();
  let body: { result?: { data?: T }; error?: { message: string; data?: { domainCode?: string } } } = {};
  try {
    body = JSON.parse(text);
  } catch {
    // Not tRPC's JSON (a proxy's or Express's own page): the status says enough.
  }
  return {
    status: res.status,
    data: body.result?.data,
    error: body.error ? { message: body.error.message, domainCode: body.error.data?.domainCode } : undefined,
  };
}

/** Services on the server's database from the test process (the same pepper), as staff tools are. */
export async function servicesOn(db: DB, databaseUrl: string, pepper: string): Promise<ServiceDeps> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, PEPPER: pepper, MAIL_TRANSPORT: "mailbox" });
  return buildDeps(config, db, await MailRenderer.compile(config.site), pepper, systemClock);
}

/** The demo catalog and `count` customer accounts (acct01…, each one user with a permanent password). */
export async function seedCustomers(deps: ServiceDeps, count: number, prefix = "acct"): Promise<SiteUser[]> {
  await seedCatalog(deps);
  const users: SiteUser[] = [];
  for (let i = 1; i <= count; i++) {
    const user = {
      loginId: `${prefix}${String(i).padStart(2, "0")}`,
      email: `${prefix}${i}@example.jp`,
      password: "Rental-2026",
    };
    await createAccount(deps, {
      loginId: user.loginId,
      companyName: `負荷試験${i}株式会社`,
      email: user.email,
      permanentPassword: user.password,
    });
    users.push(user);
  }
  return users;
}

/** Products on sale (their ids), for order lines. */
export async function productIds(db: DB, limit = 20): Promise<string[]> {
  const rows = await db
    .selectFrom("products")
    .select("id")
    .where("active", "=", 1)
    .orderBy("id")
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

export const DELIVERY = {
  company: "負荷試験株式会社",
  department: "評価課",
  person: "試験 太郎",
  postalCode: "105-0011",
  address: "東京都港区芝公園4-2-8",
  building: "",
  phone: "03-1234-5678",
};

/** Tomorrow in Japan (a start date valid whenever the test runs, even across midnight). */
export function tomorrowInJapan(): string {
  return new Date(Date.now() + 9 * 3600_000 + 24 * 3600_000).toISOString().slice(0, 10);
}

let keys = 0;
/** A fresh idempotency key, as a newly shown form has. */
export function formKey(): string {
  keys++;
  return `k${process.pid}x${Date.now().toString(36)}x${keys}`.padEnd(20, "0");
}

/** The input of 注文 / 見積依頼 for these lines. */
export function applicationInput(kind: "order" | "quote", lines: { productId: string; quantity: number }[]) {
  return {
    kind,
    lines,
    startDate: tomorrowInJapan(),
    periodUnit: "month",
    period: 1,
    delivery: DELIVERY,
    notes: "",
    poNumber: "",
    idempotencyKey: formKey(),
  };
}

/**
 * Every application number must be unique and without gaps per kind and year, up to the sequence's
 * last value (DOMAIN: numbers are taken in the application's transaction). Returns the problems found.
 */
export async function numberGaps(db: DB): Promise<string[]> {
  const numbers = await db.selectFrom("applications").select(["number", "kind"]).execute();
  const sequences = await db.selectFrom("number_sequences").selectAll().execute();
  const problems: string[] = [];
  const byKey = new Map<string, number[]>();
  for (const { number } of numbers) {
    const [prefix, year, n] = number.split("-");
    const key = `${prefix}-${year}`;
    byKey.set(key, [...(byKey.get(key) ?? []), Number(n)]);
  }
  const prefixOf = { quote: "Q", order: "O", cancellation: "C", extension: "E" } as const;
  for (const s of sequences) {
    const key = `${prefixOf[s.kind]}-${s.year}`;
    const got = (byKey.get(key) ?? []).sort((a, b) => a - b);
    const want = Array.from({ length: Number(s.last_value) }, (_, i) => i + 1);
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(`${key}: numbers ${got.join(",")} but the sequence is at ${s.last_value}`);
    byKey.delete(key);
  }
  for (const key of byKey.keys()) problems.push(`${key}: numbers without a sequence`);
  return problems;
}

/**
 * What the test process does for a crashed process's leases: a lease taken by a killed server runs
 * out after its 2 minutes (LeasedQueue claimMs); tests/integration/mail.test.ts › "reclaims a mail
 * whose worker died mid-send, once its lease ran out" proves the reclaim with a movable clock. Here
 * the time is not waited for: the leases of the dead process are ended. Returns how many there were.
 */
export async function expireLeasesOfDeadProcess(db: DB): Promise<{ mails: number; applications: number }> {
  const past = new Date(Date.now() - 1000).toISOString();
  const mails = await db
    .updateTable("mail_outbox")
    .set({ locked_until: past })
    .where("status", "=", "sending")
    .executeTakeFirst();
  const applications = await db
    .updateTable("applications")
    .set({ intake_locked_until: past })
    .where("intake_status", "=", "pending")
    .where("intake_locked_until", "is not", null)
    .executeTakeFirst();
  return { mails: Number(mails.numUpdatedRows), applications: Number(applications.numUpdatedRows) };
}

/** Whether the database is PostgreSQL (for the few checks that differ). */
export const isPostgres = (db: DB) => dialectOf(db) === "postgres";

/**
 * The 申込受付 mails of every application: problems if one has none, more than one, or one not yet in
 * the mailbox (MAIL_TRANSPORT=mailbox keeps one row per outbox row). Empty when every application has
 * exactly one, delivered.
 */
export async function receivedMailProblems(db: DB): Promise<string[]> {
  const mails = await db
    .selectFrom("mail_outbox")
    .innerJoin("mail_bodies", "mail_bodies.outbox_id", "mail_outbox.id")
    .leftJoin("dev_mailbox", "dev_mailbox.outbox_id", "mail_outbox.id")
    .select(["mail_outbox.id", "mail_bodies.text", "dev_mailbox.id as delivered"])
    .where("mail_outbox.template", "=", "application-received")
    .execute();
  const perNumber = new Map<string, number>();
  const problems: string[] = [];
  for (const m of mails) {
    if (!m.delivered) problems.push(`mail ${m.id} not delivered`);
    const number = /[QOC]-\d{4}-\d{6}/.exec(m.text)?.[0] ?? `? (mail ${m.id})`;
    perNumber.set(number, (perNumber.get(number) ?? 0) + 1);
  }
  for (const { number } of await db.selectFrom("applications").select("number").execute()) {
    const n = perNumber.get(number) ?? 0;
    if (n !== 1) problems.push(`${number}: ${n} mails`);
    perNumber.delete(number);
  }
  for (const number of perNumber.keys()) problems.push(`${number}: a mail for no application`);
  return problems;
}

/** Applications waiting for intake and mails not yet sent. */
export async function unfinishedWork(db: DB): Promise<{ applications: number; mails: number }> {
  const applications = await db
    .selectFrom("applications")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("intake_status", "!=", "accepted")
    .executeTakeFirstOrThrow();
  const mails = await db
    .selectFrom("mail_outbox")
    .select((eb) => eb.fn.countAll().as("n"))
    .where("status", "!=", "sent")
    .executeTakeFirstOrThrow();
  return { applications: Number(applications.n), mails: Number(mails.n) };
}

/**
 * The real server (`npm start`) on a free port over `databaseUrl`, as the fault and soak suites run it:
 * the mailbox transport, workers polling every 50 ms, no per-IP login limit (many simulated users
 * from one address), no demo. `stop()` kills it if it still runs.
 */
export async function startSite(
  databaseUrl: string,
  pepper: string,
): Promise<{ url: string; process: ServerProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = startServer({
    DATABASE_URL: databaseUrl,
    PEPPER: pepper,
    PORT: String(port),
    HOST: "127.0.0.1",
    APP_ORIGIN: url,
    MAIL_TRANSPORT: "mailbox",
    MAIL_POLL_INTERVAL_MS: "50",
    INTAKE_POLL_INTERVAL_MS: "50",
    LOGIN_RATE_LIMIT_PER_MINUTE: "0",
    SEED_DEMO: "false",
  });
  const stop = async () => {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill("SIGKILL");
      await exited(proc.child);
    }
  };
  try {
    await waitHealthy(url, proc);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, process: proc, stop };
}
