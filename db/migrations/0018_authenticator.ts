import type { Kysely } from "kysely";

/**
 * 認証アプリ (issue 14, ADR 022): a user's authenticator (TOTP, RFC 6238) and its recovery codes.
 * - `user_totp`: one row per user. `secret_sealed` is the TOTP key encrypted (AES-256-GCM, bound to the user)
 *   with a key from configuration, never the key itself. `confirmed_at` is null while the enrolment waits
 *   for its first code. `last_step` is the newest 30-second step a code was accepted for: a code is taken
 *   only for a later step, so none works twice.
 * - `recovery_codes`: ten per user, each stored as an HMAC with the pepper (like the mailed codes, ADR 004);
 *   `used_at` set by one conditional UPDATE, so a code works once.
 * Both go with their user (ON DELETE CASCADE).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("user_totp")
    .addColumn("user_id", "text", (c) => c.primaryKey().references("users.id").onDelete("cascade"))
    .addColumn("secret_sealed", "text", (c) => c.notNull())
    .addColumn("confirmed_at", "text")
    .addColumn("last_step", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("recovery_codes")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "text", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("code_hash", "text", (c) => c.notNull())
    .addColumn("used_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("recovery_codes_user_code_idx")
    .on("recovery_codes")
    .columns(["user_id", "code_hash"])
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("recovery_codes").execute();
  await db.schema.dropTable("user_totp").execute();
}
