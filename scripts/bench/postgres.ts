/** A throwaway schema on a PostgreSQL server for the benches, selected through search_path, dropped afterwards. */
import pg from "pg";

/**
 * The PostgreSQL server the benches also measure: `BENCH_DATABASE_URL`, else `DATABASE_URL` when it names a
 * PostgreSQL server. Either way the bench works in a schema of its own and drops it: nothing there is touched.
 */
export function benchPostgresUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.BENCH_DATABASE_URL || env.DATABASE_URL;
  return url && /^postgres(ql)?:\/\//.test(url) ? url : undefined;
}

export async function postgresSchema(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  return {
    url: `${base}${base.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${schema}`)}`,
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}
