import type { Kysely } from "kysely";

/**
 * Attachments of outbox mails (issue 14 item 3, ADR 023): the 見積書 / 注文請書 PDFs of the status mails.
 * Stored beside the mail they belong to, written in the transaction that enqueues it, so a mail is sent with
 * exactly what was attached when it was accepted, after any restart or retry (ADR 008). The bytes are kept as
 * base64 text: one portable type on SQLite and PostgreSQL (ADR 003), copied by db:copy like any text; a
 * document is tens of kilobytes. They go with their mail (ON DELETE CASCADE).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("mail_attachments")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("outbox_id", "text", (c) => c.notNull().references("mail_outbox.id").onDelete("cascade"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("filename", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("content_base64", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("mail_attachments_outbox_idx")
    .on("mail_attachments")
    .columns(["outbox_id", "position"])
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("mail_attachments").execute();
}
