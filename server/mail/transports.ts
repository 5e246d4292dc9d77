import nodemailer from "nodemailer";
import type { DB } from "../../db";
import { newId } from "../lib/crypto";

export interface OutgoingMail {
  outboxId: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** When the mail was queued. */
  createdAt: string;
  /** Files stored with the mail (mail_attachments), in order. */
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

export interface MailTransport {
  readonly name: "smtp" | "mailbox";
  send(mail: OutgoingMail): Promise<void>;
  close?(): void;
}

/** Production: SMTP through nodemailer (SMTP_URL, e.g. smtp://user:pass@mail.example.jp:587). */
export function smtpTransport(smtpUrl: string): MailTransport {
  const transporter = nodemailer.createTransport(smtpUrl);
  return {
    name: "smtp",
    async send(mail) {
      await transporter.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: mail.attachments.map((a) => ({
          filename: a.filename,
          content: a.content,
          contentType: a.contentType,
        })),
        // A stable Message-ID lets a receiving server drop the duplicate of a retried mail.
        messageId: `<${mail.outboxId}@member-order-site>`,
      });
    },
    close: () => transporter.close(),
  };
}

/**
 * Development and QA: mails are kept in the database and shown at /dev/mailbox. Their attachments stay where
 * the outbox stored them (mail_attachments, by outbox_id): the mailbox lists and serves them from there.
 */
export function mailboxTransport(db: DB): MailTransport {
  return {
    name: "mailbox",
    async send(mail) {
      await db
        .insertInto("dev_mailbox")
        .values({
          id: newId(),
          outbox_id: mail.outboxId,
          to_address: mail.to,
          from_address: mail.from,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          created_at: mail.createdAt,
        })
        .onConflict((oc) => oc.column("outbox_id").doNothing())
        .execute();
    },
  };
}
