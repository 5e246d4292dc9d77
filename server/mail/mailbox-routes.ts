import express, { type Request } from "express";
import { sql } from "kysely";
import type { DB } from "../../db";
import { contentDisposition } from "../lib/content-disposition";

/** Header a proxy adds when it forwards a request: then the loopback peer speaks for someone else. */
const FORWARDING_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"];

const isLoopback = (address: string) => /^(127\.|::ffff:127\.)/.test(address) || address === "::1";

function hostnameOf(host: string | undefined): string | undefined {
  try {
    return host ? new URL(`http://${host}`).hostname : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a request comes straight from this machine: its connection is from loopback, no proxy forwarded
 * it (a local reverse proxy connects from loopback for anyone), and its Host names this machine or the
 * site itself (a page elsewhere that rebinds its own name to 127.0.0.1 does not).
 */
export function fromThisMachine(req: Request, appOrigin: string): boolean {
  if (!isLoopback(req.socket.remoteAddress ?? "")) return false;
  if (FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined)) return false;
  const hostname = hostnameOf(req.headers.host);
  return hostname !== undefined && ["localhost", "127.0.0.1", "[::1]", new URL(appOrigin).hostname].includes(hostname);
}

/**
 * The development mailbox (MAIL_TRANSPORT=mailbox): /dev/mailbox in the browser and
 * /dev/mailbox/messages.json?to=ADDRESS for QA suites (SPEC §9). It shows every code and link the site
 * mails, so it answers only requests from this machine unless `allowRemote` (MAILBOX_ALLOW_REMOTE=true).
 */
export function mailboxRoutes(db: DB, options: { appOrigin: string; allowRemote: boolean }): express.Router {
  const r = express.Router();
  r.use((req, res, next) => {
    if (options.allowRemote || fromThisMachine(req, options.appOrigin)) return next();
    res
      .status(403)
      .type("text/plain; charset=utf-8")
      .send(
        "403 Forbidden: 開発用メールボックスはこのマシンからのみ表示できます。" +
          "(The development mailbox answers requests from this machine only; MAILBOX_ALLOW_REMOTE=true opens it.)",
      );
  });
  r.use((_req, res, next) => {
    // Plain server-rendered pages with inline styles; a mail's HTML is shown in a sandboxed frame.
    res.setHeader(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-src 'self'; form-action 'self'; frame-ancestors 'self'",
    );
    res.setHeader("X-Frame-Options", "SAMEORIGIN");
    res.setHeader("Cache-Control", "no-store");
    next();
  });

  /** Each mail's attachments (without their bytes), by outbox id: one statement for the whole list. */
  async function attachmentsOf(mails: { id: string; outbox_id: string }[]) {
    const byOutbox = new Map<string, MailboxAttachment[]>();
    const ids = mails.map((m) => m.outbox_id);
    const rows = ids.length
      ? await db
          .selectFrom("mail_attachments")
          .select(["id", "outbox_id", "filename", "content_type", "size"])
          .where("outbox_id", "in", ids)
          .orderBy("outbox_id")
          .orderBy("position")
          .execute()
      : [];
    const messageOf = new Map(mails.map((m) => [m.outbox_id, m.id]));
    for (const a of rows) {
      const list = byOutbox.get(a.outbox_id) ?? [];
      list.push({
        id: a.id,
        filename: a.filename,
        contentType: a.content_type,
        size: a.size,
        url: `/dev/mailbox/${encodeURIComponent(messageOf.get(a.outbox_id) ?? "")}/attachments/${encodeURIComponent(a.id)}`,
      });
      byOutbox.set(a.outbox_id, list);
    }
    return byOutbox;
  }

  async function list(to: string | undefined, limit: number) {
    let q = db
      .selectFrom("dev_mailbox")
      .select(["id", "outbox_id", "to_address", "subject", "text", "html", "created_at"])
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit);
    // Addresses are compared without case, as mail systems do.
    if (to) q = q.where(sql<string>`lower(to_address)`, "=", to.trim().toLowerCase());
    const rows = await q.execute();
    const attachments = await attachmentsOf(rows);
    return rows.map((m) => ({
      id: m.id,
      to: m.to_address,
      subject: m.subject,
      text: m.text,
      html: m.html,
      createdAt: m.created_at,
      attachments: attachments.get(m.outbox_id) ?? [],
    }));
  }

  r.get("/messages.json", async (req, res, next) => {
    try {
      const to = typeof req.query.to === "string" && req.query.to ? req.query.to : undefined;
      const messages = await list(to, 200);
      res.json({ messages });
    } catch (error) {
      next(error);
    }
  });

  r.get("/", async (req, res, next) => {
    try {
      const to = typeof req.query.to === "string" ? req.query.to : "";
      const messages = await list(to || undefined, 200);
      const rows = messages
        .map(
          (m) =>
            `<tr><td>${esc(m.createdAt)}</td><td>${esc(m.to)}</td><td><a href="/dev/mailbox/${encodeURIComponent(m.id)}">${esc(m.subject)}</a></td><td>${m.attachments.map((a) => `<a href="${esc(a.url)}">${esc(a.filename)}</a>`).join("<br>")}</td></tr>`,
        )
        .join("");
      res.type("html").send(
        page(
          "開発用メールボックス",
          `<form method="get"><label for="to">宛先</label> <input id="to" name="to" value="${esc(to)}"> <button>絞り込み</button></form>
          <p>${messages.length} 件</p>
          <table><thead><tr><th>日時 (UTC)</th><th>宛先</th><th>件名</th><th>添付ファイル</th></tr></thead><tbody>${rows}</tbody></table>`,
        ),
      );
    } catch (error) {
      next(error);
    }
  });

  r.get("/:id/attachments/:attachmentId", async (req, res, next) => {
    try {
      const a = await db
        .selectFrom("mail_attachments")
        .innerJoin("dev_mailbox", "dev_mailbox.outbox_id", "mail_attachments.outbox_id")
        .select(["mail_attachments.filename", "mail_attachments.content_type", "mail_attachments.content_base64"])
        .where("dev_mailbox.id", "=", req.params.id)
        .where("mail_attachments.id", "=", req.params.attachmentId)
        .executeTakeFirst();
      if (!a) return void res.status(404).type("text/plain").send("not found");
      const bytes = Buffer.from(a.content_base64, "base64");
      res.setHeader("Content-Type", a.content_type);
      res.setHeader("Content-Length", String(bytes.byteLength));
      res.setHeader("Content-Disposition", contentDisposition(a.filename));
      res.end(bytes);
    } catch (error) {
      next(error);
    }
  });

  r.get("/:id", async (req, res, next) => {
    try {
      const m = await db.selectFrom("dev_mailbox").selectAll().where("id", "=", req.params.id).executeTakeFirst();
      if (!m) return void res.status(404).type("text/plain").send("not found");
      if (req.query.raw === "html") return void res.type("html").send(m.html);
      const files = (await attachmentsOf([m])).get(m.outbox_id) ?? [];
      const attached = files.length
        ? `<h2>添付ファイル</h2><ul>${files.map((a) => `<li><a href="${esc(a.url)}">${esc(a.filename)}</a> (${esc(a.contentType)}, ${a.size.toLocaleString("ja-JP")} バイト)</li>`).join("")}</ul>`
        : "";
      res.type("html").send(
        page(
          m.subject,
          `<p><a href="/dev/mailbox">← 一覧</a></p>
          <dl><dt>宛先</dt><dd>${esc(m.to_address)}</dd><dt>差出人</dt><dd>${esc(m.from_address)}</dd><dt>日時 (UTC)</dt><dd>${esc(m.created_at)}</dd></dl>
          ${attached}<h2>テキスト</h2><pre>${esc(m.text)}</pre>
          <h2>HTML</h2><iframe sandbox title="HTML本文" src="/dev/mailbox/${encodeURIComponent(m.id)}?raw=html" width="100%" height="600"></iframe>`,
        ),
      );
    } catch (error) {
      next(error);
    }
  });
  return r;
}

/** An attachment as the mailbox lists it (messages.json `attachments`): its bytes are at `url`. */
export interface MailboxAttachment {
  id: string;
  filename: string;
  contentType: string;
  size: number;
  url: string;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>${esc(title)}</title><style>
  body{font-family:sans-serif;margin:2rem;color:#0f172a}table{border-collapse:collapse}td,th{border:1px solid #cbd5e1;padding:.3rem .6rem;text-align:left}pre{white-space:pre-wrap;background:#f8fafc;padding:1rem}
  </style></head><body><h1>${esc(title)}</h1>${body}</body></html>`;
}
