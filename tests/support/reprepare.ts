import { sql } from "kysely";
import type { DB } from "../../db";

/** A column that a partial index's WHERE compares to a literal (`where status = 'active'`). */
export interface PartialIndexLiteral {
  table: string;
  column: string;
}

/**
 * Why SQLite would prepare a statement again at every run. SQLite (3.53, as better-sqlite3 builds it) plans
 * with the value of some bound parameters: it marks the statement to be prepared again whenever such a
 * parameter is bound, and better-sqlite3 binds every parameter at every call. The statement cache
 * (db/index.ts) then saves nothing, and each run parses and plans its SQL again inside `step` (decision 019,
 * docs/benchmarks.md). The parameters it plans with, and what to write instead:
 * - a LIMIT (`computeLimitRegisters`): db/index.ts's compiler writes limits as numbers;
 * - the pattern of a LIKE or GLOB (`isLikeOrGlob`): compare with an expression, `like (? || '')`;
 * - a parameter compared (=) to a column that a partial index of the table compares to a literal, to decide
 *   whether that index applies (`exprCompareVariable`): write the value as a literal (`sql.lit`).
 * The check reads the SQL as Kysely writes it for SQLite (quoted names, `?` parameters).
 */
export function reprepareCauses(sqlText: string, literals: PartialIndexLiteral[]): string[] {
  const causes: string[] = [];
  if (/\blimit\s+\?/i.test(sqlText)) causes.push("a LIMIT bound as a parameter");
  if (/\b(?:like|glob)\s+\?/i.test(sqlText)) causes.push("a LIKE pattern bound as a parameter");
  // An update's assignments (`set "status" = ?`) are no comparisons.
  const conditions = sqlText.replace(/\bset\b[\s\S]*?(?=\bwhere\b|$)/i, "");
  for (const { table, column } of literals) {
    const names = namesOf(sqlText, table);
    if (!names.length) continue;
    const compared = new RegExp(`(?:"?(\\w+)"?\\.)?"?\\b${column}\\b"?\\s*=\\s*\\?`, "gi");
    for (const match of conditions.matchAll(compared)) {
      const qualifier = match[1];
      if (!qualifier || names.includes(qualifier)) {
        causes.push(`${table}.${column} compared to a parameter (a partial index compares it to a literal)`);
        break;
      }
    }
  }
  return causes;
}

/** The names a statement gives a table (its own and its aliases), or none when it does not read it. */
function namesOf(sqlText: string, table: string): string[] {
  const used = new RegExp(`\\b(?:from|join|update|into)\\s+"?${table}"?(?:\\s+(?:as\\s+)?"?(\\w+)"?)?`, "gi");
  const names: string[] = [];
  for (const match of sqlText.matchAll(used)) {
    names.push(table);
    const alias = match[1];
    if (alias && !/^(?:where|on|inner|left|cross|join|set|order|group|limit|values|select)$/i.test(alias)) {
      names.push(alias);
    }
  }
  return names;
}

/** The columns the partial indexes of a SQLite database compare to literals (`col = '…'` in their WHERE). */
export async function partialIndexLiterals(db: DB): Promise<PartialIndexLiteral[]> {
  const { rows } = await sql<{ table: string; definition: string }>`
    select tbl_name as "table", sql as definition from sqlite_master where type = 'index' and sql is not null`.execute(
    db,
  );
  const found: PartialIndexLiteral[] = [];
  for (const { table, definition } of rows) {
    const where = /\bwhere\b([\s\S]*)$/i.exec(definition)?.[1];
    if (!where) continue;
    for (const match of where.matchAll(/"?(\w+)"?\s*=\s*'[^']*'/g)) {
      const column = match[1] as string;
      if (!found.some((f) => f.table === table && f.column === column)) found.push({ table, column });
    }
  }
  return found;
}

/**
 * The database, refusing any statement that SQLite would prepare again at every run (reprepareCauses): the
 * statement throws, naming the cause and its SQL, so every test that runs it fails and says why.
 */
export function refusingRepreparation(db: DB, literals: PartialIndexLiteral[]): DB {
  return db.withPlugin({
    transformQuery({ node, queryId }) {
      const compiled = db.getExecutor().compileQuery(node, queryId);
      const causes = reprepareCauses(compiled.sql, literals);
      if (causes.length) {
        throw new Error(
          `SQLite would prepare this statement again at every run (${causes.join("; ")}): ${compiled.sql}`,
        );
      }
      return node;
    },
    async transformResult({ result }) {
      return result;
    },
  });
}
