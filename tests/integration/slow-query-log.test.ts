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

  it("SLOW_QUERY_MS is read from the environment: 100 ms by default, 0 turns it off, nonsense stops the start", () => {
    expect(loadConfig({}).slowQueryMs).toBe(100);
    expect(loadConfig({ SLOW_QUERY_MS: "0" }).slowQueryMs).toBe(0);
    expect(() => loadConfig({ SLOW_QUERY_MS: "fast" })).toThrow(/SLOW_QUERY_MS/);
  });
});
