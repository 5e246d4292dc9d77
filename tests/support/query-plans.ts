import Database from "better-sqlite3";
import type { QueryId, RootOperationNode } from "kysely";
import type { DB } from "../../db";

/**
 * SQLite's plan for every statement a piece of code runs: `run` gets a database handle that records each
 * statement; afterwards each is compiled again and given to EXPLAIN QUERY PLAN on the same file.
 */
export async function sqlitePlans(
  db: DB,
  databaseUrl: string,
  run: (db: DB) => Promise<void>,
): Promise<{ sql: string; plan: string }[]> {
  const nodes: { node: RootOperationNode; queryId: QueryId }[] = [];
  const recording = db.withPlugin({
    transformQuery(args) {
      nodes.push({ node: args.node, queryId: args.queryId });
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  });
  await run(recording);
  const file = new Database(databaseUrl.replace(/^file:/, ""), { readonly: true });
  try {
    return nodes.map(({ node, queryId }) => {
      const compiled = recording.getExecutor().compileQuery(node, queryId);
      const rows = file.prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`).all(...(compiled.parameters as unknown[])) as {
        detail: string;
      }[];
      return { sql: compiled.sql, plan: rows.map((r) => r.detail).join(" / ") };
    });
  } finally {
    file.close();
  }
}
