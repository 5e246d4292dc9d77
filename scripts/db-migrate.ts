// npm run db:migrate — applies every pending migration to DATABASE_URL.
import { createDb, migrateToLatest } from "../db";
import { ConfigError, loadConfig } from "../server/config";

try {
  const config = loadConfig();
  const db = createDb(config.databaseUrl);
  const result = await migrateToLatest(db);
  const applied = result.results?.filter((r) => r.status === "Success").map((r) => r.migrationName) ?? [];
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
  await db.destroy();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`);
  process.exit(1);
}
