import { sql } from "kysely";
import { type DB, dialectOf } from "../../db";
import type { MailOutboxTable } from "../../db/schema";
import { addMs, type Clock, iso } from "../lib/clock";
import { PollingWorker } from "../lib/polling-worker";
import type { MailTransport } from "./transports";

export interface MailWorkerOptions {
  db: DB;
  clock: Clock;
  transport: MailTransport;
  from: string;
  pollIntervalMs: number;
  batchSize?: number;
  maxAttempts?: number;
  /** How long a claimed row stays ours; a worker that died is overtaken after this. */
  claimMs?: number;
  log?: (message: string) => void;
}

/** Delay before attempt n+1 after n failures: 5 s, 10 s, 20 s … capped at 30 min. */
export function backoffMs(failures: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, failures - 1), 30 * 60_000);
}

/**
 * Delivers the outbox. Rows are claimed with one conditional UPDATE (status → sending, with a
 * lease), so a crash never loses a mail: an expired lease is claimed again after restart.
 */
export class MailWorker extends PollingWorker {
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly claimMs: number;

  constructor(private readonly o: MailWorkerOptions) {
    super("mail worker", o.pollIntervalMs, o.log);
    this.batchSize = o.batchSize ?? 20;
    this.maxAttempts = o.maxAttempts ?? 10;
    this.claimMs = o.claimMs ?? 120_000;
  }

  protected work(): Promise<number> {
    return this.deliverDue();
  }

  private async claim(): Promise<MailOutboxTable[]> {
    const now = iso(this.o.clock.now());
    let due = this.o.db
      .selectFrom("mail_outbox")
      .select("id")
      .where((eb) =>
        eb.or([
          eb.and([eb("status", "=", "pending"), eb("next_attempt_at", "<=", now)]),
          eb.and([eb("status", "=", "sending"), eb("locked_until", "<=", now)]),
        ]),
      )
      .orderBy("created_at")
      .limit(this.batchSize);
    // PostgreSQL: instances skip each other's rows instead of waiting. SQLite: the single UPDATE
    // statement below is atomic under the database write lock, so claims never overlap.
    if (dialectOf(this.o.db) === "postgres") due = due.forUpdate().skipLocked();
    // Most polls find nothing: ask with a read first, so an idle worker never takes the write lock.
    if (!(await due.execute()).length) return [];
    return this.o.db
      .updateTable("mail_outbox")
      .set({
        status: "sending",
        locked_until: iso(addMs(this.o.clock.now(), this.claimMs)),
        attempts: sql<number>`attempts + 1`,
      })
      .where("id", "in", due)
      .returningAll()
      .execute();
  }

  private async deliverDue(): Promise<number> {
    const rows = await this.claim();
    let sent = 0;
    for (const row of rows) {
      try {
        await this.o.transport.send({
          outboxId: row.id,
          from: this.o.from,
          to: row.to_address,
          subject: row.subject,
          html: row.html,
          text: row.text,
          createdAt: row.created_at,
        });
        await this.o.db
          .updateTable("mail_outbox")
          .set({ status: "sent", sent_at: iso(this.o.clock.now()), locked_until: null, last_error: null })
          .where("id", "=", row.id)
          .execute();
        sent++;
      } catch (error) {
        const message = (error as Error).message?.slice(0, 500) ?? String(error);
        const final = row.attempts >= this.maxAttempts;
        await this.o.db
          .updateTable("mail_outbox")
          .set({
            status: final ? "failed" : "pending",
            next_attempt_at: iso(addMs(this.o.clock.now(), backoffMs(row.attempts))),
            locked_until: null,
            last_error: message,
          })
          .where("id", "=", row.id)
          .execute();
        this.log?.(`mail ${row.id} (${row.template}) attempt ${row.attempts} failed: ${message}`);
      }
    }
    return sent;
  }
}
