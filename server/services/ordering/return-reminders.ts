import { sql } from "kysely";
import { iso } from "../../lib/clock";
import { formatDate, tokyoDateString } from "../../lib/format";
import { PollingWorker } from "../../lib/polling-worker";
import type { ServiceDeps } from "../deps";
import { daysBetween, submitter } from "./rentals";

/**
 * 返却予定のお知らせ (issue 14): a mail to the user who placed the order, `daysBefore` days before a running
 * rental's 返却予定日 (rentals.due_date), once per rental and date.
 *
 * - Once: the reminder row (primary key rental + date, migration 0017) is written in the transaction that
 *   queues the mail; of two instances, or a run repeated after a restart, the second finds the row and sends
 *   nothing. A due date moved later is a new date, so it gets its own reminder.
 * - A rental that came into the window while the job was not running (the server was down that day) is still
 *   reminded, up to its 返却予定日 itself; after that, no more.
 * - Lines with dates of their own (an extension of some lines, ADR 024): each date of the rental's lines still
 *   out is reminded, listing the lines due that day; the rental's own date is the earliest of them.
 * - Nothing for a closed rental, a rental without a period (no due date), or a user since deleted (the
 *   reminder is then recorded without a mail: there is nobody to tell).
 */

/** The most reminders one run sends; the next run goes on. */
const BATCH = 200;

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Sends the reminders due now; how many mails it queued. */
export async function sendReturnReminders(deps: ServiceDeps, daysBefore: number): Promise<number> {
  if (daysBefore <= 0) return 0;
  const now = deps.clock.now();
  const today = tokyoDateString(now);
  const until = addDays(today, daysBefore);
  const notReminded = (date: "rentals.due_date" | "rental_lines.due_date") =>
    sql<boolean>`not exists (select 1 from return_reminders where return_reminders.rental_id = rentals.id and return_reminders.due_date = ${sql.ref(date)})`;
  const rentalColumns = [
    "rentals.id",
    "rentals.contract_no",
    "applications.number",
    "applications.user_id",
    "applications.account_id",
  ] as const;
  const [byRental, byLine] = await Promise.all([
    deps.db
      .selectFrom("rentals")
      .innerJoin("applications", "applications.id", "rentals.order_application_id")
      .select([...rentalColumns, "rentals.due_date"])
      // A literal, not a parameter: SQLite uses the partial index rentals_active_due_idx only for a condition it
      // can see implies the index's own (status = 'active').
      .where(sql<boolean>`rentals.status = 'active'`)
      .where("rentals.due_date", ">=", today)
      .where("rentals.due_date", "<=", until)
      .where(notReminded("rentals.due_date"))
      .orderBy("rentals.due_date")
      .orderBy("rentals.id")
      .limit(BATCH)
      .execute(),
    // The lines' own dates, on rental_lines_due_idx (migration 0021).
    deps.db
      .selectFrom("rental_lines")
      .innerJoin("rentals", "rentals.id", "rental_lines.rental_id")
      .innerJoin("applications", "applications.id", "rentals.order_application_id")
      .select([...rentalColumns, "rental_lines.due_date"])
      .distinct()
      .where("rental_lines.due_date", "is not", null)
      .where("rental_lines.due_date", ">=", today)
      .where("rental_lines.due_date", "<=", until)
      .where(sql<boolean>`rental_lines.quantity_returned < rental_lines.quantity`)
      // A literal, so that SQLite keeps the statement prepared (a partial index's value; decision 019).
      .where("rentals.status", "=", sql.lit("active"))
      .where(notReminded("rental_lines.due_date"))
      .orderBy("rental_lines.due_date")
      .orderBy("rentals.id")
      .limit(BATCH)
      .execute(),
  ]);
  const seen = new Set<string>();
  const due = [...byRental, ...byLine]
    .filter((r) => {
      const key = `${r.id} ${r.due_date}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => ((a.due_date ?? "") < (b.due_date ?? "") ? -1 : (a.due_date ?? "") > (b.due_date ?? "") ? 1 : 0))
    .slice(0, BATCH);
  let sent = 0;
  for (const r of due) {
    const dueDate = r.due_date as string;
    const queued = await deps.db.transaction().execute(async (trx) => {
      const claimed = await trx
        .insertInto("return_reminders")
        .values({ rental_id: r.id, due_date: dueDate, sent_at: iso(now) })
        .onConflict((oc) => oc.columns(["rental_id", "due_date"]).doNothing())
        .returning("rental_id")
        .executeTakeFirst();
      // Another instance (or an earlier run) sent this one.
      if (!claimed) return false;
      const user = await submitter(trx, r.user_id);
      if (!user) return false;
      const lines = await trx
        .selectFrom("rental_lines")
        .innerJoin("rentals", "rentals.id", "rental_lines.rental_id")
        .select([
          "model_no",
          "product_name",
          "quantity",
          "quantity_returned",
          "rental_lines.due_date",
          "rentals.due_date as rental_due",
        ])
        .where("rental_id", "=", r.id)
        .orderBy("line_no")
        .execute();
      const left = daysBetween(today, dueDate);
      await deps.outbox.enqueue(trx, user.email, "return-reminder", {
        accountCompany: user.company_name,
        userName: user.name || user.email,
        contractNo: r.contract_no,
        number: r.number,
        dueDate: formatDate(dueDate),
        daysLeft: left === 0 ? "本日" : `あと${left}日`,
        items: lines
          // The lines due that day (a line without a date of its own has the rental's).
          .filter((l) => l.quantity > l.quantity_returned && (l.due_date ?? l.rental_due) === dueDate)
          .map((l) => `${l.model_no} ${l.product_name} ×${l.quantity - l.quantity_returned}`)
          .join("、"),
        url: `${deps.config.appOrigin}/rentals`,
      });
      return true;
    });
    if (queued) sent++;
  }
  return sent;
}

/** The job that sends 返却予定のお知らせ, every `pollIntervalMs` (RETURN_REMINDER_POLL_INTERVAL_MS). */
export class ReturnReminderWorker extends PollingWorker {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly daysBefore: number,
    pollIntervalMs: number,
    log?: (message: string) => void,
  ) {
    super("return reminders", pollIntervalMs, log);
  }

  protected work(): Promise<number> {
    return sendReturnReminders(this.deps, this.daysBefore);
  }
}
