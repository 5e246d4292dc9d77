import type { Database, DB } from "./index";

type Table = keyof Database;

/**
 * Every table with its primary key, parents before children. db:copy refuses to run when the
 * database has a table not listed here, so a new table cannot be forgotten.
 */
export const COPY_ORDER: readonly { table: Table; key: readonly [string] | readonly [string, string] }[] = [
  { table: "accounts", key: ["id"] },
  { table: "users", key: ["id"] },
  { table: "user_totp", key: ["user_id"] },
  { table: "recovery_codes", key: ["id"] },
  { table: "staff", key: ["id"] },
  { table: "sessions", key: ["id"] },
  { table: "mail_outbox", key: ["id"] },
  { table: "mail_bodies", key: ["outbox_id"] },
  { table: "mail_attachments", key: ["id"] },
  { table: "dev_mailbox", key: ["id"] },
  { table: "audit_events", key: ["id"] },
  { table: "verifications", key: ["id"] },
  { table: "login_failures", key: ["key"] },
  { table: "rate_buckets", key: ["key", "window_start"] },
  { table: "products", key: ["id"] },
  { table: "product_search_grams", key: ["gram", "product_id"] },
  { table: "catalog_state", key: ["id"] },
  { table: "delivery_templates", key: ["id"] },
  { table: "draft_lines", key: ["id"] },
  { table: "number_sequences", key: ["kind", "year"] },
  { table: "rentals", key: ["id"] },
  { table: "rental_lines", key: ["id"] },
  { table: "return_reminders", key: ["rental_id", "due_date"] },
  { table: "applications", key: ["id"] },
  { table: "application_lines", key: ["id"] },
];

export class CopyError extends Error {}

async function userTables(db: DB): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables.map((t) => t.name).filter((name) => !name.startsWith("kysely_"));
}

type Row = Record<string, unknown>;

/** One page of a table in primary-key order, after the given row (keyset pagination). */
function page(db: DB, table: Table, key: readonly string[], after: Row | null, size: number) {
  // The tables differ in shape; the query is built on column names, so the typed builder is set aside here.
  // biome-ignore lint/suspicious/noExplicitAny: generic over every table
  let q = (db as any).selectFrom(table).selectAll();
  for (const column of key) q = q.orderBy(column);
  if (after) {
    const [a, b] = key as [string, string | undefined];
    q = b
      ? // biome-ignore lint/suspicious/noExplicitAny: as above
        q.where((eb: any) => eb.or([eb(a, ">", after[a]), eb.and([eb(a, "=", after[a]), eb(b, ">", after[b])])]))
      : q.where(a, ">", after[a]);
  }
  return q.limit(size).execute() as Promise<Row[]>;
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
  const known = new Set<string>(COPY_ORDER.map((t) => t.table));
  const unknown = (await userTables(from)).filter((t) => !known.has(t));
  if (unknown.length) throw new CopyError(`db:copy does not know these tables: ${unknown.join(", ")}`);

  for (const { table, key } of COPY_ORDER) {
    if ((await page(to, table, key, null, 1)).length) {
      throw new CopyError(`the target is not empty (table ${table} has rows): copy into a new database`);
    }
  }

  const counts: Record<string, number> = {};
  await to.transaction().execute(async (trx) => {
    for (const { table, key } of COPY_ORDER) {
      let copied = 0;
      let after: Row | null = null;
      for (;;) {
        const rows = await page(from, table, key, after, batchSize);
        if (!rows.length) break;
        await trx
          .insertInto(table)
          .values(rows as never)
          .execute();
        copied += rows.length;
        after = rows[rows.length - 1] ?? null;
      }
      counts[table] = copied;
      options.log?.(`${table}: ${copied}`);
    }
  });
  return counts;
}
