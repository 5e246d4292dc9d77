import { type Kysely, PostgresAdapter, sql } from "kysely";

/**
 * The back office's application lifecycle (quote answer, return confirmation, rental end) and the
 * indexes its lists need, so that no staff list or count scans `applications` (SPEC §6, issue 11 item 9):
 *
 * - every list is newest first on (created_at, id): one index for all kinds, one per kind;
 * - 申込結果 (intake status) has its own, so 受付失敗 is read without the accepted history;
 * - each open state (未手配 / 未回答 / 未処理) has a partial index holding only its rows, so the
 *   dashboard counts and the "open" filters read the open work, never the history;
 * - company-name prefix search reads an index on accounts (byte order, so a range is a prefix).
 *
 * The services write the partial indexes' conditions as literals (not parameters), which both
 * SQLite and PostgreSQL need to match a query to a partial index. The partial indexes lead with
 * `kind` (constant within each) so that SQLite, without statistics, prefers them to the per-kind
 * index: it ranks indexes by their equality terms (checked by the plan test).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of ["answered_at", "answered_by", "valid_until", "answer_comment", "returned_at", "returned_by"]) {
    await db.schema.alterTable("applications").addColumn(column, "text").execute();
  }
  await db.schema.alterTable("application_lines").addColumn("unit_price", "integer").execute();
  await db.schema.alterTable("rentals").addColumn("ended_at", "text").execute();

  await db.schema.createIndex("applications_created_idx").on("applications").columns(["created_at", "id"]).execute();
  await db.schema
    .createIndex("applications_kind_created_idx")
    .on("applications")
    .columns(["kind", "created_at", "id"])
    .execute();
  // 申込結果: by intake status, newest first (受付失敗 for 再送 and the dashboard). The older
  // (intake_status, intake_next_attempt_at) index is the intake worker's queue.
  await db.schema
    .createIndex("applications_intake_created_idx")
    .on("applications")
    .columns(["intake_status", "created_at", "id"])
    .execute();
  const partial: [string, string][] = [
    ["applications_open_order_idx", "kind = 'order' and arranged_at is null"],
    ["applications_open_quote_idx", "kind = 'quote' and answered_at is null"],
    ["applications_open_cancellation_idx", "kind = 'cancellation' and returned_at is null"],
  ];
  for (const [name, where] of partial) {
    await sql`create index ${sql.id(name)} on applications (kind, created_at, id) where ${sql.raw(where)}`.execute(db);
  }
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`create index accounts_company_idx on accounts ((company_name collate "C"))`.execute(db);
  } else {
    await db.schema.createIndex("accounts_company_idx").on("accounts").column("company_name").execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of [
    "accounts_company_idx",
    "applications_intake_created_idx",
    "applications_open_cancellation_idx",
    "applications_open_quote_idx",
    "applications_open_order_idx",
    "applications_kind_created_idx",
    "applications_created_idx",
  ]) {
    await db.schema.dropIndex(name).execute();
  }
  await db.schema.alterTable("rentals").dropColumn("ended_at").execute();
  await db.schema.alterTable("application_lines").dropColumn("unit_price").execute();
  for (const column of ["returned_by", "returned_at", "answer_comment", "valid_until", "answered_by", "answered_at"]) {
    await db.schema.alterTable("applications").dropColumn(column).execute();
  }
}
