import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  type KyselyConfig,
  type Kysely as KyselyType,
  type LimitNode,
  type MigrationProvider,
  type MigrationResultSet,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
  SqliteQueryCompiler,
  type SqliteStatement,
  sql,
  ValueNode,
} from "kysely";
import pg from "pg";
import { type Checkpointer, type CheckpointResult, startCheckpointer } from "./checkpointer";
import { migrations } from "./migrations";
import type { Database } from "./schema";

export type { Database } from "./schema";
export type DB = KyselyType<Database>;

export type Dialect = "sqlite" | "postgres";
export type DatabaseTarget = { dialect: "sqlite"; file: string } | { dialect: "postgres"; url: string };

/** `file:PATH` → SQLite at PATH (relative to the working directory); `postgres://…` → PostgreSQL. */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith("file:")) {
    const file = url.slice("file:".length);
    if (!file) throw new Error("DATABASE_URL: file: needs a path, e.g. file:./data/app.sqlite");
    return { dialect: "sqlite", file };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { dialect: "postgres", url };
  throw new Error(`DATABASE_URL: unsupported scheme in "${redactUrl(url)}" (use file:PATH or postgres://…)`);
}

/** A URL fit for logs: no password. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

export interface DbOptions {
  /** PostgreSQL pool size per process. */
  poolSize?: number;
  /**
   * Told of every statement that took at least `slowQueryMs` (0 or unset: never). better-sqlite3 runs each
   * statement on the event loop, so a slow one stalls every request of the process: operators should see it.
   * On SQLite the time is the statement's own (the synchronous call into SQLite, timed around it); on
   * PostgreSQL it is Kysely's, from sending the statement to reading its answer.
   */
  slowQueryMs?: number;
  onSlowQuery?: (slow: SlowQuery) => void;
  /**
   * SQLite: checkpoint the WAL in a thread of its own (db/checkpointer.ts) instead of inside the commit that
   * fills it, which holds the event loop for 5–13 ms. The server and the scripts do; tests need not.
   */
  checkpointInBackground?: boolean;
  /** Told of each background checkpoint that found frames in the WAL. */
  onCheckpoint?: (result: CheckpointResult) => void;
  /**
   * With `checkpointInBackground`: the size (bytes) past which the checkpointer empties a WAL that a burst of
   * writes grew, once no write came for a few of its passes (db/checkpointer.ts). Default 64 MB.
   */
  walSizeLimit?: number;
}

export interface SlowQuery {
  /** The statement's SQL with its placeholders: the values (which may be personal data) are not included. */
  sql: string;
  ms: number;
}

/**
 * `DbOptions.slowQueryMs` as one function for both dialects: given a statement's SQL and its time, it reports
 * the statement when the time is at or over the limit. Undefined when slow statements are not logged.
 */
function slowQueryReporter(options: DbOptions): ((sqlText: string, ms: number) => void) | undefined {
  const limit = options.slowQueryMs ?? 0;
  const report = options.onSlowQuery;
  if (!limit || !report) return undefined;
  return (sqlText, ms) => {
    if (ms >= limit) report({ sql: sqlText.replace(/\s+/g, " ").trim(), ms: Math.round(ms) });
  };
}

/** Kysely's log hook for `DbOptions.slowQueryMs`, on PostgreSQL (SQLite times its statements itself). */
function slowQueryLog(options: DbOptions): KyselyConfig["log"] {
  const reporter = slowQueryReporter(options);
  return reporter && ((event) => reporter(event.query.sql, event.queryDurationMillis));
}

/**
 * How long a statement waits for a lock another connection holds before it fails (SQLite's busy_timeout,
 * PostgreSQL's lock_timeout): a request that needs a lock held elsewhere answers with an error, never hangs.
 */
export const LOCK_WAIT_MS = 5000;

/**
 * The pool as Kysely is handed it: its clients run a statement in pg's callback form. Kysely calls
 * `client.query(sql, parameters)`, which returns a promise pg makes for the query; with it, every row the query
 * read outlived the next young-generation collection and was moved to the old generation, to be freed only by a
 * full collection (a 100,000-row CSV download grew the heap by 44 MB that way, and the server's RSS by 60–70 MB;
 * the same statements in the callback form leave nothing behind: docs/benchmarks.md). The answer is the same.
 */
function withCallbackQueries(pool: pg.Pool): PostgresPool {
  const clients = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapped = clients.get(client);
    if (!wrapped) {
      wrapped = {
        // Always a statement and its parameters: Kysely passes a cursor only to a dialect given one (not this one).
        query: ((statement: string, parameters: readonly unknown[]) =>
          new Promise<pg.QueryResult>((resolve, reject) => {
            client.query(statement, parameters as unknown[], (error: Error | undefined, result: pg.QueryResult) =>
              error ? reject(error) : resolve(result),
            );
          })) as unknown as PostgresPoolClient["query"],
        release: (destroy?: boolean) => client.release(destroy),
      };
      clients.set(client, wrapped);
    }
    return wrapped;
  };
  return { connect: async () => wrap(await pool.connect()), end: () => pool.end() };
}

export function createDb(url: string, options: DbOptions = {}): DB {
  const target = parseDatabaseUrl(url);
  if (target.dialect === "postgres") {
    // Kysely's migration lock sets its own, longer lock_timeout for the statement that waits for it.
    const pool = new pg.Pool({ connectionString: target.url, max: options.poolSize ?? 10, lock_timeout: LOCK_WAIT_MS });
    // An idle client losing its server (restart, failover) must not crash the process.
    pool.on("error", (error) => console.error(`postgres pool: ${error.message}`));
    return new Kysely<Database>({
      dialect: new PostgresDialect({ pool: withCallbackQueries(pool) }),
      log: slowQueryLog(options),
    });
  }
  if (target.file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(target.file)), { recursive: true });
  const sqlite = new SQLite(target.file, { timeout: LOCK_WAIT_MS });
  retryWhileBusy(() => sqlite.pragma("journal_mode = WAL"), LOCK_WAIT_MS);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("synchronous = NORMAL");
  let checkpointer: Checkpointer | null = null;
  if (options.checkpointInBackground && target.file !== ":memory:") {
    sqlite.pragma("wal_autocheckpoint = 0");
    // Never truncate the WAL in the app's commits: the first commit after a burst would shrink a file of
    // hundreds of MB, 35–85 ms on the event loop (decision 021). The checkpointer empties it once writes pause.
    sqlite.pragma("journal_size_limit = -1");
    const walSizeLimit = options.walSizeLimit ?? WAL_SIZE_LIMIT;
    checkpointer = startCheckpointer(path.resolve(target.file), {
      lockWaitMs: LOCK_WAIT_MS,
      walSizeLimit,
      onCheckpoint: options.onCheckpoint,
      onFailure: (error) => {
        // Checkpoint in the commits again, as SQLite does by default: the WAL must not grow without end.
        if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
        if (sqlite.open) sqlite.pragma(`journal_size_limit = ${walSizeLimit}`);
        console.error(`sqlite checkpointer: ${error.message}; the app's connection checkpoints from now on`);
      },
    });
  }
  // Not Kysely's log hook: it times from before the statement to the `await` after it, and that await resumes
  // only after every task already queued on the event loop (other requests' rendering, on a busy server), so
  // a statement of 0.01 ms could be reported at 8 ms. The statement's own time is what holds the loop.
  const timed = slowQueryReporter(options);
  return new Kysely<Database>({
    dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite, STATEMENT_CACHE_SIZE, timed) }, () =>
      checkpointer?.stop(),
    ),
  });
}

/** SQLite's default: a commit that takes the WAL past this many pages checkpoints it. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;
/** The WAL file's size (bytes) past which it is emptied once writes pause (`DbOptions.walSizeLimit`). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;

/**
 * Runs `action` again while SQLite answers SQLITE_BUSY, for up to `waitMs`. Needed where SQLite's busy timeout
 * does not apply: turning a new database file into WAL mode reads it, then upgrades to a write, and SQLite
 * fails such an upgrade at once (without waiting) when another connection is doing the same, e.g. two
 * instances starting together on an empty database. A synchronous wait: it runs only while opening.
 */
export function retryWhileBusy<T>(action: () => T, waitMs: number, pauseMs = 10): T {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return action();
    } catch (error) {
      if ((error as { code?: unknown }).code !== "SQLITE_BUSY" || Date.now() >= deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
    }
  }
}

/** How many prepared statements a SQLite connection keeps for reuse (the app runs about 200 distinct ones). */
export const STATEMENT_CACHE_SIZE = 500;

/**
 * better-sqlite3 as Kysely uses it, keeping each statement it prepared for the next query of the same SQL:
 * Kysely prepares every query afresh, and preparing (parsing and planning the SQL) cost about as much as
 * running the app's small indexed queries (docs/benchmarks.md). The least recently used statement goes
 * beyond `size`. A statement still being iterated (a streamed query) is never handed out twice: a second
 * user of the same SQL meanwhile gets a statement of its own. SQLite re-prepares a kept statement by itself
 * when the schema changes (a migration). A read's rows are built as described at `rowsBuiltInJs`. With `timed`,
 * each statement handed out tells it the time of each of its calls into SQLite (timedStatement).
 */
export function withStatementCache(
  db: SQLite.Database,
  size = STATEMENT_CACHE_SIZE,
  timed?: (sqlText: string, ms: number) => void,
): SqliteDatabase {
  const kept = new Map<string, { statement: SQLite.Statement; handed: SqliteStatement }>();
  const hand = (prepared: SQLite.Statement, sqlText: string) => {
    const statement = rowsBuiltInJs(prepared, sqlText);
    return timed ? timedStatement(statement, sqlText, timed) : statement;
  };
  return {
    prepare(sqlText) {
      const entry = kept.get(sqlText);
      if (entry && !(entry.statement as SQLite.Statement & { busy: boolean }).busy) {
        // Most recently used last: the map's first key is the one to drop.
        kept.delete(sqlText);
        kept.set(sqlText, entry);
        return entry.handed;
      }
      const fresh = db.prepare(sqlText);
      const handed = hand(fresh, sqlText);
      if (!entry) {
        kept.set(sqlText, { statement: fresh, handed });
        if (kept.size > size) kept.delete(kept.keys().next().value as string);
      }
      return handed;
    },
    close() {
      kept.clear();
      db.close();
    },
  };
}

/** A row as an array (better-sqlite3's raw mode) → the object Kysely expects, for one list of column names. */
type RowBuilder = (row: unknown[]) => Record<string, unknown>;
const rowBuilders = new Map<string, RowBuilder>();

/**
 * The builder for a list of column names: a function whose body is an object literal of those names, made once
 * per list, so that each builds its rows with one fixed shape (an object literal of 10 properties in about 15 ns;
 * better-sqlite3 sets each property through V8's API, about 90 ns each). Each name is written as a JSON string, so
 * no name can be anything but a key; later duplicates win, as in better-sqlite3's objects.
 */
function rowBuilderFor(names: string[]): RowBuilder {
  const key = names.join("\u0000");
  let build = rowBuilders.get(key);
  if (!build) {
    const properties = names.map((name, i) => `${JSON.stringify(name)}: row[${i}]`);
    build = new Function("row", `return { ${properties.join(", ")} };`) as RowBuilder;
    rowBuilders.set(key, build);
  }
  return build;
}

/**
 * A statement that reads rows, answering with objects built in JavaScript from better-sqlite3's arrays: the same
 * objects in about a third less time (40 lines of レンタル中の注文: 0.10 ms → 0.065; docs/benchmarks.md). The
 * names are the statement's columns when it was prepared, so only SQL without a `*` is read this way: each of its
 * columns is named by the SQL itself, which a later migration cannot change without SQLite refusing the
 * statement; `select *` after a migration may answer other columns, so it keeps better-sqlite3's objects. A name
 * `__proto__` (which better-sqlite3 sets as a prototype, not a key) keeps them too, so the rows stay the same.
 * Anything else (a write) is the statement as it was.
 */
function rowsBuiltInJs(statement: SQLite.Statement, sqlText: string): SqliteStatement {
  if (!statement.reader || sqlText.includes("*")) return statement;
  const names = statement.columns().map((c) => c.name);
  if (names.includes("__proto__")) return statement;
  const build = rowBuilderFor(names);
  statement.raw(true);
  return {
    reader: true,
    all(parameters) {
      const rows = statement.all(parameters) as unknown[];
      for (let i = 0; i < rows.length; i++) rows[i] = build(rows[i] as unknown[]);
      return rows;
    },
    run(parameters) {
      return statement.run(parameters);
    },
    *iterate(parameters) {
      const rows = statement.iterate(parameters) as IterableIterator<unknown[]>;
      try {
        for (;;) {
          const step = rows.next();
          if (step.done) return;
          yield build(step.value);
        }
      } finally {
        rows.return?.();
      }
    },
  };
}

/**
 * A statement that tells `timed` the time of each call into SQLite (`all`, `run`, each step of `iterate`): the
 * time the event loop was held by it, nothing else. Its SQL only, never its values.
 */
function timedStatement(
  statement: SqliteStatement,
  sqlText: string,
  timed: (sqlText: string, ms: number) => void,
): SqliteStatement {
  const check = (started: number) => timed(sqlText, performance.now() - started);
  return {
    reader: statement.reader,
    all(parameters) {
      const started = performance.now();
      try {
        return statement.all(parameters);
      } finally {
        check(started);
      }
    },
    run(parameters) {
      const started = performance.now();
      try {
        return statement.run(parameters);
      } finally {
        check(started);
      }
    },
    *iterate(parameters) {
      let started = performance.now();
      const rows = statement.iterate(parameters);
      try {
        for (;;) {
          const step = rows.next();
          check(started);
          if (step.done) return;
          yield step.value;
          started = performance.now();
        }
      } finally {
        rows.return?.();
      }
    },
  };
}

/**
 * SQLite transactions that take the write lock up front (BEGIN IMMEDIATE). A deferred transaction
 * that reads and then writes fails at once with "database is locked" when another process (the admin
 * CLI beside the server, a second instance) wrote in between; an immediate one waits its turn
 * (busy_timeout) instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    config: ConstructorParameters<typeof SqliteDriver>[0],
    private readonly onDestroy?: () => Promise<void> | undefined,
  ) {
    super(config);
  }
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
  /** Closes the connection, then stops what runs beside it (the checkpointer). */
  override async destroy(): Promise<void> {
    await super.destroy();
    await this.onDestroy?.();
  }
}

/**
 * SQLite's query compiler, writing a LIMIT's number into the SQL instead of binding it as a parameter. SQLite
 * plans with a LIMIT's value when it knows it: for a bound LIMIT it marks the statement to be prepared again
 * whenever that parameter is bound, which better-sqlite3 does at every call. Each run of such a statement
 * then parsed and planned its SQL again, inside `step`, and the statement cache (withStatementCache) saved
 * nothing for it (docs/benchmarks.md, decision 019). With the number in the SQL the statement is prepared
 * once per distinct limit (the app uses a handful: page sizes, "first N").
 */
class SqliteCompiler extends SqliteQueryCompiler {
  protected override visitLimit(node: LimitNode): void {
    if (ValueNode.is(node.limit) && Number.isSafeInteger(node.limit.value)) {
      this.append(`limit ${node.limit.value as number}`);
      return;
    }
    super.visitLimit(node);
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    private readonly sqliteConfig: ConstructorParameters<typeof SqliteDialect>[0],
    private readonly onDestroy?: () => Promise<void> | undefined,
  ) {
    super(sqliteConfig);
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.sqliteConfig, this.onDestroy);
  }
  override createQueryCompiler(): SqliteCompiler {
    return new SqliteCompiler();
  }
}

/** Which SQL dialect a Kysely instance (or a transaction of it) speaks. */
export function dialectOf(db: { getExecutor(): { adapter: unknown } }): Dialect {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

class CodeMigrationProvider implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

/**
 * Applies pending migrations under a lock, so instances starting together do not race:
 * PostgreSQL takes Kysely's advisory lock and runs them in a transaction; SQLite holds a write
 * lock (BEGIN IMMEDIATE) on its single connection, so another process waits for it.
 */
export async function migrateToLatest(db: DB): Promise<MigrationResultSet> {
  const result =
    dialectOf(db) === "postgres"
      ? await (await migratorFor(db)).migrateToLatest()
      : await db.connection().execute(async (conn) => {
          await sql`begin immediate`.execute(conn);
          try {
            const r = await (await migratorFor(conn)).migrateToLatest();
            await sql.raw(r.error ? "rollback" : "commit").execute(conn);
            return r;
          } catch (error) {
            await sql`rollback`.execute(conn).catch(() => undefined);
            throw error;
          }
        });
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error");
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed?.migrationName ?? "?"} failed: ${reason}`);
  }
  return result;
}

/**
 * A Migrator over the app's migrations. On PostgreSQL it names the current schema (the search_path's) for its
 * bookkeeping tables: Kysely looks for them in every schema unless told which, and databases that share a server
 * by schema must never see each other's. Tests use it to migrate to a given version and back.
 */
export async function migratorFor(db: DB): Promise<Migrator> {
  return new Migrator({
    db,
    provider: new CodeMigrationProvider(),
    migrationTableSchema: dialectOf(db) === "postgres" ? await currentSchema(db) : undefined,
  });
}

async function currentSchema(db: DB): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error("PostgreSQL: no current schema (check search_path)");
  return schema;
}

/** Whether an error is a unique-constraint violation, on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "23505" || /UNIQUE constraint/.test(e.message ?? "");
}

/** Cheap round trip used by /healthz. */
export async function pingDb(db: DB): Promise<void> {
  await sql`select 1`.execute(db);
}

/**
 * Serialises writers on one account inside a transaction (limits such as "10 users per account"):
 * PostgreSQL locks the account row; SQLite has one writer at a time already.
 */
export async function lockAccount(trx: DB, accountId: string): Promise<void> {
  if (dialectOf(trx) === "postgres") {
    await trx.selectFrom("accounts").select("id").where("id", "=", accountId).forUpdate().execute();
  }
}
