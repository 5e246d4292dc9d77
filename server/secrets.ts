import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "./config";

/**
 * The pepper is given by PEPPER in production. On a one-box install without it, one is made at
 * first start and kept beside the SQLite file (mode 0600), so `npm start` works with no set-up and
 * the secret survives restarts. It must be backed up with the database: without it no password
 * verifies. See docs/decisions/002-configuration-modes.md.
 */
export function resolvePepper(config: Config): string {
  if (config.pepper) return config.pepper;
  // loadConfig requires PEPPER with PostgreSQL, so here the database is a SQLite file.
  const sqliteFile = config.databaseUrl.slice("file:".length);
  const file = path.resolve(path.dirname(path.resolve(sqliteFile)), ".pepper");
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fs.writeFileSync(file, `${randomBytes(32).toString("base64url")}\n`, { mode: 0o600, flag: "wx" });
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return fs.readFileSync(file, "utf8").trim();
}
