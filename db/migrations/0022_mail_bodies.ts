import { type Kysely, sql } from "kysely";

/**
 * An outbox mail's HTML and text in a table of their own, written once (issue 13 item 3; decision 008 amended).
 * The worker updates a mail's row twice (claimed, then sent or retried). On SQLite an update whose row changes
 * size rewrites the whole row, and a mail's row with its body was 12 KB: four pages in the WAL per update, and
 * a claim of 20 mails rewrote 80 pages (5–10 ms on the event loop during a burst of logins). With the body apart,
 * the row the worker updates is about 200 bytes. One row per mail (`outbox_id` is the key); it goes with its
 * mail (ON DELETE CASCADE).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("mail_bodies")
    .addColumn("outbox_id", "text", (c) => c.primaryKey().references("mail_outbox.id").onDelete("cascade"))
    .addColumn("html", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .execute();
  await sql`insert into mail_bodies (outbox_id, html, text) select id, html, text from mail_outbox`.execute(db);
  await db.schema.alterTable("mail_outbox").dropColumn("html").execute();
  await db.schema.alterTable("mail_outbox").dropColumn("text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("mail_outbox")
    .addColumn("html", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await db.schema
    .alterTable("mail_outbox")
    .addColumn("text", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await sql`update mail_outbox set
    html = coalesce((select html from mail_bodies where outbox_id = mail_outbox.id), ''),
    text = coalesce((select text from mail_bodies where outbox_id = mail_outbox.id), '')`.execute(db);
  await db.schema.dropTable("mail_bodies").execute();
}
