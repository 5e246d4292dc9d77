import type { Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  // One table for every mailed secret: link tokens and one-time codes (docs/decisions/004).
  await db.schema
    .createTable("verifications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("purpose", "text", (c) => c.notNull())
    .addColumn("user_id", "text", (c) => c.notNull())
    .addColumn("lookup_hash", "text", (c) => c.notNull().unique())
    .addColumn("code_hash", "text")
    .addColumn("payload", "text")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("sent_count", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("last_sent_at", "text", (c) => c.notNull())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("verifications_user_idx").on("verifications").columns(["user_id", "purpose"]).execute();

  await db.schema
    .createTable("login_failures")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("consecutive", "integer", (c) => c.notNull())
    .addColumn("last_failed_at", "text", (c) => c.notNull())
    .addColumn("locked_until", "text")
    .execute();

  await db.schema
    .createTable("rate_buckets")
    .addColumn("key", "text", (c) => c.notNull())
    .addColumn("window_start", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("rate_buckets_pk", ["key", "window_start"])
    .execute();

  await db.schema
    .createIndex("audit_events_actor_idx")
    .on("audit_events")
    .columns(["actor_id", "action", "at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("audit_events_actor_idx").execute();
  for (const table of ["rate_buckets", "login_failures", "verifications"]) await db.schema.dropTable(table).execute();
}
