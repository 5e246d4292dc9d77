// npm run db:backup [-- --out FILE]: a consistent copy of the SQLite database, safe while the app runs.
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import SQLite from "better-sqlite3";
import { parseDatabaseUrl } from "../db";
import { ConfigError, loadConfig } from "../server/config";

let out: string | undefined;
try {
  ({
    values: { out },
  } = parseArgs({ options: { out: { type: "string" } }, strict: true }));
} catch (error) {
  console.error(`${(error as Error).message}\nusage: npm run db:backup [-- --out FILE]`);
  process.exit(1);
}

let databaseUrl: string;
try {
  databaseUrl = loadConfig().databaseUrl;
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
const target = parseDatabaseUrl(databaseUrl);
if (target.dialect !== "sqlite") {
  console.error("db:backup backs up SQLite. For PostgreSQL use pg_dump (see docs/operations.md).");
  process.exit(1);
}
if (!fs.existsSync(target.file)) {
  console.error(`no database at ${target.file}`);
  process.exit(1);
}

const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
const file = path.resolve(out ?? path.join(path.dirname(target.file), "backups", `member-order-${stamp}.sqlite`));
fs.mkdirSync(path.dirname(file), { recursive: true });
if (fs.existsSync(file)) {
  console.error(`${file} exists already`);
  process.exit(1);
}

// SQLite's online backup API: a consistent snapshot even while the server writes.
const db = new SQLite(target.file, { fileMustExist: true });
db.pragma("busy_timeout = 5000");
await db.backup(file);
db.close();

// Without the pepper no password verifies: keep it with the backup (same permissions).
const pepper = path.join(path.dirname(path.resolve(target.file)), ".pepper");
if (fs.existsSync(pepper)) fs.copyFileSync(pepper, `${file}.pepper`);
fs.chmodSync(file, 0o600);
console.log(`backup written: ${file}${fs.existsSync(`${file}.pepper`) ? ` (+ ${path.basename(file)}.pepper)` : ""}`);
