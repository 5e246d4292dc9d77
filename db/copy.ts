import type { Database, DB } from "./index";

/** Every table, parents before children. db:copy refuses to run when the database has a table not listed here. */
export const COPY_ORDER = [
  "accounts",
  "users",
  "staff",
  "sessions",
  "mail_outbox",
  "dev_mailbox",
  "audit_events",
] as const satisfies readonly (keyof Database)[];

export class CopyError extends Error {}

async function userTables(db: DB): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables.map((t) => t.name).filter((name) => !name.startsWith("kysely_"));
}

/**
 * Copies all rows from one database to another (SQLite ↔ PostgreSQL), both already migrated to the
 * same version. The target must be empty; everything is written in one transaction, so a failed
 * copy leaves it empty. Returns the rows copied per table.
 */
export async function copyDatabase(
  from: DB,
  to: DB,
  options: { batchSize?: number; log?: (m: string) => void } = {},
): Promise<Record<string, number>> {
  const batchSize = options.batchSize ?? 500;
  const known = new Set<string>(COPY_ORDER);
  const unknown = (await userTables(from)).filter((t) => !known.has(t));
  if (unknown.length) throw new CopyError(`db:copy does not know these tables: ${unknown.join(", ")}`);

  for (const table of COPY_ORDER) {
    const any = await to.selectFrom(table).select("id").limit(1).executeTakeFirst();
    if (any) throw new CopyError(`the target is not empty (table ${table} has rows): copy into a new database`);
  }

  const counts: Record<string, number> = {};
  await to.transaction().execute(async (trx) => {
    for (const table of COPY_ORDER) {
      let copied = 0;
      let after: string | null = null;
      for (;;) {
        // Keyset pagination on the primary key: constant memory whatever the table size.
        let page = from.selectFrom(table).selectAll().orderBy("id").limit(batchSize);
        if (after !== null) page = page.where("id", ">", after);
        const rows = (await page.execute()) as { id: string }[];
        if (!rows.length) break;
        await trx
          .insertInto(table)
          .values(rows as never)
          .execute();
        copied += rows.length;
        after = rows[rows.length - 1]?.id ?? null;
      }
      counts[table] = copied;
      options.log?.(`${table}: ${copied}`);
    }
  });
  return counts;
}
