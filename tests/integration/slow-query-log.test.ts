import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, type DB, type SlowQuery } from "../../db";
import { loadConfig } from "../../server/config";

let db: DB | undefined;
let dir: string | undefined;
afterEach(async () => {
  await db?.destroy();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  db = undefined;
  dir = undefined;
});

describe("slow statements are logged (SLOW_QUERY_MS)", () => {
  it("reports a statement at or over the limit with its SQL, never its values; faster ones not at all", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-slow-"));
    const slow: SlowQuery[] = [];
    db = createDb(`file:${path.join(dir, "db.sqlite")}`, { slowQueryMs: 100, onSlowQuery: (s) => slow.push(s) });
    await sql`select ${"fast-secret"} as v`.execute(db);
    expect(slow).toEqual([]);
    // A statement that takes a while on any machine: counting through a few million rows.
    await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 3000000)
      select count(*) as c, ${"secret-value"} as v from n`.execute(db);
    expect(slow).toHaveLength(1);
    expect(slow[0]?.ms).toBeGreaterThanOrEqual(100);
    expect(slow[0]?.sql).toMatch(/^with recursive n\(i\) as \(select 1 union all/);
    expect(slow[0]?.sql).not.toContain("secret-value");
  });

  it("on SQLite reports the statement's own time, not the time other work took before its caller resumed", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-slow-"));
    const slow: SlowQuery[] = [];
    db = createDb(`file:${path.join(dir, "db.sqlite")}`, { slowQueryMs: 5, onSlowQuery: (s) => slow.push(s) });
    await sql`select 1`.execute(db);
    // A busy server: every turn of the event loop's microtask queue runs 8 ms of some other request's work
    // (rendering a page, say), so each await of the query waits behind it.
    const busy = (ms: number) => {
      const started = performance.now();
      while (performance.now() - started < ms);
    };
    let turns = 0;
    const otherWork = () => {
      busy(8);
      if (++turns < 40) queueMicrotask(otherWork);
    };
    queueMicrotask(otherWork);
    const started = performance.now();
    const rows = await sql<{ v: string }>`select ${"fast"} as v`.execute(db);
    expect(rows.rows).toEqual([{ v: "fast" }]);
    // The query's caller waited behind the other work, but SQLite itself took microseconds.
    expect(performance.now() - started).toBeGreaterThanOrEqual(8);
    expect(slow).toEqual([]);
    while (turns < 40) await new Promise((r) => setTimeout(r, 10));
  });

  it("on SQLite times each step of a streamed query", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-slow-"));
    const slow: SlowQuery[] = [];
    db = createDb(`file:${path.join(dir, "db.sqlite")}`, { slowQueryMs: 100, onSlowQuery: (s) => slow.push(s) });
    const counted = db
      .selectNoFrom(
        sql<number>`(with recursive n(i) as (select 1 union all select i + 1 from n where i < 3000000)
          select count(*) from n)`.as("c"),
      )
      .stream();
    const seen: unknown[] = [];
    for await (const row of counted) seen.push(row);
    expect(seen).toEqual([{ c: 3000000 }]);
    expect(slow).toHaveLength(1);
    expect(slow[0]?.ms).toBeGreaterThanOrEqual(100);
    expect(slow[0]?.sql).toMatch(/^select \(with recursive n\(i\) as/);
  });

  it("SLOW_QUERY_MS is read from the environment: 100 ms by default, 0 turns it off, nonsense stops the start", () => {
    expect(loadConfig({}).slowQueryMs).toBe(100);
    expect(loadConfig({ SLOW_QUERY_MS: "0" }).slowQueryMs).toBe(0);
    expect(() => loadConfig({ SLOW_QUERY_MS: "fast" })).toThrow(/SLOW_QUERY_MS/);
  });
});
