import { createDb, type DB, migrateToLatest } from "../db";
import { buildDeps } from "../server/app-deps";
import { type Config, ConfigError, loadConfig } from "../server/config";
import { systemClock } from "../server/lib/clock";
import { MailRenderer } from "../server/mail/render";
import { resolvePepper } from "../server/secrets";
import type { ServiceDeps } from "../server/services/deps";

/** Config, migrated database and services for the command-line scripts; exits 1 on bad config. */
export async function cliRuntime(): Promise<{ config: Config; db: DB; deps: ServiceDeps }> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const db = createDb(config.databaseUrl);
  await migrateToLatest(db);
  const renderer = await MailRenderer.compile(config.site);
  return { config, db, deps: buildDeps(config, db, renderer, resolvePepper(config), systemClock) };
}
