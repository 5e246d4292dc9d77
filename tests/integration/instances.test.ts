import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../db";
import { loadConfig } from "../../server/config";
import { systemClock } from "../../server/lib/clock";
import { Outbox } from "../../server/mail/outbox";
import { MailRenderer } from "../../server/mail/render";
import { exited, freePort, type ServerProcess, startServer, waitHealthy } from "../support/processes";
import { startSmtpPeer } from "../support/smtp-peer";
import { freshDatabase, TEST_DIALECT, type TestDatabase } from "../support/test-db";

const MAILS = 60;

let database: TestDatabase;
let dir: string;
beforeAll(async () => {
  database = await freshDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-inst-"));
});
afterAll(async () => {
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe(`two app instances on one ${TEST_DIALECT} database`, () => {
  it("start together on an empty database (one migrates, the other waits) and send each mail exactly once", async () => {
    const peer = await startSmtpPeer();
    const url = TEST_DIALECT === "sqlite" ? `file:${path.join(dir, "shared.sqlite")}` : database.url;
    const env = {
      DATABASE_URL: url,
      PEPPER: "instances-test-pepper-0123456789abcdef",
      MAIL_TRANSPORT: "smtp",
      SMTP_URL: `smtp://127.0.0.1:${peer.port}`,
      MAIL_POLL_INTERVAL_MS: "50",
      HOST: "127.0.0.1",
      SEED_DEMO: "false",
    };
    const servers: { url: string; process: ServerProcess }[] = [];
    let exits: (number | null)[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const port = await freePort();
        const origin = `http://127.0.0.1:${port}`;
        servers.push({ url: origin, process: startServer({ ...env, PORT: String(port), APP_ORIGIN: origin }) });
      }
      await Promise.all(servers.map((s) => waitHealthy(s.url, s.process)));

      // Mails queued while both workers poll: they race for every row.
      const db = createDb(url);
      const outbox = new Outbox(await MailRenderer.compile(loadConfig({}).site), systemClock);
      const ids: string[] = [];
      for (let i = 0; i < MAILS; i++) {
        ids.push(
          await outbox.enqueue(db, `user${i}@example.jp`, "login-notice", {
            accountCompany: "アクメ計測",
            userName: `利用者${i}`,
            loginAt: "2026/04/01 09:00:00 (日本時間)",
            loginId: "acme01",
            ip: "203.0.113.1",
            browser: "Chrome 131 (Windows)",
            reportUrl: "https://example.jp/login-report/abc",
            reportExpiresAt: "2026/04/02 09:00 (日本時間)",
          }),
        );
      }
      await expect
        .poll(
          async () => (await db.selectFrom("mail_outbox").select("id").where("status", "=", "sent").execute()).length,
          { timeout: 90_000, interval: 100 },
        )
        .toBe(MAILS);
      await db.destroy();

      expect(peer.received).toHaveLength(MAILS);
      const messageIds = peer.received.map((m) => m.messageId);
      expect(new Set(messageIds).size).toBe(MAILS);
      expect(new Set(messageIds)).toEqual(new Set(ids.map((id) => `<${id}@member-order-site>`)));
    } finally {
      for (const s of servers) s.process.child.kill("SIGTERM");
      exits = await Promise.all(servers.map((s) => exited(s.process.child)));
      await peer.close();
    }
    // After the finally, so that an earlier failure (which names the server's output) is the one shown.
    for (const [i, s] of servers.entries()) expect(exits[i], s.process.output()).toBe(0);
  });
});
