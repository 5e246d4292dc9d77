// npm run db:copy -- --from URL --to URL: copies every row between databases (e.g. SQLite → PostgreSQL).
import { parseArgs } from "node:util";
import { createDb, migrateToLatest, redactUrl } from "../db";
import { CopyError, copyDatabase } from "../db/copy";

const USAGE = `usage: npm run db:copy -- --from URL --to URL
  URL: file:PATH (SQLite) or postgres://user:pass@host:5432/db
  The target is migrated and must be empty. Run the app on it with the same PEPPER as the source
  (on one box without PEPPER, the value is in .pepper beside the SQLite file).`;

let from: string | undefined;
let to: string | undefined;
try {
  ({
    values: { from, to },
  } = parseArgs({ options: { from: { type: "string" }, to: { type: "string" } }, strict: true }));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(1);
}
if (!from || !to) {
  console.error(USAGE);
  process.exit(1);
}
if (from === to) {
  console.error("--from and --to are the same database");
  process.exit(1);
}

const source = createDb(from);
const target = createDb(to);
try {
  await migrateToLatest(source);
  await migrateToLatest(target);
  console.log(`copying ${redactUrl(from)} → ${redactUrl(to)}`);
  const counts = await copyDatabase(source, target, { log: (m) => console.log(`  ${m}`) });
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  console.log(`done: ${total} rows. Start the app on the target with the source's PEPPER.`);
} catch (error) {
  console.error(error instanceof CopyError ? `db:copy: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  await source.destroy();
  await target.destroy();
}
