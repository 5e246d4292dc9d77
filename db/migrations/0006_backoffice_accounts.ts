import { type Kysely, PostgresAdapter, sql } from "kysely";

/**
 * 顧客管理 (SPEC §6): staff search accounts by login ID or company name, page by page, and can suspend one.
 *
 * Search stays on an index by being a prefix match on two normalised columns (server/services/identity/
 * normalize.ts accountSearchKeys): `login_key` (the login ID lower-cased) and `company_key` (the company
 * name in NFKC, lower-cased, without spaces and without its legal form, so 「アクメ」 finds 「株式会社 アクメ計測」).
 * A prefix is a range (`key >= k and key < k || U+10FFFF`), which a B-tree index answers on both databases
 * only when the column compares bytes: SQLite's BINARY does; on PostgreSQL the columns are `collate "C"`
 * (a linguistic collation ignores `-` and case at first level, so a range would miss and add rows).
 *
 * The rules are copied, not imported: a migration must do what it did when it was written.
 */
const LEGAL_FORM =
  /^(株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人|特定非営利活動法人|npo法人|医療法人|学校法人|社会福祉法人|\(株\)|\(有\)|\(同\))|(株式会社|有限会社|合同会社|合資会社|合名会社|\(株\)|\(有\)|\(同\))$/g;
const companyKey = (name: string) => name.normalize("NFKC").toLowerCase().replace(/\s+/g, "").replace(LEGAL_FORM, "");

interface Accounts {
  accounts: { id: string; login_id: string; company_name: string; login_key: string; company_key: string };
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const text = db.getExecutor().adapter instanceof PostgresAdapter ? sql`text collate "C"` : sql`text`;
  await db.schema
    .alterTable("accounts")
    .addColumn("login_key", text, (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .alterTable("accounts")
    .addColumn("company_key", text, (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema.alterTable("accounts").addColumn("suspended_at", "text").execute();
  await db.schema.alterTable("accounts").addColumn("suspended_by", "text").execute();
  const typed = db as unknown as Kysely<Accounts>;
  for (const a of await typed.selectFrom("accounts").select(["id", "login_id", "company_name"]).execute()) {
    await typed
      .updateTable("accounts")
      .set({ login_key: a.login_id.toLowerCase(), company_key: companyKey(a.company_name) })
      .where("id", "=", a.id)
      .execute();
  }
  await db.schema.createIndex("accounts_login_key_idx").on("accounts").columns(["login_key", "login_id"]).execute();
  await db.schema.createIndex("accounts_company_key_idx").on("accounts").columns(["company_key", "login_id"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("accounts_company_key_idx").execute();
  await db.schema.dropIndex("accounts_login_key_idx").execute();
  for (const column of ["suspended_by", "suspended_at", "company_key", "login_key"]) {
    await db.schema.alterTable("accounts").dropColumn(column).execute();
  }
}
