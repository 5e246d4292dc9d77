import { type Item, type QueueSpec, QueueWorker, type QueueWorkerOptions } from "../lib/leased-queue";
import type { MailTransport } from "./transports";

export interface MailWorkerOptions extends QueueWorkerOptions {
  transport: MailTransport;
  from: string;
}

/** The outbox as a leased queue: a claimed row is `sending` until its lease runs out. */
const OUTBOX: QueueSpec<"mail_outbox"> = {
  table: "mail_outbox",
  columns: {
    status: "status",
    nextAttemptAt: "next_attempt_at",
    lockedUntil: "locked_until",
    attempts: "attempts",
    error: "last_error",
  },
  status: { waiting: "pending", leased: "sending", done: "sent", failed: "failed" },
  maxAttempts: 10,
  onDone: (now) => ({ sent_at: now }),
  describe: (row) => `mail ${row.id} (${row.template})`,
};

/**
 * Delivers the outbox. Rows are claimed with one conditional UPDATE (status → sending, with a
 * lease), so a crash never loses a mail: an expired lease is claimed again after restart.
 */
export class MailWorker extends QueueWorker<"mail_outbox"> {
  constructor(private readonly o: MailWorkerOptions) {
    super("mail worker", OUTBOX, o);
  }

  protected async handle(row: Item<"mail_outbox">): Promise<void> {
    const body = await this.o.db
      .selectFrom("mail_bodies")
      .select(["html", "text"])
      .where("outbox_id", "=", row.id)
      .executeTakeFirst();
    // Written in the transaction that enqueued the mail; only a hand-edited database lacks it.
    if (!body) throw new Error(`mail ${row.id} has no body in mail_bodies`);
    const attachments = await this.o.db
      .selectFrom("mail_attachments")
      .select(["filename", "content_type", "content_base64"])
      .where("outbox_id", "=", row.id)
      .orderBy("position")
      .execute();
    return this.o.transport.send({
      outboxId: row.id,
      from: this.o.from,
      to: row.to_address,
      subject: row.subject,
      html: body.html,
      text: body.text,
      createdAt: row.created_at,
      attachments: attachments.map((a) => ({
        filename: a.filename,
        contentType: a.content_type,
        content: Buffer.from(a.content_base64, "base64"),
      })),
    });
  }
}
