/**
 * `npm run bench`: the searches and staff lists at the size issue 11 names (docs/benchmarks.md), then the HTTP
 * bench of issue 13 (scripts/bench-http.ts: the production server under autocannon).
 * Flags: `--quick` (both at a tenth of the scale, in about two minutes), `--service-only`, `--http-only`.
 *
 * Builds a throwaway SQLite database (and, with BENCH_DATABASE_URL=postgres://…, a throwaway schema
 * on that server) with BENCH_PRODUCTS (50,000) generated products, 5,000 accounts with a user each and
 * 20,000 applications, then times through the services:
 * - the customer's catalog search (searchProductsUncached: the search itself, not the kept answers) over a fixed mix of keywords — common and rare,
 *   Japanese and model numbers, full-width, one to three words, one-character words, with filters and
 *   later pages — and the facets the same request reads (catalogFacets);
 * - 申込一覧 (listApplications, first and next page, with filters) and 顧客管理 (searchAccounts);
 * and the event loop's longest stall while they run (perf_hooks monitorEventLoopDelay: better-sqlite3
 * runs each statement on the main thread, so a slow query stalls every other request of the process).
 *
 * Prints a table and exits 1 when a target (of either bench) is missed. Not part of `npm test`: it takes a
 * few minutes (`--quick`: about two).
 * The data is generated from a fixed seed, so runs compare. BENCH_PRODUCTS and BENCH_SEARCHES change the
 * sizes, BENCH_DETAIL=1 prints each kind of call, BENCH_ONLY=postgres skips SQLite, BENCH_KEEP=1 keeps the
 * databases for a look at their plans.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { setImmediate as tick } from "node:timers/promises";
import { sql } from "kysely";
import { createDb, type DB, migrateToLatest } from "../db";
import { searchAccounts } from "../server/services/backoffice/accounts";
import { listApplications, type StaffApplicationFilter } from "../server/services/backoffice/applications";
import type { ServiceDeps } from "../server/services/deps";
import { accountSearchKeys } from "../server/services/identity/normalize";
import {
  catalogFacetsUncached,
  insertProducts,
  type ProductFields,
  searchProductsUncached,
} from "../server/services/ordering/catalog";
import { CATEGORIES, COMPANY_KINDS, COMPANY_WORDS, generateProducts, pick, prng, random } from "./bench/catalog-data";
import { benchPostgresUrl, postgresSchema } from "./bench/postgres";

const FLAGS = new Set(process.argv.slice(2));
for (const flag of FLAGS) {
  if (!["--quick", "--service-only", "--http-only"].includes(flag)) {
    console.error(`unknown flag ${flag} (--quick, --service-only, --http-only)`);
    process.exit(2);
  }
}
const QUICK = FLAGS.has("--quick");
/** --quick: a tenth of the scale (issue 13 item 5). */
const SCALE = QUICK ? 0.1 : 1;

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 50_000 * SCALE);
const ACCOUNTS = 5_000 * SCALE;
const APPLICATIONS = 20_000 * SCALE;
const SEARCHES = Number(process.env.BENCH_SEARCHES ?? 400);

/** Targets (docs/benchmarks.md): p99 of one call and the longest event-loop stall, in ms. */
const TARGETS = {
  sqlite: { search: 50, dense: 250, facets: 20, staff: 50, stall: 250 },
  postgres: { search: 100, dense: 400, facets: 50, staff: 100, stall: 250 },
} as const;

/**
 * Searches whose words match a large part of the catalog (a lone "5" or "ー" matches two thirds of it):
 * their cost follows their matches (docs/decisions/016), so they have a target of their own.
 */
const DENSE = new Set(["one character", "common gram ー/の", "word, page 5"]);

async function fillStaffData(db: DB, now: Date): Promise<string[]> {
  const accounts: { id: string; login_id: string; company_name: string }[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const company = `株式会社 ${pick(COMPANY_WORDS)}${pick(COMPANY_KINDS)}${i % 7 === 0 ? "" : String(i)}`;
    accounts.push({
      id: `acct${String(i).padStart(8, "0")}`,
      login_id: `user${String(i).padStart(5, "0")}`,
      company_name: company,
    });
  }
  const at = (ms: number) => new Date(now.getTime() - ms).toISOString();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < accounts.length; i += 500) {
      const chunk = accounts.slice(i, i + 500);
      await trx
        .insertInto("accounts")
        .values(
          chunk.map((a) => ({
            ...a,
            status: "active" as const,
            created_at: at(1e9),
            ...accountSearchKeys(a.login_id, a.company_name),
          })),
        )
        .execute();
      await trx
        .insertInto("users")
        .values(
          chunk.map((a) => ({
            id: `user${a.id}`,
            account_id: a.id,
            email: `${a.login_id}@example.jp`,
            email_normalized: `${a.login_id}@example.jp`,
            name: "担当者",
            password_hash: null,
            status: "active" as const,
            must_change_password: 0,
            mfa_enabled: 0,
            created_at: at(1e9),
            password_changed_at: null,
          })),
        )
        .execute();
    }
    const kinds = ["order", "quote", "cancellation"] as const;
    const rows = [];
    for (let i = 0; i < APPLICATIONS; i++) {
      const kind = pick(kinds);
      const account = pick(accounts);
      const created = at((APPLICATIONS - i) * 60_000);
      const status = random() < 0.9 ? "accepted" : random() < 0.5 ? "failed" : "pending";
      const done = random() < 0.7 ? created : null;
      rows.push({
        id: `app${String(i).padStart(8, "0")}`,
        number: `${kind === "order" ? "O" : kind === "quote" ? "Q" : "C"}-2026-${String(i + 1).padStart(6, "0")}`,
        account_id: account.id,
        user_id: `user${account.id}`,
        kind,
        intake_status: status as "accepted" | "failed" | "pending",
        intake_next_attempt_at: created,
        idempotency_key: `k${i}`,
        created_at: created,
        arranged_at: kind === "order" ? done : null,
        answered_at: kind === "quote" ? done : null,
        returned_at: kind === "cancellation" ? done : null,
        delivery_company: account.company_name,
        delivery_department: "",
        delivery_person: "担当者",
        delivery_postal_code: "100-0001",
        delivery_address: "東京都千代田区千代田1-1",
        delivery_building: "",
        delivery_phone: "03-0000-0000",
        notes: "",
        po_number: "",
        intake_attempts: 0,
        intake_error: null,
        intake_locked_until: null,
        arranged_by: null,
        start_date: null,
        period_unit: null,
        period: null,
        return_date: null,
        rental_id: null,
        answered_by: null,
        valid_until: null,
        answer_comment: null,
        returned_by: null,
      });
    }
    for (let i = 0; i < rows.length; i += 500)
      await trx
        .insertInto("applications")
        .values(rows.slice(i, i + 500))
        .execute();
  });
  // Company names a staff member would type: one company's name, with and without its legal form.
  return [accounts[1234 % ACCOUNTS], accounts[4321 % ACCOUNTS]].map((a) => a?.company_name ?? "");
}

// ---------------------------------------------------------------------------------------------
// The workload: a fixed list of calls, built from the generated data.

interface Call {
  group: "search" | "dense" | "facets" | "staff";
  label: string;
  run: () => Promise<unknown>;
}

function fullWidth(text: string): string {
  return text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
}

function searchMix(
  products: ProductFields[],
): { label: string; input: Parameters<typeof searchProductsUncached>[1] }[] {
  const r = prng(7);
  const at = <T>(items: readonly T[]) => items[Math.floor(r() * items.length)] as T;
  const sub = (text: string, len: number) => {
    const chars = Array.from(text.replace(/\s+/g, ""));
    const start = Math.floor(r() * Math.max(1, chars.length - len));
    return chars.slice(start, start + len).join("");
  };
  const kinds: [string, () => Parameters<typeof searchProductsUncached>[1]][] = [
    [
      "common Japanese word",
      () => ({
        keyword: at(["オシロスコープ", "マルチメータ", "発電機", "プロジェクター", "センサ", "電源", "ノート"]),
      }),
    ],
    ["rare: whole model number", () => ({ keyword: at(products).modelNo })],
    ["partial model number", () => ({ keyword: sub(at(products).modelNo, 4) })],
    ["model with separator", () => ({ keyword: at(["dsox-12", "MSO-20", "cf-3", "GT-10", "EB-L5", "pc-vk2"]) })],
    ["full-width", () => ({ keyword: fullWidth(sub(at(products).modelNo, 5)) })],
    ["Japanese substring", () => ({ keyword: sub(at(products).name, int2(r, 2, 4)) })],
    [
      "two words",
      () => ({ keyword: `${at(CATEGORIES).name} ${at(["200MHz", "4ch", "16GB", "三相", "kVA", "中古"])}` }),
    ],
    [
      "three words",
      () => ({ keyword: `${at(CATEGORIES).kinds[0]} ${sub(at(products).maker, 2)} ${at(["GS/s", "kg", "mm", "V"])}` }),
    ],
    [
      "maker + model prefix",
      () => {
        const p = at(products);
        return { keyword: `${p.maker} ${sub(p.modelNo, 3)}` };
      },
    ],
    ["one character", () => ({ keyword: at(["台", "A", "機", "5", "計"]) })],
    ["one char + word", () => ({ keyword: `${at(["台", "a", "型"])} ${at(["作業", "発電", "ノート", "DS"])}` })],
    ["common gram ー/の", () => ({ keyword: at(["ー", "ーー", "スコープ", "ター"]) })],
    ["no match", () => ({ keyword: at(["存在しない商品", "zzqx", "ＸＸＸ９９９"]) })],
    ["category filter", () => ({ category: at(CATEGORIES).name })],
    [
      "maker filter + word",
      () => {
        const p = at(products);
        return { maker: p.maker, keyword: sub(p.name, 2) };
      },
    ],
    ["browse all, page 3", () => ({ page: 3 })],
    ["word, page 5", () => ({ keyword: at(["計", "オシロ", "PC", "kg"]), page: 5 })],
  ];
  const calls = [];
  for (let i = 0; i < SEARCHES; i++) {
    const [label, make] = kinds[i % kinds.length] as (typeof kinds)[number];
    calls.push({ label, input: make() });
  }
  return calls;
}

function int2(r: () => number, min: number, max: number) {
  return min + Math.floor(r() * (max - min + 1));
}

function workload(deps: ServiceDeps, products: ProductFields[], companies: string[]): Call[] {
  const calls: Call[] = searchMix(products).map(({ label, input }) => ({
    group: DENSE.has(label) ? ("dense" as const) : ("search" as const),
    label,
    run: () => searchProductsUncached(deps, input),
  }));
  for (let i = 0; i < 20; i++)
    calls.push({ group: "facets", label: "catalog facets", run: () => catalogFacetsUncached(deps) });
  const filters: StaffApplicationFilter[] = [
    {},
    { kind: "order" },
    { confirmation: "unarranged" },
    { confirmation: "unanswered", result: "accepted" },
    { result: "failed" },
    { kind: "quote", from: "2026-10-01", to: "2026-11-20" },
    { keyword: "user00042" },
    ...companies.map((name) => ({ keyword: name })),
    ...companies.map((name) => ({ keyword: name.replace("株式会社 ", "") })),
    { keyword: "O-2026-000123" },
  ];
  for (let round = 0; round < 4; round++) {
    for (const filter of filters) {
      calls.push({
        group: "staff",
        label: "申込一覧 first + next page",
        run: async () => {
          const first = await listApplications(deps, filter);
          if (first.nextCursor) await listApplications(deps, filter, first.nextCursor);
        },
      });
    }
    for (const keyword of [undefined, "user0", "user01234", "アクメ", "東和計測", "株式会社 富士", "nobody"]) {
      calls.push({
        group: "staff",
        label: "顧客管理 search + next page",
        run: async () => {
          const first = await searchAccounts(deps, keyword);
          if (first.nextCursor) await searchAccounts(deps, keyword, first.nextCursor);
        },
      });
    }
  }
  return calls;
}

// ---------------------------------------------------------------------------------------------

interface Row {
  database: string;
  what: string;
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  target: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

function summarize(database: string, what: string, times: number[], target: number): Row {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    database,
    what,
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? 0,
    target,
  };
}

async function measure(database: "sqlite" | "postgres", url: string, products: ProductFields[]): Promise<Row[]> {
  const db = createDb(url, { poolSize: 4 });
  try {
    await migrateToLatest(db);
    const now = new Date("2026-11-26T00:00:00.000Z");
    let started = performance.now();
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < products.length; i += 1000) await insertProducts(trx, now, products.slice(i, i + 1000));
    });
    const loadProducts = performance.now() - started;
    started = performance.now();
    const companies = await fillStaffData(db, now);
    const loadStaff = performance.now() - started;
    // The steady state after a load: statistics, and the visibility map that index-only scans need.
    if (database === "postgres") await sql`vacuum analyze`.execute(db);
    console.log(
      `${database}: ${products.length} products in ${(loadProducts / 1000).toFixed(1)} s, ` +
        `${ACCOUNTS} accounts and ${APPLICATIONS} applications in ${(loadStaff / 1000).toFixed(1)} s`,
    );

    const deps = { db } as unknown as ServiceDeps;
    const calls = workload(deps, products, companies);
    for (const call of calls.slice(0, 30)) await call.run(); // warm caches and statement caches

    const targets = TARGETS[database];
    const times = { search: [] as number[], dense: [] as number[], facets: [] as number[], staff: [] as number[] };
    const byLabel = new Map<string, number[]>();
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    histogram.enable();
    for (const call of calls) {
      const t0 = performance.now();
      await call.run();
      const ms = performance.now() - t0;
      times[call.group].push(ms);
      const key = `${call.group}: ${call.label}`;
      byLabel.set(key, [...(byLabel.get(key) ?? []), ms]);
      await tick(); // let the loop turn, so the histogram sees each call's stall on its own
    }
    histogram.disable();
    const stall = histogram.max / 1e6;

    if (process.env.BENCH_DETAIL) {
      for (const [label, values] of byLabel) {
        const s = summarize(database, label, values, 0);
        console.log(`  ${label.padEnd(44)} p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(1)} ms`);
      }
    }
    return [
      summarize(database, "catalog search: all", [...times.search, ...times.dense], Number.POSITIVE_INFINITY),
      summarize(database, "catalog search: selective words", times.search, targets.search),
      summarize(database, "catalog search: dense words", times.dense, targets.dense),
      summarize(database, "catalog facets (catalogFacets)", times.facets, targets.facets),
      summarize(database, "staff lists (申込一覧, 顧客管理)", times.staff, targets.staff),
      {
        database,
        what: "event loop: longest stall",
        n: 1,
        p50: stall,
        p95: stall,
        p99: stall,
        max: stall,
        target: targets.stall,
      },
    ];
  } finally {
    await db.destroy();
  }
}

async function serviceBench(): Promise<number> {
  const products = generateProducts(PRODUCTS);
  const rows: Row[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-bench-"));
  try {
    if (process.env.BENCH_ONLY !== "postgres") {
      rows.push(...(await measure("sqlite", `file:${path.join(dir, "bench.sqlite")}`, products)));
    }
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
  const pgBase = benchPostgresUrl();
  if (pgBase) {
    const schema = await postgresSchema(pgBase);
    try {
      rows.push(...(await measure("postgres", schema.url, products)));
    } finally {
      if (process.env.BENCH_KEEP) console.log(`kept ${schema.url}`);
      else await schema.drop();
    }
  } else {
    console.log("postgres: skipped (set BENCH_DATABASE_URL or DATABASE_URL=postgres://… to measure it too)");
  }

  const ms = (v: number) => v.toFixed(1).padStart(8);
  console.log(
    `\n${"database".padEnd(9)} ${"what".padEnd(34)} ${"n".padStart(4)} ${"p50".padStart(8)} ${"p95".padStart(8)} ${"p99".padStart(8)} ${"max".padStart(8)}  target (ms)`,
  );
  let missed = 0;
  for (const r of rows) {
    const ok = (r.what.startsWith("event loop") ? r.max : r.p99) < r.target;
    const target =
      r.target === Number.POSITIVE_INFINITY
        ? ""
        : `${r.what.startsWith("event loop") ? "max" : "p99"} < ${r.target} ${ok ? "ok" : "MISSED"}`;
    if (!ok) missed++;
    console.log(
      `${r.database.padEnd(9)} ${r.what.padEnd(34)} ${String(r.n).padStart(4)} ${ms(r.p50)} ${ms(r.p95)} ${ms(r.p99)} ${ms(r.max)}  ${target}`,
    );
  }
  console.log(missed ? `\n${missed} target(s) missed.` : "\nAll targets met.");
  return missed;
}

async function main() {
  let missed = 0;
  if (!FLAGS.has("--http-only")) missed += await serviceBench();
  if (!FLAGS.has("--service-only")) {
    const { runHttpBench } = await import("./bench-http");
    if (process.env.BENCH_ONLY !== "postgres") missed += await runHttpBench({ quick: QUICK });
    const pgBase = benchPostgresUrl();
    if (pgBase) missed += await runHttpBench({ quick: QUICK, postgres: pgBase });
  }
  if (missed) {
    console.log(`\n${missed} target(s) missed in all: exit 1.`);
    process.exit(1);
  }
}

await main();
