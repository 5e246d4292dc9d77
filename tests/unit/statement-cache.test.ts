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

  describe("a read's rows, built in JavaScript from better-sqlite3's arrays", () => {
    function typed() {
      const db = database();
      db.exec("create table v (id integer primary key, n integer, r real, s text, b blob, z text)");
      db.exec("insert into v (n, r, s, b, z) values (1, 1.5, '山田', x'00ff', null), (-7, 0, '', x'', 'x')");
      return db;
    }
    /** What better-sqlite3 answers itself (a statement prepared outside the cache). */
    const plain = (db: SQLite.Database, sqlText: string, parameters: unknown[] = []) =>
      db.prepare(sqlText).all(...parameters);

    it.each([
      ["every type, nulls included", 'select "id", "n", "r", "s", "b", "z" from v order by id', []],
      ["expressions and aliases", 'select n + 1 as "next", upper(s) as "S", length(b) from v where id > ?', [0]],
      ["the same name twice: the last wins", 'select n as "x", s as "x" from v order by id', []],
      ["names that are no identifiers", 'select n as "a b", s as """q""", r as "値", id as "constructor" from v', []],
      ["a join of two tables with an id each", "select v.id, t.id, t.name from v join t on t.id = v.id", []],
      ["no rows", 'select "id" from v where id < 0', []],
    ])("%s: the same objects as better-sqlite3's", (_, sqlText, parameters) => {
      const db = typed();
      const cached = withStatementCache(db);
      const handed = cached.prepare(sqlText);
      // Read through the builder, not better-sqlite3's own statement (which has `raw`).
      expect("raw" in handed).toBe(false);
      const rows = handed.all(parameters);
      expect(rows).toEqual(plain(db, sqlText, parameters));
      // And again from the kept statement (its builder reused).
      expect(cached.prepare(sqlText).all(parameters)).toEqual(rows);
      const streamed = [...cached.prepare(sqlText).iterate(parameters)];
      expect(streamed).toEqual(rows);
    });

    it("a name __proto__ keeps better-sqlite3's own objects (an object literal would not make it a key)", () => {
      const db = typed();
      const sqlText = 'select n as "__proto__", s from v order by id';
      const rows = withStatementCache(db).prepare(sqlText).all([]) as Record<string, unknown>[];
      const theirs = plain(db, sqlText) as Record<string, unknown>[];
      expect(rows).toEqual(theirs);
      expect(rows.map((r) => Object.keys(r))).toEqual(theirs.map((r) => Object.keys(r)));
    });

    it("select * answers the columns there are now, after a migration renamed one (objects, not the names it had)", () => {
      const db = typed();
      const cached = withStatementCache(db);
      const named = cached.prepare('select "name" from t where id = ?');
      expect(named.all([1])).toEqual([{ name: "a" }]);
      expect(cached.prepare("select * from t where id = ?").all([1])).toEqual([{ id: 1, name: "a" }]);
      db.exec("alter table t rename column name to label");
      expect(cached.prepare("select * from t where id = ?").all([1])).toEqual([{ id: 1, label: "a" }]);
      // A kept statement naming the old column is refused, never answered under the old name.
      expect(() => named.all([1])).toThrow(/no such column/);
    });

    it("writes answer as before; a write that returns rows returns objects", () => {
      const db = typed();
      const cached = withStatementCache(db);
      const insert = cached.prepare("insert into v (n, s) values (?, ?)");
      expect(insert.reader).toBe(false);
      expect(insert.run([5, "w"]).changes).toBe(1);
      const returning = cached.prepare('update v set n = n + 1 where s = ? returning "id", "n"');
      expect(returning.reader).toBe(true);
      expect(returning.all(["w"])).toEqual([{ id: 3, n: 6 }]);
    });
  });
});
