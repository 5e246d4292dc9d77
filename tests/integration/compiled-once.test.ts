import { CamelCasePlugin, sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, type DB } from "../../db";
import { compiledForList, compiledOnce, compiledPerShape, MAX_SHAPES } from "../../db/compiled-once";
import { partialIndexLiterals, refusingRepreparation } from "../support/reprepare";
import { freshDatabase, TEST_DIALECT, type TestDatabase } from "../support/test-db";

/**
 * Queries Kysely builds and compiles once per database (db/compiled-once.ts): the same rows as the builder
 * for every call's values, on SQLite and on PostgreSQL.
 */
describe("compiledOnce", () => {
  const opened: { db: DB; database: TestDatabase }[] = [];
  afterEach(async () => {
    for (const { db, database } of opened.splice(0)) {
      await db.destroy();
      await database.drop();
    }
  });

  /** A database with a table `users` (the schema's type, so the builders type-check) of five rows. */
  async function database(): Promise<DB> {
    const testDatabase = await freshDatabase();
    const db = createDb(testDatabase.url);
    opened.push({ db, database: testDatabase });
    await db.schema
      .createTable("users")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("account_id", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .execute();
    await sql`insert into users (id, account_id, name, status) values
      ('u1', 'a1', '山田', 'active'), ('u2', 'a1', '佐藤', 'active'), ('u3', 'a1', '鈴木', 'pending'),
      ('u4', 'a2', '田中', 'active'), ('u5', 'a2', '高橋', 'active')`.execute(db);
    return db;
  }

  /** The database with a plugin that writes down the SQL of every statement it is shown. */
  function watching(db: DB): { watched: DB; seen: string[] } {
    const seen: string[] = [];
    const watched = db.withPlugin({
      transformQuery: ({ node, queryId }) => {
        seen.push(db.getExecutor().compileQuery(node, queryId).sql);
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    return { watched, seen };
  }

  function counted<A extends unknown[], R>(build: (db: DB, ...args: A) => import("kysely").Compilable<R>) {
    const calls = { builds: 0 };
    const query = compiledOnce((db: DB, ...args: A) => {
      calls.builds++;
      return build(db, ...args);
    });
    return { query, calls };
  }

  const activeOf = (db: DB, accountId: string, limit: number) =>
    db
      .selectFrom("users")
      .select(["id", "name"])
      .where("account_id", "=", accountId)
      .where("status", "=", "active")
      .orderBy("id")
      .limit(limit);

  it("answers every call as the builder does, with that call's values, and builds once", async () => {
    const db = await database();
    const { query, calls } = counted(activeOf);
    for (const [accountId, limit] of [
      ["a1", 5],
      ["a2", 1],
      ["a1", 1],
      ["nobody", 3],
      ["a2", 10],
    ] as const) {
      expect(await query.all(db, accountId, limit)).toEqual(await activeOf(db, accountId, limit).execute());
    }
    expect(await query.all(db, "a1", 5)).toEqual([
      { id: "u1", name: "山田" },
      { id: "u2", name: "佐藤" },
    ]);
    expect(await query.first(db, "a2", 5)).toEqual({ id: "u4", name: "田中" });
    expect(await query.first(db, "nobody", 5)).toBeUndefined();
    expect(calls.builds).toBe(1);
  });

  it("keeps the values the builder wrote itself (here the status and a literal)", async () => {
    const db = await database();
    const query = compiledOnce((db: DB, accountId: string) =>
      db
        .selectFrom("users")
        .select("id")
        .where("account_id", "=", accountId)
        .where("status", "=", "pending")
        .where("name", "!=", sql.lit("誰か")),
    );
    expect(await query.all(db, "a1")).toEqual([{ id: "u3" }]);
    expect(await query.all(db, "a2")).toEqual([]);
  });

  it("runs inside a transaction on the transaction's connection, with the database's compiled query", async () => {
    const db = await database();
    const { query, calls } = counted((db: DB, id: string) =>
      db.selectFrom("users").select("name").where("id", "=", id),
    );
    expect(await query.first(db, "u1")).toEqual({ name: "山田" });
    await db.transaction().execute(async (trx) => {
      await trx.updateTable("users").set({ name: "山田太郎" }).where("id", "=", "u1").execute();
      // The transaction's own write is visible: the query ran on its connection.
      expect(await query.first(trx, "u1")).toEqual({ name: "山田太郎" });
    });
    expect(calls.builds).toBe(1);
  });

  it("compiles once for each database, each answering from its own data", async () => {
    const one = await database();
    const two = await database();
    await two.updateTable("users").set({ name: "別人" }).where("id", "=", "u4").execute();
    const { query, calls } = counted((db: DB, id: string) =>
      db.selectFrom("users").select("name").where("id", "=", id),
    );
    expect(await query.first(one, "u4")).toEqual({ name: "田中" });
    expect(await query.first(two, "u4")).toEqual({ name: "別人" });
    expect(await query.first(one, "u5")).toEqual({ name: "高橋" });
    expect(calls.builds).toBe(2);
  });

  it("compiles once for each list of plugins, whose rewriting of the query and of its rows holds", async () => {
    const db = await database();
    const { watched: checked, seen } = watching(db);
    const camel = checked.withPlugin(new CamelCasePlugin()) as unknown as DB;
    const { query, calls } = counted((db: DB, id: string) =>
      db.selectFrom("users").select(["id", "account_id"]).where("id", "=", id),
    );
    expect(await query.first(camel, "u1")).toEqual({ id: "u1", accountId: "a1" });
    expect(await query.first(camel, "u4")).toEqual({ id: "u4", accountId: "a2" });
    await camel.transaction().execute(async (trx) => {
      expect(await query.first(trx, "u5")).toEqual({ id: "u5", accountId: "a2" });
    });
    expect(await query.first(db, "u4")).toEqual({ id: "u4", account_id: "a2" });
    expect(await query.first(checked, "u5")).toEqual({ id: "u5", account_id: "a2" });
    expect(calls.builds).toBe(3);
    // The watching plugin saw every run on the two databases it is part of (compiled once for each).
    expect(seen).toHaveLength(4);
    expect(seen.every((s) => s.includes('"users"'))).toBe(true);
  });

  it("refuses a builder that uses an argument other than as a value of the query", async () => {
    const db = await database();
    const inText = compiledOnce((db: DB, name: string) =>
      db.selectFrom("users").select("id").where("name", "=", sql.lit(name)),
    );
    await expect(inText.all(db, "山田")).rejects.toThrow(/written into the SQL text/);
    const inValue = compiledOnce((db: DB, word: string) =>
      db.selectFrom("users").select("id").where("name", "like", `%${word}%`),
    );
    await expect(inValue.all(db, "山")).rejects.toThrow(/part of another value/);
    const unused = compiledOnce((db: DB, accountId: string, status: string) =>
      db
        .selectFrom("users")
        .select("id")
        .where("account_id", "=", accountId)
        .$if(status === "active", (q) => q.where("status", "=", "active")),
    );
    await expect(unused.all(db, "a1", "active")).rejects.toThrow(/argument 2 is not a parameter/);
  });

  it("refuses a call with another number of arguments than it was compiled with", async () => {
    const db = await database();
    const query = compiledOnce((db: DB, id: string, other?: string) =>
      db
        .selectFrom("users")
        .select("id")
        .where("id", "in", [id, other ?? id])
        .orderBy("id"),
    );
    expect(await query.all(db, "u1", "u2")).toEqual([{ id: "u1" }, { id: "u2" }]);
    await expect(query.all(db, "u1")).rejects.toThrow(/called with 1 arguments, compiled with 2/);
  });

  it("compiles each shape (here the LIMIT) once, and refuses to keep compiling new shapes", async () => {
    const db = await database();
    const { watched: recorded, seen } = watching(db);
    const shapes = { builds: [] as number[] };
    const firstOf = compiledPerShape((limit: number) => (db: DB, accountId: string) => {
      shapes.builds.push(limit);
      return activeOf(db, accountId, limit);
    });
    expect(await firstOf(1).all(recorded, "a1")).toEqual([{ id: "u1", name: "山田" }]);
    expect(await firstOf(2).all(recorded, "a1")).toHaveLength(2);
    expect(await firstOf(1).all(recorded, "a2")).toEqual([{ id: "u4", name: "田中" }]);
    expect(await firstOf(2).all(recorded, "a2")).toHaveLength(2);
    expect(shapes.builds).toEqual([1, 2]);
    expect(seen).toHaveLength(4);
    if (TEST_DIALECT === "sqlite") expect(seen.map((s) => / limit (\d+)$/.exec(s)?.[1])).toEqual(["1", "2", "1", "2"]);
    for (let limit = 3; limit <= MAX_SHAPES; limit++) await firstOf(limit).all(db, "a1");
    expect(() => firstOf(MAX_SHAPES + 1)).toThrow(/more than 32 shapes/);
    expect(await firstOf(5).all(db, "a2")).toHaveLength(2);
  });

  it.runIf(TEST_DIALECT === "sqlite")(
    "a LIMIT given as an argument is bound, which the tests' check refuses; as a shape it is written into the SQL",
    async () => {
      const db = await database();
      const checked = refusingRepreparation(db, await partialIndexLiterals(db));
      const bound = compiledOnce((db: DB, accountId: string, limit: number) => activeOf(db, accountId, limit));
      await expect(bound.all(checked, "a1", 5)).rejects.toThrow(/a LIMIT bound as a parameter/);
      const shaped = compiledPerShape((limit: number) => (db: DB, accountId: string) => activeOf(db, accountId, limit));
      expect(await shaped(5).all(checked, "a1")).toHaveLength(2);
    },
  );

  it("compiles a query over an in list once per length of the list, and a list longer than MAX_SHAPES at each call", async () => {
    const db = await database();
    const { watched, seen } = watching(db);
    const lengths: number[] = [];
    const byIds = (db: DB, ids: readonly string[]) =>
      db.selectFrom("users").select(["id", "name"]).where("id", "in", ids).orderBy("id");
    const query = compiledForList((db: DB, ids: readonly string[]) => {
      lengths.push(ids.length);
      return byIds(db, ids);
    });
    const ids = ["u1", "u2", "u3", "u4", "u5"];
    for (const list of [["u2"], ["u5"], ["u4", "u1"], ["u3", "nobody"], ids, ["u5", "u4", "u3", "u2", "u1"]]) {
      expect(await query.all(watched, list)).toEqual(await byIds(db, list).execute());
    }
    expect(await query.all(watched, ["u3"])).toEqual([{ id: "u3", name: "鈴木" }]);
    // Lengths 1, 2 and 5 compiled once each; every run was a statement the plugin saw.
    expect(lengths).toEqual([1, 2, 5]);
    expect(seen).toHaveLength(7);
    // An empty list: no rows, no statement.
    expect(await query.all(watched, [])).toEqual([]);
    expect(seen).toHaveLength(7);
    // Longer than MAX_SHAPES (a download's chunk): built at each call, same rows, never the shape limit's error.
    const long = Array.from({ length: MAX_SHAPES + 8 }, (_, i) => (i < 5 ? (ids[i] as string) : `none${i}`));
    expect(await query.all(watched, long)).toHaveLength(5);
    expect(await query.all(watched, long.reverse())).toHaveLength(5);
    expect(lengths).toEqual([1, 2, 5, MAX_SHAPES + 8, MAX_SHAPES + 8]);
    for (let n = 1; n <= MAX_SHAPES; n++) expect(await query.all(db, long.slice(0, n))).toBeInstanceOf(Array);
  });
});
