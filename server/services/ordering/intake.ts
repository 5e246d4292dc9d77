import type { ApplicationTable } from "../../../db/schema";
import { type QueueSpec, QueueWorker, type QueueWorkerOptions } from "../../lib/leased-queue";
import type { ServiceDeps } from "../deps";
import { deliveryOf } from "./applications";
import { notifyIntakeFailed } from "./staff-notify";
import { mailIntakeFailed, mailReceived } from "./status-mails";

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
  /** An extension (kind "extension"): the 返却予定日 asked for. */
  requestedEndDate: string | null;
  delivery: Record<string, string>;
  notes: string;
  poNumber: string;
  /** An order placed from an answered quote (この見積で注文する): the quote's number, whose 単価 hold. */
  quoteNumber: string | null;
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

export interface IntakeWorkerOptions extends QueueWorkerOptions {
  handler: IntakeHandler;
  /**
   * The mails of a status change, each in the transaction of that change: 受付完了 mails the submitting
   * user 申込受付; 受付失敗 mails them 受付失敗のお知らせ and tells the company (STAFF_NOTIFY_EMAIL).
   */
  mail: Pick<ServiceDeps, "outbox" | "config">;
}

/** Applications as a leased queue: a claimed one stays `pending`, with a lease. */
const INTAKE_QUEUE: QueueSpec<"applications"> = {
  table: "applications",
  columns: {
    status: "intake_status",
    nextAttemptAt: "intake_next_attempt_at",
    lockedUntil: "intake_locked_until",
    attempts: "intake_attempts",
    error: "intake_error",
  },
  status: { waiting: "pending", leased: "pending", done: "accepted", failed: "failed" },
  maxAttempts: 6,
  describe: (row) => `intake ${row.number}`,
};

/**
 * Hands stored applications to intake, durably: a row stays `pending` until intake took it
 * (受付完了, and only then the customer's 申込受付 mail) or every attempt failed (受付失敗, and its mails). Claimed like the mail outbox, so two instances never
 * deliver one application twice at the same time.
 */
export class IntakeWorker extends QueueWorker<"applications"> {
  constructor(private readonly o: IntakeWorkerOptions) {
    const mail = o.mail;
    super(
      "intake worker",
      {
        ...INTAKE_QUEUE,
        onCompleted: (trx, row) => mailReceived(mail, trx, row.number),
        onFailed: async (trx, row) => {
          await mailIntakeFailed(mail, trx, row.number);
          await notifyIntakeFailed(mail, trx, row.number);
        },
      },
      o,
    );
  }

  protected async handle(row: ApplicationTable): Promise<void> {
    await this.o.handler.deliver(await this.payload(row));
  }

  private async payload(a: ApplicationTable): Promise<IntakePayload> {
    const account = await this.o.db
      .selectFrom("accounts")
      .select(["login_id", "company_name"])
      .where("id", "=", a.account_id)
      .executeTakeFirstOrThrow();
    const quote = a.quote_id
      ? await this.o.db.selectFrom("applications").select("number").where("id", "=", a.quote_id).executeTakeFirst()
      : undefined;
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
      requestedEndDate: a.requested_end_date,
      delivery: deliveryOf(a),
      notes: a.notes,
      poNumber: a.po_number,
      quoteNumber: quote?.number ?? null,
      lines: lines.map((l) => ({
        lineNo: l.line_no,
        modelNo: l.model_no,
        productName: l.product_name,
        quantity: l.quantity,
      })),
    };
  }
}
