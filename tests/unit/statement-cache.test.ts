import SQLite from "better-sqlite3";
import { type Generated, Kysely, SqliteDialect, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { withStatementCache } from "../../db/index";

/** SQLite's prepared statements kept for reuse (db/index.ts): the same answers, fewer prepares. */
describe("withStatementCache", () => {
  const open: SQLite.Database[] = [];
  function database() {
    const db = new SQLite(":memory:");
    db.exec("create table t (id integer primary key, name text)");
    db.exec("insert into t (name) values ('a'), ('b'), ('c')");
    open.push(db);
    return db;
  }
  afterEach(() => {
    for (const db of open.splice(0)) if (db.open) db.close();
  });

  it("hands out the statement it prepared before for the same SQL, and a new one for new SQL", () => {
    const cached = withStatementCache(database());
    const first = cached.prepare("select name from t where id = ?");
    expect(cached.prepare("select name from t where id = ?")).toBe(first);
    expect(cached.prepare("select name from t where id > ?")).not.toBe(first);
    expect(first.all([2])).toEqual([{ name: "b" }]);
    expect(cached.prepare("select name from t where id = ?").all([3])).toEqual([{ name: "c" }]);
  });

  it("never hands out a statement that is still being iterated: a second reader gets its own", () => {
    const cached = withStatementCache(database());
    const streaming = cached.prepare("select name from t order by id");
    const rows = streaming.iterate([]);
    expect(rows.next().value).toEqual({ name: "a" });
    const meanwhile = cached.prepare("select name from t order by id");
    expect(meanwhile).not.toBe(streaming);
    expect(meanwhile.all([])).toHaveLength(3);
    expect([...rows]).toEqual([{ name: "b" }, { name: "c" }]);
    // Done iterating: the kept statement is handed out again.
    expect(cached.prepare("select name from t order by id")).toBe(streaming);
  });

  it("keeps at most `size` statements, dropping the least recently used", () => {
    const cached = withStatementCache(database(), 2);
    const one = cached.prepare("select 1");
    const two = cached.prepare("select 2");
    expect(cached.prepare("select 1")).toBe(one); // now "select 2" is the least recently used
    cached.prepare("select 3");
    expect(cached.prepare("select 1")).toBe(one);
    expect(cached.prepare("select 2")).not.toBe(two);
  });

  it("a kept statement sees the schema as it is now (a migration in between)", () => {
    const db = database();
    const cached = withStatementCache(db);
    expect(cached.prepare("select * from t where id = ?").all([1])).toEqual([{ id: 1, name: "a" }]);
    db.exec("alter table t add column code text default 'x'");
    expect(cached.prepare("select * from t where id = ?").all([1])).toEqual([{ id: 1, name: "a", code: "x" }]);
  });

  it("serves Kysely: queries, writes and transactions answer as without it, and close closes the database", async () => {
    const db = database();
    const kysely = new Kysely<{ t: { id: Generated<number>; name: string } }>({
      dialect: new SqliteDialect({ database: withStatementCache(db) }),
    });
    for (let i = 0; i < 3; i++) {
      await kysely.transaction().execute(async (trx) => {
        await trx
          .insertInto("t")
          .values({ name: `n${i}` })
          .execute();
      });
    }
    const names = await kysely.selectFrom("t").select("name").orderBy("id").execute();
    expect(names.map((r) => r.name)).toEqual(["a", "b", "c", "n0", "n1", "n2"]);
    const streamed: string[] = [];
    for await (const row of kysely.selectFrom("t").select("name").orderBy("id").stream()) streamed.push(row.name);
    // The same SQL again once the stream is done: the kept statement, no longer busy.
    expect(await kysely.selectFrom("t").select("name").orderBy("id").execute()).toHaveLength(6);
    expect(streamed).toHaveLength(6);
    expect((await sql<{ n: number }>`select count(*) as n from t`.execute(kysely)).rows[0]?.n).toBe(6);
    await kysely.destroy();
    expect(db.open).toBe(false);
  });
});
