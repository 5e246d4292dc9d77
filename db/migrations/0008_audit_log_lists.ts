import { type Kysely, sql } from "kysely";

/**
 * 操作ログ (SPEC §6, issue 11 items 7 and 9): the back office lists audit events newest first, a page at
 * a time by keyset on (at, id), filtered by 実行者 (actor), 顧客 (account), 操作 (action) and a period.
 * Each combination reads an index whose equality columns are the filters and whose order is (at, id),
 * so a page costs its own rows, never a scan of the log:
 *
 * - no filter / a period only: (at, id);
 * - 操作: (action, at, id);
 * - 顧客, 顧客 + 操作: (account_id, at, id), (account_id, action, at, id);
 * - 実行者, 実行者 + 操作: (actor_id, at, id), (actor_id, action, at, id) — the latter also answers the
 *   OTP resend limits that counted on (actor_id, action, at) (0002), which it replaces;
 * - 実行者 システム: a partial index of the system's rows (few: intake, seed, CLI).
 *
 * 実行者 + 顧客 reads the actor's index: a customer user belongs to one account (the service drops or
 * answers the account condition itself), and a staff member's rows are read in time order with the
 * account as a residual condition.
 *
 * (account_id, at, id) replaces (account_id, at) of 0001. 実行者 is typed as an email: a user's is
 * looked up on a new index on users(email_normalized) (the unique one leads with the account).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const indexes: [string, string[]][] = [
    ["audit_events_at_idx", ["at", "id"]],
    ["audit_events_action_at_idx", ["action", "at", "id"]],
    ["audit_events_account_at_idx", ["account_id", "at", "id"]],
    ["audit_events_account_action_at_idx", ["account_id", "action", "at", "id"]],
    ["audit_events_actor_at_idx", ["actor_id", "at", "id"]],
    ["audit_events_actor_action_at_idx", ["actor_id", "action", "at", "id"]],
  ];
  for (const [name, columns] of indexes) {
    await db.schema.createIndex(name).on("audit_events").columns(columns).execute();
  }
  await sql`create index audit_events_system_at_idx on audit_events (at, id) where actor_type = 'system'`.execute(db);
  await db.schema.dropIndex("audit_events_account_idx").execute();
  await db.schema.dropIndex("audit_events_actor_idx").execute();
  await db.schema.createIndex("users_email_idx").on("users").columns(["email_normalized"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("users_email_idx").execute();
  await db.schema
    .createIndex("audit_events_actor_idx")
    .on("audit_events")
    .columns(["actor_id", "action", "at"])
    .execute();
  await db.schema.createIndex("audit_events_account_idx").on("audit_events").columns(["account_id", "at"]).execute();
  for (const name of [
    "audit_events_system_at_idx",
    "audit_events_actor_action_at_idx",
    "audit_events_actor_at_idx",
    "audit_events_account_action_at_idx",
    "audit_events_account_at_idx",
    "audit_events_action_at_idx",
    "audit_events_at_idx",
  ]) {
    await db.schema.dropIndex(name).execute();
  }
}
