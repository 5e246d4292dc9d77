import SQLite from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, type DB, migrateToLatest } from "../../db";
import { exited } from "../support/processes";
import {
  applicationInput,
  DELIVERY,
  expireLeasesOfDeadProcess,
  loginOverHttp,
  numberGaps,
  productIds,
  receivedMailProblems,
  seedCustomers,
  servicesOn,
  startSite,
  trpc,
  unfinishedWork,
} from "../support/site-client";
import { freshDatabase, TEST_DIALECT, type TestDatabase } from "../support/test-db";

/**
 * Faults of the running server (the real `npm start` entry): a crash under write load, a locked
 * database. "SMTP peer down, then up: every mail once" is proved by tests/integration/mail.test.ts ›
 * "keeps a mail while the server is down and delivers it exactly once when it is back" (and two
 * instances racing for one outbox by tests/integration/instances.test.ts), so it is not repeated here.
 */

const PEPPER = "faults-test-pepper-0123456789abcdefgh";

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  cleanup = [];
});

async function database(): Promise<{ url: string; db: DB; file: string | undefined }> {
  const d: TestDatabase = await freshDatabase();
  const db = createDb(d.url);
  await migrateToLatest(db);
  cleanup.push(async () => {
    await db.destroy();
    await d.drop();
  });
  const file = d.url.startsWith("file:") ? d.url.slice("file:".length) : undefined;
  return { url: d.url, db, file };
}

async function server(databaseUrl: string) {
  const site = await startSite(databaseUrl, PEPPER);
  cleanup.push(site.stop);
  return site;
}

describe(`SIGKILL during a write load (${TEST_DIALECT})`, () => {
  it("keeps every acknowledged application with its lines, numbers without gaps; after restart intake and the outbox finish, one mail each", async () => {
    const { url: databaseUrl, db } = await database();
    const deps = await servicesOn(db, databaseUrl, PEPPER);
    const users = await seedCustomers(deps, 4);
    const products = await productIds(db);
    const first = await server(databaseUrl);
    const cookies = await Promise.all(users.map((u) => loginOverHttp(first.url, u)));

    type Sent = { number: string; lines: { productId: string; quantity: number }[] };
    const acknowledged: Sent[] = [];
    const serverErrors: string[] = [];
    let stop = false;
    // Two submitting loops per user (8 in all) until the server is gone.
    const loops = cookies.flatMap((cookie, u) =>
      [0, 1].map(async (k) => {
        for (let i = 0; !stop; i++) {
          const lines = [
            { productId: products[(u * 5 + k * 3 + i) % products.length] as string, quantity: 1 + (i % 5) },
            ...(i % 2 ? [{ productId: products[(u * 7 + i + 11) % products.length] as string, quantity: 2 }] : []),
          ].filter((l, j, all) => all.findIndex((m) => m.productId === l.productId) === j);
          const answer = await trpc<{ number: string }>(
            first.url,
            cookie,
            "applications.submit",
            applicationInput(i % 3 ? "order" : "quote", lines),
            "mutation",
          ).catch(() => null);
          if (!answer) return; // connection refused or reset: the server is gone
          if (answer.status >= 500) serverErrors.push(`${answer.status} ${answer.error?.message}`);
          if (answer.status === 200 && answer.data) acknowledged.push({ number: answer.data.number, lines });
        }
      }),
    );

    // Killed while submissions are in flight and both workers are busy with earlier ones.
    await expect
      .poll(
        async () => {
          if (acknowledged.length < 40) return false;
          const done = await db
            .selectFrom("applications")
            .select("id")
            .where("intake_status", "=", "accepted")
            .limit(1)
            .execute();
          const sent = await db.selectFrom("mail_outbox").select("id").where("status", "=", "sent").limit(1).execute();
          return done.length > 0 && sent.length > 0;
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBe(true);
    first.process.child.kill("SIGKILL");
    expect(await exited(first.process.child)).toBeNull(); // killed by the signal, not exited
    stop = true;
    await Promise.all(loops);
    expect(serverErrors).toEqual([]);

    // The dead process's leases would run out after 2 minutes; end them instead of waiting (see helper).
    const leases = await expireLeasesOfDeadProcess(db);
    const left = await unfinishedWork(db);

    // Every acknowledged application is there, with exactly the lines it was sent with.
    const stored = await db
      .selectFrom("applications")
      .innerJoin("application_lines", "application_lines.application_id", "applications.id")
      .select(["applications.number", "application_lines.line_no", "application_lines.product_id", "quantity"])
      .orderBy("applications.number")
      .orderBy("application_lines.line_no")
      .execute();
    const linesOf = new Map<string, { productId: string; quantity: number }[]>();
    for (const r of stored)
      linesOf.set(r.number, [...(linesOf.get(r.number) ?? []), { productId: r.product_id, quantity: r.quantity }]);
    for (const sent of acknowledged) expect(linesOf.get(sent.number), sent.number).toEqual(sent.lines);
    // No application without lines (a half-written one), and no gap in the numbers of any kind.
    const applications = await db.selectFrom("applications").select("number").execute();
    expect(applications.filter((a) => !linesOf.has(a.number))).toEqual([]);
    expect(await numberGaps(db)).toEqual([]);

    // Restarted on the same database: intake and the outbox take up where the dead process left off.
    const second = await server(databaseUrl);
    await expect
      .poll(() => unfinishedWork(db), { timeout: 90_000, interval: 100 })
      .toEqual({ applications: 0, mails: 0 });

    // Exactly one 申込受付 mail per application, queued and delivered (the mailbox keeps one per outbox row).
    expect(await receivedMailProblems(db)).toEqual([]);

    // The sessions survived, and the next application takes the next number.
    const next = await trpc<{ number: string }>(
      second.url,
      cookies[0] as string,
      "applications.submit",
      applicationInput("order", [{ productId: products[0] as string, quantity: 1 }]),
      "mutation",
    );
    expect(next.status).toBe(200);
    expect(await numberGaps(db)).toEqual([]);

    second.process.child.kill("SIGTERM");
    expect(await exited(second.process.child)).toBe(0);
    console.log(
      `SIGKILL (${TEST_DIALECT}): ${acknowledged.length} acknowledged, ${applications.length} stored; ` +
        `left at the kill: ${left.applications} applications and ${left.mails} mails unfinished, ` +
        `leases ended: ${leases.applications} applications, ${leases.mails} mails`,
    );
  });
});

describe(`a locked database (${TEST_DIALECT})`, () => {
  const template = (name: string) => ({ name, ...DELIVERY });

  /** Another connection holds a write lock: the whole SQLite file, or on PostgreSQL the account's row. */
  async function holdLock(databaseUrl: string, file: string | undefined, loginId: string) {
    if (file) {
      const locker = new SQLite(file);
      locker.exec("begin immediate");
      return async () => {
        locker.exec("rollback");
        locker.close();
      };
    }
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query("begin");
    await client.query("select id from accounts where login_id = $1 for update", [loginId]);
    return async () => {
      await client.query("rollback");
      await client.end();
    };
  }

  it("answers a write with an error after the lock wait (never hangs), reads go on; after the lock, writes work", async () => {
    const { url: databaseUrl, db, file } = await database();
    const deps = await servicesOn(db, databaseUrl, PEPPER);
    const [user] = await seedCustomers(deps, 1);
    if (!user) throw new Error("no user");
    const { url } = await server(databaseUrl);
    const cookie = await loginOverHttp(url, user);
    // The login notice is out: an idle server holds and wants no lock.
    await expect.poll(async () => (await unfinishedWork(db)).mails, { timeout: 60_000 }).toBe(0);

    const release = await holdLock(databaseUrl, file, user.loginId);
    let released = false;
    cleanup.push(async () => {
      if (!released) await release();
    });

    // tRPC: 500 with the Japanese system message, after the lock wait (5 s) and well before any hang.
    let started = Date.now();
    const refused = await trpc(
      url,
      cookie,
      "templates.create",
      template("ロック中"),
      "mutation",
      AbortSignal.timeout(60_000),
    );
    const waited = Date.now() - started;
    expect(refused.status).toBe(500);
    expect(refused.error?.message).toBe("システムエラーが発生しました。時間をおいて再度お試しください。");
    expect(waited).toBeGreaterThanOrEqual(4_000);
    expect(waited).toBeLessThan(45_000);

    // The form: the site's error page (Japanese), not a spinner that never ends.
    started = Date.now();
    const page = await fetch(`${url}/account/templates`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: url },
      body: new URLSearchParams({ intent: "create", ...template("ロック中の画面") }),
      redirect: "manual",
      signal: AbortSignal.timeout(60_000),
    });
    expect(page.status).toBe(500);
    expect(await page.text()).toContain("エラーが発生しました");
    expect(Date.now() - started).toBeLessThan(45_000);

    // Reading does not need the lock.
    const list = await trpc<{ templates: unknown[] }>(url, cookie, "templates.list", undefined, "query");
    expect(list.status).toBe(200);
    expect(list.data?.templates).toEqual([]);

    released = true;
    await release();
    const created = await trpc(url, cookie, "templates.create", template("ロック解除後"), "mutation");
    expect(created.status).toBe(200);
    const after = await fetch(`${url}/account/templates`, {
      method: "POST",
      headers: { Cookie: cookie, Origin: url },
      body: new URLSearchParams({ intent: "create", ...template("ロック解除後の画面") }),
      redirect: "manual",
    });
    expect(after.status).toBe(302);
    const names = (await db.selectFrom("delivery_templates").select("name").orderBy("name").execute()).map(
      (t) => t.name,
    );
    expect(names).toEqual(["ロック解除後", "ロック解除後の画面"]);
  });
});
