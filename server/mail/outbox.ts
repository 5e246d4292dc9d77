import type { DB } from "../../db";
import type { MailTemplateName, MailVars } from "../../emails/templates";
import { type Clock, iso } from "../lib/clock";
import { newId } from "../lib/crypto";
import type { MailRenderer } from "./render";

/** A file sent with a mail (the 見積書 / 注文請書 PDF of a status mail, ADR 023). */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/**
 * Puts a mail in the outbox. Call it with the transaction of the change that causes the mail:
 * the mail then exists if and only if the change committed. It is rendered now, so a retry sends
 * exactly the same mail. The body goes to `mail_bodies`, written once: the worker's updates of the mail's
 * row (claimed, sent) then rewrite a row of about 200 bytes, not the 12 KB of an HTML mail (migration 0022).
 */
export class Outbox {
  constructor(
    private readonly renderer: MailRenderer,
    private readonly clock: Clock,
  ) {}

  async enqueue<N extends MailTemplateName>(
    db: DB,
    to: string,
    template: N,
    vars: MailVars<N>,
    options: { attachments?: MailAttachment[] } = {},
  ): Promise<string> {
    const mail = this.renderer.render(template, vars);
    const now = iso(this.clock.now());
    const id = newId();
    await db
      .insertInto("mail_outbox")
      .values({
        id,
        to_address: to,
        template,
        subject: mail.subject,
        status: "pending",
        attempts: 0,
        next_attempt_at: now,
        locked_until: null,
        last_error: null,
        created_at: now,
        sent_at: null,
      })
      .execute();
    await db.insertInto("mail_bodies").values({ outbox_id: id, html: mail.html, text: mail.text }).execute();
    // Stored with the mail, in the same transaction: a retry sends the same files.
    const attachments = options.attachments ?? [];
    if (attachments.length) {
      await db
        .insertInto("mail_attachments")
        .values(
          attachments.map((a, position) => ({
            id: newId(),
            outbox_id: id,
            position,
            filename: a.filename,
            content_type: a.contentType,
            size: a.content.byteLength,
            content_base64: Buffer.from(a.content).toString("base64"),
            created_at: now,
          })),
        )
        .execute();
    }
    return id;
  }
}
