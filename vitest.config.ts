import os from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Unit tests run once; the integration suite runs on SQLite and, when TEST_DATABASE_URL points at a
 * PostgreSQL server (`.ci/run` starts one), again on PostgreSQL.
 */
const postgres = process.env.TEST_DATABASE_URL;
if (!postgres && !process.env.MOS_PG_SKIP_TOLD) {
  process.env.MOS_PG_SKIP_TOLD = "1";
  console.warn(
    "\n⚠ PostgreSQL leg SKIPPED: TEST_DATABASE_URL is not set. The integration suite runs on SQLite only.\n" +
      "  Run it on PostgreSQL too: TEST_DATABASE_URL=$(scripts/test-postgres.sh start /tmp/mos-pg) npm test\n",
  );
}

/**
 * Test files run in parallel in forked workers, each hashing passwords (Argon2) and running databases
 * and server processes of its own: CPU-bound. So one worker per core that is free now
 * (os.availableParallelism() minus the 1-minute load average), leaving one core for the rest, at
 * least 1. A 2-core machine gets 1. Override with `npx vitest run --maxWorkers=N`.
 */
function freeWorkers(): number {
  const cores = os.availableParallelism();
  const busy = Math.round(os.loadavg()[0] ?? 0); // 0 where there is no load average (Windows)
  return Math.max(1, cores - 1 - busy);
}

export default defineConfig({
  test: {
    environment: "node",
    pool: "forks",
    maxWorkers: freeWorkers(),
    // Waits are on conditions; these limits only bound a hang, so a loaded machine is slow, not red.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true as const, test: { name: "unit", include: ["tests/unit/**/*.test.ts"] } },
      {
        extends: true as const,
        test: { name: "sqlite", include: ["tests/integration/**/*.test.ts"], env: { TEST_DB: "sqlite" } },
      },
      ...(postgres
        ? [
            {
              extends: true as const,
              test: { name: "postgres", include: ["tests/integration/**/*.test.ts"], env: { TEST_DB: "postgres" } },
            },
          ]
        : []),
    ],
  },
});
