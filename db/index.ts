import fs from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, type MigrationProvider, type MigrationResultSet, Migrator, SqliteDialect } from "kysely";
import { migrations } from "./migrations";
import type { Database } from "./schema";

export type { Database } from "./schema";
export type DB = Kysely<Database>;

export type DatabaseTarget = { dialect: "sqlite"; file: string };

/** `file:PATH` → SQLite at PATH (relative to the working directory). */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith("file:")) {
    const file = url.slice("file:".length);
    if (!file) throw new Error("DATABASE_URL: file: needs a path, e.g. file:./data/app.sqlite");
    return { dialect: "sqlite", file };
  }
  throw new Error(`DATABASE_URL: unsupported scheme in "${url.replace(/\/\/[^@]*@/, "//***@")}" (use file:PATH)`);
}

export function createDb(url: string): DB {
  const target = parseDatabaseUrl(url);
  if (target.file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(target.file)), { recursive: true });
  const sqlite = new SQLite(target.file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  sqlite.pragma("synchronous = NORMAL");
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

class CodeMigrationProvider implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

export async function migrateToLatest(db: DB): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: new CodeMigrationProvider() });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === "Error");
    const reason = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed?.migrationName ?? "?"} failed: ${reason}`);
  }
  return result;
}

/** Cheap round trip used by /healthz. */
export async function pingDb(db: DB): Promise<void> {
  await db.selectFrom("accounts").select("id").limit(1).execute();
}
