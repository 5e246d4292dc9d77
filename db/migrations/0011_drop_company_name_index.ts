import { type Kysely, PostgresAdapter, sql } from "kysely";

/**
 * 申込一覧's キーワード finds accounts as 顧客管理 does, on the normalised login_key / company_key
 * indexes of migration 0006 (server/services/backoffice/accounts.ts accountKeywordMatch). Nothing reads
 * accounts_company_idx (migration 0005, the raw company name in byte order) any more: it only cost writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("accounts_company_idx").ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create index accounts_company_idx on accounts ((company_name collate "C"))`.execute(db);
  } else {
    await db.schema.createIndex("accounts_company_idx").on("accounts").column("company_name").execute();
  }
}
