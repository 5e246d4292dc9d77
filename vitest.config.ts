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

export default defineConfig({
  test: {
    environment: "node",
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
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
