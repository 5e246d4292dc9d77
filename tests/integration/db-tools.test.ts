import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import SQLite from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, type DB, migrateToLatest } from "../../db";
import { COPY_ORDER } from "../../db/copy";
import { seedDemo } from "../../db/seed/demo";
import { buildDeps } from "../../server/runtime";
import { createAccount } from "../../server/services/identity/accounts";
import { requestPasswordReset } from "../../server/services/identity/password-reset";
import { login } from "../../server/services/identity/sign-in";
import { addToDraft } from "../../server/services/ordering/drafts";
import { createHarness, type Harness, TEST_PEPPER } from "../support/harness";
import { freshDatabase, TEST_DIALECT, type TestDatabase } from "../support/test-db";

const run = promisify(execFile);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tsx(script: string, args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ["--import", "tsx", script, ...args], { env: { ...process.env, ...env } });
}

/** A SQLite database with rows in every table: accounts, users, staff, sessions, mail, audit. */
async function seeded(): Promise<Harness> {
  const h = await createHarness({}, { dialect: "sqlite" });
  cleanups.push(() => h.close());
  await seedDemo(h.deps);
  for (let i = 0; i < 30; i++) {
    await createAccount(h.deps, {
      loginId: `acct${String(i).padStart(3, "0")}`,
      companyName: `株式会社テスト${i}「計測」`,
      email: `user${i}@example.jp`,
      temporaryPassword: "Temp-2026a",
    });
  }
  for (let i = 0; i < 5; i++) {
    h.clock.advance(1000);
    await login(
      h.deps,
      { loginId: `acct00${i}`, email: `user${i}@example.jp`, password: "Temp-2026a" },
      { ip: "203.0.113.9", userAgent: "ua" },
    );
  }
  // A failed login (lockout counter, rate bucket) and a reset request (verification).
  const meta = { ip: "203.0.113.9", userAgent: "ua" };
  await login(h.deps, { loginId: "acct001", email: "user1@example.jp", password: "Wrong-2026a" }, meta).catch(
    () => null,
  );
  await requestPasswordReset(h.deps, { loginId: "acct002", email: "user2@example.jp" }, meta);
  const demoUser = await h.db
    .selectFrom("users")
    .select("id")
    .where("email_normalized", "=", "demo@example.com")
    .executeTakeFirstOrThrow();
  const product = await h.db.selectFrom("products").select("id").limit(1).executeTakeFirstOrThrow();
  await addToDraft(h.deps, demoUser.id, "order", product.id, 2);
  await h.worker.runOnce();
  await h.db
    .insertInto("staff")
    .values({
      id: "s1",
      email: "ops@example.jp",
      name: "運用",
      password_hash: "x",
      role: "admin",
      status: "active",
      created_at: h.clock.now().toISOString(),
    })
    .execute();
  // An authenticator with a recovery code (values as stored: sealed, hashed).
  await h.db
    .insertInto("user_totp")
    .values({
      user_id: demoUser.id,
      secret_sealed: "v1:c2VhbGVk",
      confirmed_at: h.clock.now().toISOString(),
      last_step: 59_000_000,
      created_at: h.clock.now().toISOString(),
    })
    .execute();
  await h.db
    .insertInto("recovery_codes")
    .values({ id: "rc1", user_id: demoUser.id, code_hash: "ab".repeat(32), used_at: null, created_at: "2026-04-01" })
    .execute();
  // A 返却予定のお知らせ sent for one of the demo's rentals.
  const rental = await h.db.selectFrom("rentals").select(["id", "due_date"]).limit(1).executeTakeFirstOrThrow();
  await h.db
    .insertInto("return_reminders")
    .values({ rental_id: rental.id, due_date: rental.due_date ?? "2026-04-04", sent_at: h.clock.now().toISOString() })
    .execute();
  return h;
}

async function dump(db: DB): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const { table, key } of COPY_ORDER) {
    // biome-ignore lint/suspicious/noExplicitAny: generic over every table
    let q = (db as any).selectFrom(table).selectAll();
    for (const column of key) q = q.orderBy(column);
    out[table] = await q.execute();
  }
  return out;
}

async function fresh(): Promise<TestDatabase> {
  const d = await freshDatabase();
  cleanups.push(() => d.drop());
  return d;
}

describe("npm run db:copy", () => {
  it(`copies every row of a seeded SQLite database into ${TEST_DIALECT} and back, and the app signs in on the copy`, async () => {
    const source = await seeded();
    const target = await fresh();
    // SQLite → target, then target → a new SQLite file: a round trip must give the same rows.
    await tsx("scripts/db-copy.ts", ["--from", source.databaseUrl, "--to", target.url]);
    const back = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mos-copy-")), "back.sqlite");
    cleanups.push(async () => fs.rmSync(path.dirname(back), { recursive: true, force: true }));
    await tsx("scripts/db-copy.ts", ["--from", target.url, "--to", `file:${back}`]);

    const targetDb = createDb(target.url);
    const backDb = createDb(`file:${back}`);
    cleanups.push(
      () => targetDb.destroy(),
      () => backDb.destroy(),
    );
    const original = await dump(source.db);
    for (const { table } of COPY_ORDER) expect(original[table]?.length, table).toBeGreaterThan(0);
    expect(await dump(targetDb)).toEqual(original);
    expect(await dump(backDb)).toEqual(original);

    // The copy serves: a user of the source signs in there with the same pepper.
    const deps = buildDeps(source.config, targetDb, source.renderer, TEST_PEPPER, source.clock);
    const result = await login(
      deps,
      { loginId: "acct007", email: "user7@example.jp", password: "Temp-2026a" },
      { ip: null, userAgent: null },
    );
    expect(result).toMatchObject({ status: "signed_in", mustChangePassword: true });
  });

  it("refuses a target that already has rows, and changes nothing", async () => {
    const source = await seeded();
    const target = await fresh();
    const t = createDb(target.url);
    cleanups.push(() => t.destroy());
    await migrateToLatest(t);
    await createAccount(
      { ...source.deps, db: t },
      { loginId: "keep01", companyName: "残す", email: "k@example.jp", temporaryPassword: "Temp-2026a" },
    );
    const error = await tsx("scripts/db-copy.ts", ["--from", source.databaseUrl, "--to", target.url]).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr).toContain("the target is not empty");
    expect(await t.selectFrom("accounts").select("login_id").execute()).toEqual([{ login_id: "keep01" }]);
  });
});

describe.skipIf(TEST_DIALECT !== "sqlite")("npm run db:backup", () => {
  it("writes a consistent copy while the database is open and in use, with the pepper beside it", async () => {
    const source = await seeded();
    const file = source.databaseUrl.slice("file:".length);
    fs.writeFileSync(path.join(path.dirname(file), ".pepper"), "local-pepper\n", { mode: 0o600 });
    const out = path.join(path.dirname(file), "backup", "b.sqlite");
    // Writes keep going while the backup runs.
    const writing = (async () => {
      for (let i = 0; i < 20; i++) {
        await createAccount(source.deps, {
          loginId: `late${i}`,
          companyName: "後",
          email: `late${i}@example.jp`,
          temporaryPassword: "Temp-2026a",
        });
      }
    })();
    const { stdout } = await tsx("scripts/db-backup.ts", ["--out", out], { DATABASE_URL: source.databaseUrl });
    await writing;
    expect(stdout).toContain("backup written");
    const backup = new SQLite(out, { readonly: true });
    expect(backup.pragma("integrity_check", { simple: true })).toBe("ok");
    const count = (backup.prepare("select count(*) as n from accounts").get() as { n: number }).n;
    backup.close();
    expect(count).toBeGreaterThanOrEqual(31);
    expect(count).toBeLessThanOrEqual(51);
    expect(fs.readFileSync(`${out}.pepper`, "utf8")).toBe("local-pepper\n");
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
  });
});
