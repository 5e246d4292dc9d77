// The end-to-end suite once more, with the app on PostgreSQL: run by `npm test` after the SQLite run when
// TEST_DATABASE_URL names a PostgreSQL server (as .ci/run provides), skipped with a message otherwise.
import { spawnSync } from "node:child_process";

const server = process.env.TEST_DATABASE_URL;
if (!server) {
  console.log("e2e on PostgreSQL: skipped (set TEST_DATABASE_URL to a PostgreSQL server to run it)");
  process.exit(0);
}
console.log("e2e on PostgreSQL: the app on a fresh database of its own on TEST_DATABASE_URL's server");
const run = spawnSync(process.execPath, ["node_modules/@playwright/test/cli.js", "test"], {
  stdio: "inherit",
  env: { ...process.env, E2E_POSTGRES_URL: server },
});
process.exit(run.status ?? 1);
