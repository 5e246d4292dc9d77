import { type DB, lockAccount } from "../../../db";
import { newId } from "../../lib/crypto";
import { formatDate, tokyoDateString } from "../../lib/format";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { type Actor, emptyApplication, nextNumber, PERIOD_MAX, submitOnce } from "./applications";
import { getRental, openExtensionOf, plannedEndDate, type RentalLineView, type RentalView } from "./rentals";
import { notifyNewApplication } from "./staff-notify";

/**
 * 延長申込 (issue 14 item 2, SPEC §3): a running rental's 返却予定日 moved later, asked for by any user of the
 * account as an application `E-YYYY-NNNNNN` (in 申込履歴, through intake like the other kinds). Staff confirm it
 * in the back office (延長確認, backoffice/application-actions.ts), which moves `rentals.due_date`. The rules:
 * - the rental is running and has a 返却予定日 (one without a period has nothing to extend), and some of its
 *   goods are still out (not all asked back);
 * - the new date (typed, or the current 返却予定日 plus a 延長期間 of days or months) is after the current
 *   返却予定日, not in the past, and within the longest period an order may have from the rental's start
 *   (PERIOD_MAX months);
 * - one open (unconfirmed) extension per rental: a second one waits for the first to be confirmed. Checked
 *   again with the account locked, so two parallel requests make one application.
 * - 全ての商品を延長 covers every line still out; 一部の商品を延長 the lines picked (at least one, each still out).
 *   The new date must be after the current 返却予定日 of every line it covers; 延長期間 is added to the latest
 *   of them. Once staff confirm an extension of some lines, each line keeps its own 返却予定日 and the rental's
 *   is the earliest of the lines still out (ADR 024, migration 0021).
 */

export interface ExtensionInput {
  rentalId: string;
  /** 全ての商品を延長 ("all", the default) or 一部の商品を延長 ("partial": the lines in `lineIds`). */
  mode?: "all" | "partial";
  /** The rental lines to extend when `mode` is "partial". */
  lineIds?: string[];
  /** 延長後の返却予定日, "YYYY-MM-DD"; blank when 延長期間 is given instead. */
  endDate: string;
  /** 延長期間 (0 or absent: not given): the new date is the current one plus this many days or months. */
  addPeriod?: number;
  addUnit?: "day" | "month";
  notes: string;
  idempotencyKey: string;
}

/** The latest 返却予定日 an extension may ask for: the rental's start plus the longest order period. */
export function latestEndDate(startDate: string): string {
  return plannedEndDate(startDate, "month", PERIOD_MAX.month);
}

/** The latest of some "YYYY-MM-DD" dates ("" for none). */
function latestOf(dates: (string | null)[]): string {
  return dates.reduce<string>((latest, d) => (d && d > latest ? d : latest), "");
}

/**
 * Refuses a second 延長申込 while the rental's earlier one waits for staff to confirm it (rentals.ts
 * openExtensionOf: at most one is open).
 */
async function refuseWhileExtensionOpen(db: DB, rentalId: string): Promise<void> {
  const open = await openExtensionOf(db, rentalId);
  if (open) {
    throw new DomainError(
      "VALIDATION",
      `この注文には確認待ちの延長申込(${open})があります。確認が済んでから、あらためてお申し込みください。`,
    );
  }
}

export interface CheckedExtension {
  rental: RentalView;
  /** The lines the extension covers (all still out, or those picked). */
  lines: RentalLineView[];
  /** Only some of the lines still out are extended. */
  partial: boolean;
  /** The 返却予定日 now of the lines it covers (the latest, if they differ). */
  currentEndDate: string;
  endDate: string;
  endDateLabel: string;
  currentEndDateLabel: string;
  /** Days the rental gets longer. */
  addedDays: number;
}

const INVALID = "入力内容をご確認ください。";

/** Checks an extension against the rental as it is now (the confirmation step shows what it returns). */
export async function validateExtension(
  deps: ServiceDeps,
  accountId: string,
  input: ExtensionInput,
): Promise<CheckedExtension> {
  const rental = await getRental(deps, accountId, input.rentalId);
  if (!rental.plannedEndDate) {
    throw new DomainError(
      "VALIDATION",
      "返却予定日のないレンタルは延長できません。コンタクトセンタへお問い合わせください。",
    );
  }
  const running = rental.lines.filter((l) => l.cancellable > 0);
  if (!running.length) {
    throw new DomainError("VALIDATION", "すべての商品の解約を申し込み済みのため、延長できません。");
  }
  await refuseWhileExtensionOpen(deps.db, rental.id);
  const errors: Record<string, string[]> = {};
  // The lines it covers, and the latest 返却予定日 among them: the date it extends from.
  const partial = input.mode === "partial";
  const picked = new Set(input.lineIds ?? []);
  const lines = partial ? running.filter((l) => picked.has(l.id)) : running;
  if (partial && [...picked].some((id) => !running.some((l) => l.id === id))) {
    errors.lines = ["延長できない商品(解約を申し込み済みの商品)が選ばれています。画面を開き直してください。"];
  } else if (partial && !lines.length) {
    errors.lines = ["延長する商品を選んでください。"];
  }
  const current = latestOf((lines.length ? lines : running).map((l) => l.plannedEndDate ?? rental.plannedEndDate));
  const today = tokyoDateString(deps.clock.now());
  const latest = latestEndDate(rental.startDate);
  // The date as typed, or as 延長期間 gives it (its messages then stand beside that field).
  let endDate = input.endDate;
  let field: "endDate" | "addPeriod" = "endDate";
  const period = input.addPeriod ?? 0;
  const unit = input.addUnit ?? "day";
  if (endDate && period) {
    errors.addPeriod = ["延長後の返却予定日と延長期間は、どちらか一方だけを入力してください。"];
  } else if (!endDate && period) {
    field = "addPeriod";
    const max = PERIOD_MAX[unit];
    if (!Number.isInteger(period) || period < 1 || period > max) {
      errors.addPeriod = [`延長期間は1〜${max}の整数で入力してください(単位: ${unit === "day" ? "日" : "か月"})。`];
    } else endDate = plannedEndDate(current, unit, period);
  }
  if (errors.addPeriod) {
    // Said beside 延長期間 already.
  } else if (!/^\d{4}-\d{2}-\d{2}$/.test(endDate) || Number.isNaN(Date.parse(endDate))) {
    errors.endDate = ["延長後の返却予定日か延長期間を入力してください。"];
  } else if (endDate <= current) {
    errors[field] = [
      `延長後の返却予定日には、現在の返却予定日(${formatDate(current)})より後の日付を指定してください。`,
    ];
  } else if (endDate < today) {
    errors[field] = [
      field === "endDate"
        ? "延長後の返却予定日には本日以降の日付を指定してください。"
        : `この延長期間では延長後の返却予定日(${formatDate(endDate)})が本日より前になります。もっと長い期間か、日付を指定してください。`,
    ];
  } else if (endDate > latest) {
    errors[field] = [
      `延長後の返却予定日は${formatDate(latest)}までの日付を指定してください(レンタル開始日から最長${PERIOD_MAX.month}か月)。`,
    ];
  }
  if ([...input.notes.trim()].length > 1000) errors.notes = ["備考は1000文字以内で入力してください。"];
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(input.idempotencyKey)) errors._form = ["画面を開き直してからお申し込みください。"];
  if (Object.keys(errors).length) throw new DomainError("VALIDATION", INVALID, errors);
  return {
    rental,
    lines,
    partial: partial && lines.length < running.length,
    currentEndDate: current,
    endDate,
    currentEndDateLabel: formatDate(current),
    endDateLabel: formatDate(endDate),
    addedDays: Math.round((Date.parse(endDate) - Date.parse(current)) / 86_400_000),
  };
}

/**
 * 申し込む: the extension application, with the rental's running lines (what it covers) and the dates, the
 * company told (【新規申込】) and the event recorded, in one transaction; a resend of the same form gives the
 * same application (idempotency key).
 */
export async function requestExtension(
  deps: ServiceDeps,
  actor: Actor,
  input: ExtensionInput,
  meta: RequestMeta,
): Promise<{ id: string; number: string; created: boolean }> {
  return submitOnce(deps, actor.accountId, input.idempotencyKey, async () => {
    const checked = await validateExtension(deps, actor.accountId, input);
    const { rental } = checked;
    const now = deps.clock.now();
    const id = newId();
    const number = await deps.db.transaction().execute(async (trx) => {
      await lockAccount(trx, actor.accountId);
      // Again under the lock: of two parallel requests the second finds the first.
      await refuseWhileExtensionOpen(trx, rental.id);
      // The covered lines' dates as they are now: the latest must still be the one checked.
      const live = await trx
        .selectFrom("rental_lines")
        .innerJoin("rentals", "rentals.id", "rental_lines.rental_id")
        .select(["rentals.status", "rentals.due_date as rental_due", "rental_lines.due_date"])
        .where(
          "rental_lines.id",
          "in",
          checked.lines.map((l) => l.id),
        )
        .execute();
      const liveDate = latestOf(live.map((l) => l.due_date ?? l.rental_due));
      if (live.some((l) => l.status !== "active") || liveDate !== checked.currentEndDate) {
        throw new DomainError(
          "VALIDATION",
          "返却予定日が変わりました。画面を開き直して、延長後の返却予定日をご確認ください。",
        );
      }
      const number = await nextNumber(trx, "extension", now);
      await trx
        .insertInto("applications")
        .values({
          ...emptyApplication(id, number, actor, "extension", input.idempotencyKey, now),
          rental_id: rental.id,
          requested_end_date: checked.endDate,
          previous_end_date: checked.currentEndDate,
          notes: input.notes.trim(),
        })
        .execute();
      const { lines } = checked;
      await trx
        .insertInto("application_lines")
        .values(
          lines.map((l, i) => ({
            id: newId(),
            application_id: id,
            line_no: i + 1,
            product_id: "",
            model_no: l.modelNo,
            product_name: l.productName,
            quantity: l.cancellable,
            rental_line_id: l.id,
          })),
        )
        .execute();
      await notifyNewApplication(deps, trx, number);
      await recordAudit(trx, deps.clock, actor, meta, "application.extension", {
        target: `${number} (${rental.contractNo})`,
        details: {
          from: checked.currentEndDate,
          to: checked.endDate,
          ...(checked.partial ? { lines: lines.map((l) => l.modelNo) } : {}),
        },
      });
      return number;
    });
    return { id, number };
  });
}
