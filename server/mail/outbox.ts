import type { DB } from "../../db";
import type { MailTemplateName, MailVars } from "../../emails/templates";
import { type Clock, iso } from "../lib/clock";
import { newId } from "../lib/crypto";
import type { MailRenderer } from "./render";

/**
 * Puts a mail in the outbox. Call it with the transaction of the change that causes the mail:
 * the mail then exists if and only if the change committed. It is rendered now, so a retry sends
 * exactly the same mail.
 */
export class Outbox {
  constructor(
    private readonly renderer: MailRenderer,
    private readonly clock: Clock,
  ) {}

  async enqueue<N extends MailTemplateName>(db: DB, to: string, template: N, vars: MailVars<N>): Promise<string> {
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
        html: mail.html,
        text: mail.text,
        status: "pending",
        attempts: 0,
        next_attempt_at: now,
        locked_until: null,
        last_error: null,
        created_at: now,
        sent_at: null,
      })
      .execute();
    return id;
  }
}
