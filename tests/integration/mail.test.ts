import fs from "node:fs";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { migratorFor } from "../../db";
import { backoffMs } from "../../server/lib/leased-queue";
import { mailboxTransport, type OutgoingMail, smtpTransport } from "../../server/mail/transports";
import { MailWorker } from "../../server/mail/worker";
import { createHarness, type Harness } from "../support/harness";
import { freePort } from "../support/processes";
import { recordingPlans } from "../support/query-plans";
import { startSmtpPeer } from "../support/smtp-peer";

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

function smtpWorker(port: number) {
  return new MailWorker({
    db: h.db,
    clock: h.clock,
    transport: smtpTransport(`smtp://127.0.0.1:${port}`),
    from: "WEB会員専用ご注文サイト <no-reply@example.jp>",
    pollIntervalMs: 1000,
  });
}

/** Another worker delivering to the dev mailbox, on `db` (the harness's unless given). */
function mailboxWorker({ db = h.db, pollIntervalMs = 1000 }: { db?: Harness["db"]; pollIntervalMs?: number } = {}) {
  return new MailWorker({
    db,
    clock: h.clock,
    transport: mailboxTransport(h.db),
    from: "x <x@example.jp>",
    pollIntervalMs,
  });
}

async function enqueueNotice(to = "taro@example.jp") {
  return h.deps.db.transaction().execute((trx) =>
    h.deps.outbox.enqueue(trx, to, "login-notice", {
      accountCompany: "アクメ計測",
      userName: "山田 <太郎>",
      loginAt: "2026/04/01 09:00:00 (日本時間)",
      loginId: "acme01",
      ip: "203.0.113.1",
      browser: "Chrome 131 (Windows)",
      reportUrl: "https://example.jp/login-report/abc",
      reportExpiresAt: "2026/04/02 09:00 (日本時間)",
    }),
  );
}

describe("outbox over SMTP", () => {
  it("delivers a queued mail to a real SMTP server", async () => {
    const peer = await startSmtpPeer();
    try {
      await enqueueNotice();
      expect(await smtpWorker(peer.port).runOnce()).toBe(1);
      expect(peer.received).toHaveLength(1);
      expect(peer.received[0]?.envelopeTo).toEqual(["taro@example.jp"]);
      expect(peer.received[0]?.subject).toBe("【WEB会員専用ご注文サイト】ログイン通知");
      expect(peer.received[0]?.text).toContain("山田 <太郎> 様");
      const row = await h.db.selectFrom("mail_outbox").selectAll().executeTakeFirstOrThrow();
      expect(row.status).toBe("sent");
    } finally {
      await peer.close();
    }
  });

  it("sends a mail's attachments, stored with it in the outbox, as MIME parts under their Japanese names", async () => {
    const peer = await startSmtpPeer();
    try {
      const pdf = Buffer.from("%PDF-1.3\n見積書\n%%EOF\n");
      await h.deps.db.transaction().execute((trx) =>
        h.deps.outbox.enqueue(
          trx,
          "taro@example.jp",
          "login-notice",
          {
            accountCompany: "アクメ計測",
            userName: "山田 太郎",
            loginAt: "2026/04/01 09:00:00 (日本時間)",
            loginId: "acme01",
            ip: "203.0.113.1",
            browser: "Chrome 131 (Windows)",
            reportUrl: "https://example.jp/login-report/abc",
            reportExpiresAt: "2026/04/02 09:00 (日本時間)",
          },
          { attachments: [{ filename: "見積書_Q-2026-000001.pdf", contentType: "application/pdf", content: pdf }] },
        ),
      );
      expect(await smtpWorker(peer.port).runOnce()).toBe(1);
      expect(peer.received[0]?.attachments).toEqual([
        { filename: "見積書_Q-2026-000001.pdf", contentType: "application/pdf", content: pdf },
      ]);
      // Without attachments a mail is what it always was: no MIME parts added.
      await enqueueNotice();
      expect(await smtpWorker(peer.port).runOnce()).toBe(1);
      expect(peer.received[1]?.attachments).toEqual([]);
    } finally {
      await peer.close();
    }
  });

  it("keeps a mail while the server is down and delivers it exactly once when it is back", async () => {
    const port = await freePort();
    const worker = smtpWorker(port);
    const id = await enqueueNotice();

    expect(await worker.runOnce()).toBe(0);
    let row = await h.db.selectFrom("mail_outbox").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    expect(row.status).toBe("pending");
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);

    const peer = await startSmtpPeer(port);
    try {
      // Not due yet: the backoff is respected.
      expect(await worker.runOnce()).toBe(0);
      h.clock.advance(backoffMs(1));
      expect(await worker.runOnce()).toBe(1);
      h.clock.advance(60 * 60_000);
      expect(await worker.runOnce()).toBe(0);
      expect(peer.received).toHaveLength(1);
      expect(peer.received[0]?.messageId).toBe(`<${id}@member-order-site>`);
      row = await h.db.selectFrom("mail_outbox").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
      expect(row.status).toBe("sent");
      expect(row.attempts).toBe(2);
    } finally {
      await peer.close();
    }
  });

  it("gives up after the last attempt and says why", async () => {
    const port = await freePort();
    const worker = new MailWorker({
      db: h.db,
      clock: h.clock,
      transport: smtpTransport(`smtp://127.0.0.1:${port}`),
      from: "x <x@example.jp>",
      pollIntervalMs: 1000,
      maxAttempts: 3,
    });
    await enqueueNotice();
    for (let i = 0; i < 5; i++) {
      await worker.runOnce();
      h.clock.advance(60 * 60_000);
    }
    const row = await h.db.selectFrom("mail_outbox").selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe("failed");
    expect(row.attempts).toBe(3);
  });
});

describe("outbox guarantees", () => {
  it("holds no mail of a rolled-back change", async () => {
    await expect(
      h.db.transaction().execute(async (trx) => {
        await h.deps.outbox.enqueue(trx, "taro@example.jp", "login-notice", {
          accountCompany: "a",
          userName: "b",
          loginAt: "c",
          loginId: "d",
          ip: "e",
          browser: "f",
          reportUrl: "https://example.jp/login-report/abc",
          reportExpiresAt: "2026/04/02 09:00 (日本時間)",
        });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await h.db.selectFrom("mail_outbox").selectAll().execute()).toHaveLength(0);
  });

  it("reclaims a mail whose worker died mid-send, once its lease ran out", async () => {
    await enqueueNotice();
    await h.db
      .updateTable("mail_outbox")
      .set({ status: "sending", attempts: 1, locked_until: new Date(h.clock.now().getTime() + 120_000).toISOString() })
      .execute();
    expect(await h.worker.runOnce()).toBe(0);
    h.clock.advance(120_000);
    expect(await h.worker.runOnce()).toBe(1);
    expect(await h.mailsTo("taro@example.jp")).toHaveLength(1);
  });

  it("escapes values in the HTML part", async () => {
    await enqueueNotice();
    const [mail] = await h.mailsTo("taro@example.jp");
    expect(mail?.html).toContain("山田 &lt;太郎&gt; 様");
    expect(mail?.html).not.toContain("<太郎>");
  });

  it("works through a backlog a batch at a time: leases that ran out first, then the soonest due; never one not yet due", async () => {
    for (let i = 0; i < 30; i++) await enqueueNotice(`user${i}@example.jp`);
    const ids = (await h.db.selectFrom("mail_outbox").select(["id", "to_address"]).orderBy("to_address").execute()).map(
      (r) => r.id,
    );
    const at = (ms: number) => new Date(h.clock.now().getTime() + ms).toISOString();
    // Two a dead worker left leased; one retried earlier and due before the others; one not due yet.
    await h.db
      .updateTable("mail_outbox")
      .set({ status: "sending", attempts: 1, locked_until: at(-1000) })
      .where("id", "in", ids.slice(28, 30))
      .execute();
    await h.db
      .updateTable("mail_outbox")
      .set({ next_attempt_at: at(-3_600_000) })
      .where("id", "=", ids[27] as string)
      .execute();
    await h.db
      .updateTable("mail_outbox")
      .set({ next_attempt_at: at(60_000) })
      .where("id", "=", ids[0] as string)
      .execute();

    expect(await h.worker.runOnce()).toBe(20);
    const sent = async () =>
      (await h.db.selectFrom("mail_outbox").select("id").where("status", "=", "sent").execute()).map((r) => r.id);
    const first = await sent();
    expect(first).toEqual(expect.arrayContaining([ids[28], ids[29], ids[27]]));
    expect(first).not.toContain(ids[0]);
    expect(await h.worker.runOnce()).toBe(9);
    expect((await sent()).sort()).toEqual(ids.slice(1).sort());
    h.clock.advance(60_000);
    expect(await h.worker.runOnce()).toBe(1);
    expect(await h.db.selectFrom("dev_mailbox").selectAll().execute()).toHaveLength(30);
  });

  it.runIf(process.env.TEST_DB !== "postgres")(
    "claims by walking the due index in order, without sorting the backlog (SQLite's plan)",
    async () => {
      for (let i = 0; i < 3; i++) await enqueueNotice(`user${i}@example.jp`);
      const recording = recordingPlans(h, { writes: true });
      const worker = mailboxWorker({ db: recording.db });
      await h.db
        .updateTable("mail_outbox")
        .set({ status: "sending", locked_until: h.clock.now().toISOString() })
        .where("to_address", "=", "user0@example.jp")
        .execute();
      expect(await worker.runOnce()).toBe(3);
      const claims = recording.plans().filter((p) => /"mail_outbox".*"next_attempt_at"|"locked_until" <=/.test(p.sql));
      expect(claims.length).toBeGreaterThanOrEqual(4);
      for (const { sql, plan } of claims) {
        expect(plan, sql).toContain("mail_outbox_due_idx");
        expect(plan, sql).not.toContain("TEMP B-TREE");
        expect(plan, sql).not.toMatch(/SCAN mail_outbox(?! USING)/);
      }
    },
  );

  it.runIf(process.env.TEST_DB !== "postgres")(
    "claims and marks sent without rewriting the mails' bodies (SQLite's WAL: pages written per mail)",
    async () => {
      for (let i = 0; i < 20; i++) await enqueueNotice(`user${i}@example.jp`);
      const delivered: OutgoingMail[] = [];
      const worker = new MailWorker({
        db: h.db,
        clock: h.clock,
        transport: { name: "mailbox", send: async (mail) => void delivered.push(mail) },
        from: "x <x@example.jp>",
        pollIntervalMs: 1000,
      });
      const file = h.databaseUrl.slice("file:".length);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(h.db);
      expect(fs.statSync(`${file}-wal`).size).toBe(0);
      expect(await worker.runOnce()).toBe(20);
      // Each mail's HTML (11 KB) went out whole, read from mail_bodies.
      expect(delivered).toHaveLength(20);
      for (const mail of delivered) expect(mail.html).toContain("心当たりがない場合はこちら");
      // The claim (one UPDATE) and the 20 "sent" updates: 2.1 pages a mail. With the body in the updated row,
      // each update rewrote its overflow pages: 10.5 pages a mail.
      const pages = (fs.statSync(`${file}-wal`).size - 32) / (4096 + 24);
      expect(pages / 20).toBeLessThan(4);
    },
  );

  it("keeps the body of a mail queued before the bodies had a table of their own (migration 0022, both ways)", async () => {
    const migrator = await migratorFor(h.db);
    expect((await migrator.migrateTo("0021_line_due_dates")).error).toBeUndefined();
    const now = h.clock.now().toISOString();
    await sql`insert into mail_outbox (id, to_address, template, subject, html, text, status, attempts,
      next_attempt_at, created_at) values ('m-old', 'old@example.jp', 'login-notice', '件名',
      '<p>旧HTML</p>', '旧テキスト', 'pending', 0, ${now}, ${now})`.execute(h.db);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await h.db.selectFrom("mail_bodies").selectAll().execute()).toEqual([
      { outbox_id: "m-old", html: "<p>旧HTML</p>", text: "旧テキスト" },
    ]);
    // Down and up again: the body goes back into the row, then out again.
    expect((await migrator.migrateTo("0021_line_due_dates")).error).toBeUndefined();
    const row = await sql<{
      html: string;
      text: string;
    }>`select html, text from mail_outbox where id = 'm-old'`.execute(h.db);
    expect(row.rows).toEqual([{ html: "<p>旧HTML</p>", text: "旧テキスト" }]);
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const [mail] = await h.mailsTo("old@example.jp");
    expect(mail).toMatchObject({ subject: "件名", html: "<p>旧HTML</p>", text: "旧テキスト" });
  });

  it("a started worker sends a backlog batch after batch, without waiting its interval between them", async () => {
    for (let i = 0; i < 45; i++) await enqueueNotice(`user${i}@example.jp`);
    const worker = mailboxWorker({ pollIntervalMs: 1500 });
    const started = Date.now();
    worker.start();
    try {
      const delivered = async () => (await h.db.selectFrom("dev_mailbox").select("id").execute()).length;
      // Three batches of 20; at one batch per interval the last would go out after 4.5 s.
      await vi.waitFor(async () => expect(await delivered()).toBe(45), { timeout: 2900, interval: 50 });
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await worker.stop();
    }
  });

  it("claims each mail once when two workers run at the same time", async () => {
    for (let i = 0; i < 10; i++) await enqueueNotice(`user${i}@example.jp`);
    const other = mailboxWorker();
    const [a, b] = await Promise.all([h.worker.runOnce(), other.runOnce()]);
    expect((a ?? 0) + (b ?? 0)).toBe(10);
    expect(await h.db.selectFrom("dev_mailbox").selectAll().execute()).toHaveLength(10);
  });
});
