import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Generated, sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, type DB, migrateToLatest } from "../../db/index";
import { partialIndexLiterals, refusingRepreparation, reprepareCauses } from "../support/reprepare";

/**
 * Statements SQLite would prepare again at every run (decision 019): db/index.ts writes LIMITs as numbers, and
 * the test harness refuses the other causes (tests/support/reprepare.ts). Here: that compiler, and the check.
 */
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "reprepare-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the SQLite compiler (db/index.ts)", () => {
  it("writes a LIMIT's number into the SQL, keeps OFFSET and every other value a parameter", async () => {
    const db = createDb(`file:${path.join(dir, "compile.sqlite")}`);
    try {
      const compiled = db
        .selectFrom("products")
        .select("id")
        .where("maker", "=", "ACME")
        .orderBy("id")
        .limit(20)
        .offset(40)
        .compile();
      expect(compiled.sql).toBe('select "id" from "products" where "maker" = ? order by "id" limit 20 offset ?');
      expect(compiled.parameters).toEqual(["ACME", 40]);
    } finally {
      await db.destroy();
    }
  });

  it("answers the same rows with the number in the SQL, for each limit asked", async () => {
    const file = path.join(dir, "rows.sqlite");
    const db = createDb(`file:${file}`) as unknown as import("kysely").Kysely<{
      t: { id: Generated<number>; name: string };
    }>;
    try {
      await sql`create table t (id integer primary key, name text not null)`.execute(db);
      await db
        .insertInto("t")
        .values(["a", "b", "c", "d"].map((name) => ({ name })))
        .execute();
      for (const n of [0, 1, 3, 10]) {
        const rows = await db.selectFrom("t").select("name").orderBy("id").limit(n).execute();
        expect(rows.map((r) => r.name)).toEqual(["a", "b", "c", "d"].slice(0, n));
      }
    } finally {
      await db.destroy();
    }
  });
});

describe("reprepareCauses", () => {
  const literals = [
    { table: "rentals", column: "status" },
    { table: "applications", column: "kind" },
  ];

  it("names a LIMIT or a LIKE pattern bound as a parameter", () => {
    expect(reprepareCauses('select "id" from "t" limit ?', [])).toEqual(["a LIMIT bound as a parameter"]);
    expect(reprepareCauses(`select "id" from "t" where "name" like ? escape '\\'`, [])).toEqual([
      "a LIKE pattern bound as a parameter",
    ]);
    expect(reprepareCauses('select "id" from "t" limit 20 offset ?', [])).toEqual([]);
    expect(reprepareCauses(`select "id" from "t" where "name" like (? || '') escape '\\'`, [])).toEqual([]);
  });

  it("names a parameter compared to a column that a partial index of the table compares to a literal", () => {
    const cause = "rentals.status compared to a parameter (a partial index compares it to a literal)";
    expect(reprepareCauses('select count(*) from "rentals" where "account_id" = ? and "status" = ?', literals)).toEqual(
      [cause],
    );
    expect(
      reprepareCauses(
        'select "r"."id" from "rentals" as "r" inner join "applications" on "applications"."id" = "r"."order_application_id" where "r"."status" = ?',
        literals,
      ),
    ).toEqual([cause]);
    expect(reprepareCauses(`select count(*) from "rentals" where "status" = 'active'`, literals)).toEqual([]);
  });

  it("leaves alone assignments, other tables' columns of the same name and longer names", () => {
    expect(reprepareCauses('update "rentals" set "status" = ?, "ended_at" = ? where "id" = ?', literals)).toEqual([]);
    expect(reprepareCauses('select "id" from "sessions" where "kind" = ?', literals)).toEqual([]);
    expect(
      reprepareCauses(
        'select "applications"."id" from "applications" inner join "draft_lines" on "draft_lines"."source_id" = "applications"."id" where "draft_lines"."kind" = ?',
        literals,
      ),
    ).toEqual([]);
    expect(reprepareCauses('select "id" from "applications" where "intake_status" = ?', literals)).toEqual([]);
  });
});

describe("the harness's check on the app's schema", () => {
  it("finds the partial indexes' literals and refuses a statement that compares one of them to a parameter", async () => {
    const db: DB = createDb(`file:${path.join(dir, "schema.sqlite")}`);
    try {
      await migrateToLatest(db);
      const literals = await partialIndexLiterals(db);
      expect(literals).toEqual(
        expect.arrayContaining([
          { table: "rentals", column: "status" },
          { table: "applications", column: "kind" },
          { table: "audit_events", column: "actor_type" },
        ]),
      );
      const refusing = refusingRepreparation(db, literals);
      await expect(
        refusing.selectFrom("rentals").select("id").where("status", "=", "active").execute(),
      ).rejects.toThrow(/rentals\.status compared to a parameter/);
      await expect(
        refusing.selectFrom("rentals").select("id").where("status", "=", sql.lit("active")).limit(5).execute(),
      ).resolves.toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
