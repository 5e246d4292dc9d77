import { sql } from "kysely";
import { type DB, dialectOf } from "../../../db";
import type { ApplicationTable } from "../../../db/schema";
import { addMs, type Clock, iso } from "../../lib/clock";
import { PollingWorker } from "../../lib/polling-worker";
import { backoffMs } from "../../mail/worker";
import { deliveryOf } from "./applications";

/** What order intake receives for one application. */
export interface IntakePayload {
  number: string;
  kind: ApplicationTable["kind"];
  loginId: string;
  companyName: string;
  createdAt: string;
  startDate: string | null;
  period: number | null;
  periodUnit: string | null;
  returnDate: string | null;
  delivery: Record<string, string>;
  notes: string;
  poNumber: string;
  lines: { lineNo: number; modelNo: string; productName: string; quantity: number }[];
}

export interface IntakeHandler {
  readonly name: string;
  deliver(payload: IntakePayload): Promise<void>;
}

/** The built-in back office: an application stored in the database is in the staff's queue. */
export const builtinIntake: IntakeHandler = { name: "builtin", deliver: async () => undefined };

/** An external order-intake system (INTAKE_WEBHOOK_URL): any 2xx accepts, anything else is retried. */
export function webhookIntake(url: string, timeoutMs = 10_000): IntakeHandler {
  return {
    name: "webhook",
    async deliver(payload) {
      const res = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Idempotency-Key": payload.number },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`intake answered ${res.status}`);
    },
  };
}

export interface IntakeWorkerOptions {
  db: DB;
  clock: Clock;
  handler: IntakeHandler;
  pollIntervalMs: number;
  maxAttempts?: number;
  claimMs?: number;
  log?: (message: string) => void;
}

/**
 * Hands stored applications to intake, durably: a row stays `pending` until intake took it
 * (受付完了) or every attempt failed (受付失敗). Claimed like the mail outbox, so two instances never
 * deliver one application twice at the same time.
 */
export class IntakeWorker extends PollingWorker {
  private readonly maxAttempts: number;
  private readonly claimMs: number;

  constructor(private readonly o: IntakeWorkerOptions) {
    super("intake worker", o.pollIntervalMs, o.log);
    this.maxAttempts = o.maxAttempts ?? 6;
    this.claimMs = o.claimMs ?? 120_000;
  }

  protected work(): Promise<number> {
    return this.processDue();
  }

  private async claim(): Promise<ApplicationTable[]> {
    const now = iso(this.o.clock.now());
    let due = this.o.db
      .selectFrom("applications")
      .select("id")
      .where((eb) =>
        eb.or([
          eb.and([
            eb("intake_status", "=", "pending"),
            eb("intake_next_attempt_at", "<=", now),
            eb("intake_locked_until", "is", null),
          ]),
          eb.and([eb("intake_status", "=", "pending"), eb("intake_locked_until", "<=", now)]),
        ]),
      )
      .orderBy("created_at")
      .limit(20);
    if (dialectOf(this.o.db) === "postgres") due = due.forUpdate().skipLocked();
    // Most polls find nothing: ask with a read first, so an idle worker never takes the write lock.
    if (!(await due.execute()).length) return [];
    return this.o.db
      .updateTable("applications")
      .set({
        intake_locked_until: iso(addMs(this.o.clock.now(), this.claimMs)),
        intake_attempts: sql<number>`intake_attempts + 1`,
      })
      .where("id", "in", due)
      .returningAll()
      .execute();
  }

  private async payload(a: ApplicationTable): Promise<IntakePayload> {
    const account = await this.o.db
      .selectFrom("accounts")
      .select(["login_id", "company_name"])
      .where("id", "=", a.account_id)
      .executeTakeFirstOrThrow();
    const lines = await this.o.db
      .selectFrom("application_lines")
      .selectAll()
      .where("application_id", "=", a.id)
      .orderBy("line_no")
      .execute();
    return {
      number: a.number,
      kind: a.kind,
      loginId: account.login_id,
      companyName: account.company_name,
      createdAt: a.created_at,
      startDate: a.start_date,
      period: a.period,
      periodUnit: a.period_unit,
      returnDate: a.return_date,
      delivery: deliveryOf(a),
      notes: a.notes,
      poNumber: a.po_number,
      lines: lines.map((l) => ({
        lineNo: l.line_no,
        modelNo: l.model_no,
        productName: l.product_name,
        quantity: l.quantity,
      })),
    };
  }

  private async processDue(): Promise<number> {
    const rows = await this.claim();
    let accepted = 0;
    for (const row of rows) {
      try {
        await this.o.handler.deliver(await this.payload(row));
        await this.o.db
          .updateTable("applications")
          .set({ intake_status: "accepted", intake_locked_until: null, intake_error: null })
          .where("id", "=", row.id)
          .execute();
        accepted++;
      } catch (error) {
        const message = ((error as Error).message ?? String(error)).slice(0, 500);
        const final = row.intake_attempts >= this.maxAttempts;
        await this.o.db
          .updateTable("applications")
          .set({
            intake_status: final ? "failed" : "pending",
            intake_next_attempt_at: iso(addMs(this.o.clock.now(), backoffMs(row.intake_attempts))),
            intake_locked_until: null,
            intake_error: message,
          })
          .where("id", "=", row.id)
          .execute();
        this.log?.(`intake ${row.number} attempt ${row.intake_attempts} failed: ${message}`);
      }
    }
    return accepted;
  }
}
