import Database from "better-sqlite3";
import type { QueryId, RootOperationNode } from "kysely";
import type { DB } from "../../db";

/**
 * For tests that prove a list reads an index: `db` runs as the harness's database and remembers each
 * statement; `plans()` then asks SQLite how it runs each one (EXPLAIN QUERY PLAN, the details joined by
 * " / "). SQLite only: the harness's database file is opened read-only beside the connection.
 * SHOW_PLANS=1 prints them.
 */
export function recordPlans(harness: { db: DB; databaseUrl: string }) {
  const nodes: { node: RootOperationNode; queryId: QueryId }[] = [];
  const db = harness.db.withPlugin({
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
    plans(): { sql: string; plan: string }[] {
      const file = new Database(harness.databaseUrl.replace(/^file:/, ""), { readonly: true });
      try {
        return nodes.map(({ node, queryId }) => {
          const compiled = db.getExecutor().compileQuery(node, queryId);
          const rows = file
            .prepare(`EXPLAIN QUERY PLAN ${compiled.sql}`)
            .all(...(compiled.parameters as unknown[])) as {
            detail: string;
          }[];
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
