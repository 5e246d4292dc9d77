import Database from "better-sqlite3";
import type { QueryId, RootOperationNode } from "kysely";
import type { DB } from "../../db";
import type { Harness } from "./harness";

/**
 * The harness's database with every statement recorded, and SQLite's plan of each afterwards: run the
 * services on `db`, then ask `plans()` how SQLite answers what they ran (SQLite only). Reads only, unless
 * `writes` asks for the plans of updates and deletes too (how they find their rows).
 */
export function recordingPlans(
  h: Pick<Harness, "db" | "databaseUrl">,
  { writes = false }: { writes?: boolean } = {},
): {
  db: DB;
  plans(): { sql: string; plan: string }[];
} {
  const nodes: { node: RootOperationNode; queryId: QueryId }[] = [];
  const db = h.db.withPlugin({
    transformQuery(args) {
      nodes.push({ node: args.node, queryId: args.queryId });
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  });
  return {
    db,
    plans() {
      const file = new Database(h.databaseUrl.replace(/^file:/, ""), { readonly: true });
      try {
        return nodes
          .map(({ node, queryId }) => db.getExecutor().compileQuery(node, queryId))
          .filter((compiled) => (writes ? /^(select|with|update|delete)/ : /^(select|with)/).test(compiled.sql))
          .map((compiled) => {
            const rows = file
              .prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`)
              .all(...(compiled.parameters as unknown[])) as { detail: string }[];
            const plan = rows.map((p) => p.detail).join(" / ");
            if (process.env.SHOW_PLANS)
              console.log(`${compiled.sql.replace(/^select .* from/, "select … from")}\n  → ${plan}`);
            return { sql: compiled.sql, plan };
          });
      } finally {
        file.close();
      }
    },
  };
}

/** The plans of what `run` does on the database (its selects), for a test that has no harness at hand. */
export async function sqlitePlans(
  db: DB,
  databaseUrl: string,
  run: (db: DB) => Promise<void>,
): Promise<{ sql: string; plan: string }[]> {
  const recording = recordingPlans({ db, databaseUrl });
  await run(recording.db);
  return recording.plans();
}
