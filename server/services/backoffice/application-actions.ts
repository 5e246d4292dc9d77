import { sql } from "kysely";
import { dialectOf } from "../../../db";
import { iso } from "../../lib/clock";
import { formatDate, formatTokyo, tokyoDateString } from "../../lib/format";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { documentAttachment, documentNote } from "../documents/documents";
import { DomainError } from "../errors";
import { moneyOf } from "../ordering/history";
import { yen } from "../ordering/pricing";
import { arrangeOrder, refreshRentalDueDate, submitter } from "../ordering/rentals";
import type { StaffActor } from "./applications";

/**
 * What staff do to one application (SPEC §6): 手配済にする, 見積回答, 返却確認, 延長確認, 再送. Each is one
 * transaction that first claims the application with a conditional UPDATE, so a double click or two
 * staff members at once change it once; each writes its audit row in that transaction.
 */

async function findApplication(deps: ServiceDeps, number: string) {
  const a = await deps.db
    .selectFrom("applications")
    .select(["id", "kind", "intake_status", "account_id", "user_id", "rental_id"])
    .where("number", "=", number)
    .executeTakeFirst();
  if (!a) throw new DomainError("NOT_FOUND", `申込 ${number} は見つかりません。`);
  return a;
}

/** 手配済にする: see `arrangeOrder` (a second click returns the rental the first one made). */
export async function arrangeApplication(
  deps: ServiceDeps,
  staff: StaffActor,
  number: string,
  meta: RequestMeta | null,
): Promise<{ contractNo: string; arranged: boolean }> {
  const { contractNo, arranged } = await arrangeOrder(deps, number, staff, meta);
  return { contractNo, arranged };
}

export interface QuoteAnswerInput {
  /** 単価 per application line id: yen per item, an integer ≥ 0. */
  unitPrices: Record<string, number>;
  /** 有効期限, "YYYY-MM-DD" in Japan time: today or later. */
  validUntil: string;
  /** コメント (optional), at most 1000 characters. */
  comment: string;
}

export const MAX_UNIT_PRICE = 100_000_000;

/**
 * 見積回答: a price per line, a validity date and a comment; mails 見積回答のお知らせ. A quote is answered
 * once: a second answer (double click, or another staff member) is refused, so the customer never
 * sees prices change under a mail already sent.
 */
export async function answerQuote(
  deps: ServiceDeps,
  staff: StaffActor,
  number: string,
  input: QuoteAnswerInput,
  meta: RequestMeta | null,
): Promise<{ total: number }> {
  const a = await findApplication(deps, number);
  if (a.kind !== "quote") throw new DomainError("NOT_FOUND", `見積依頼 ${number} は見つかりません。`);
  const lines = await deps.db
    .selectFrom("application_lines")
    .select(["id", "line_no", "quantity"])
    .where("application_id", "=", a.id)
    .orderBy("line_no")
    .execute();
  const errors: Record<string, string[]> = {};
  for (const line of lines) {
    const price = input.unitPrices[line.id];
    if (price === undefined || !Number.isInteger(price) || price < 0 || price > MAX_UNIT_PRICE) {
      errors[`price.${line.id}`] = [`単価は0〜${yen(MAX_UNIT_PRICE)}の整数で入力してください。`];
    }
  }
  const today = tokyoDateString(deps.clock.now());
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.validUntil) || Number.isNaN(Date.parse(input.validUntil))) {
    errors.validUntil = ["有効期限を入力してください。"];
  } else if (input.validUntil < today) {
    errors.validUntil = ["有効期限には本日以降の日付を指定してください。"];
  }
  const comment = input.comment.trim();
  if ([...comment].length > 1000) errors.comment = ["コメントは1000文字以内で入力してください。"];
  if (Object.keys(errors).length) throw new DomainError("VALIDATION", "入力内容をご確認ください。", errors);
  if (a.intake_status !== "accepted")
    throw new DomainError("VALIDATION", `見積依頼 ${number} は受付が完了していません。`);

  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const claimed = await trx
      .updateTable("applications")
      .set({ answered_at: iso(now), answered_by: staff.id, valid_until: input.validUntil, answer_comment: comment })
      .where("id", "=", a.id)
      .where("answered_at", "is", null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1)
      throw new DomainError("VALIDATION", `見積依頼 ${number} は回答済みです。`);
    for (const line of lines) {
      await trx
        .updateTable("application_lines")
        .set({ unit_price: input.unitPrices[line.id] ?? 0 })
        .where("id", "=", line.id)
        .execute();
    }
    // 小計 / 消費税 / 合計 as the customer's page shows them: quoted prices are final, not 概算.
    const { money } = moneyOf(
      // A quoted 単価 is for the whole rental: the period does not enter.
      { kind: "quote", period: null, period_unit: null },
      lines.map((l) => ({ quantity: l.quantity, unit_price: input.unitPrices[l.id] ?? 0, list_price: null })),
    );
    if (!money) throw new Error(`quote ${number} has no money`);
    const total = money.subtotal;
    const user = await submitter(trx, a.user_id);
    if (user) {
      // The 見積書, made from what this transaction just wrote (ADR 023).
      const pdf = await documentAttachment(trx, deps, a.account_id, number, "quote");
      await deps.outbox.enqueue(
        trx,
        user.email,
        "quote-answered",
        {
          accountCompany: user.company_name,
          userName: user.name || user.email,
          number,
          subtotal: yen(money.subtotal),
          tax: money.taxes.map((t) => `${yen(t.tax)}(${t.ratePercent}%)`).join("、"),
          total: yen(money.total),
          validUntil: formatDate(input.validUntil),
          comment,
          url: `${deps.config.appOrigin}/account/history/${number}`,
          documentNote: documentNote("見積書", pdf !== null),
        },
        { attachments: pdf ? [pdf] : [] },
      );
    }
    await recordAudit(trx, deps.clock, { ...staff, accountId: a.account_id }, meta, "quote.answer", {
      target: number,
      details: { total, validUntil: input.validUntil },
    });
    return { total };
  });
}

/**
 * 返却確認: the goods of a cancellation are back; the user who asked for it is mailed 返却確認のお知らせ
 * (the lines, and whether the rental ended) in the same transaction. Each line's returned count rises by what the
 * cancellation asked back — one conditional UPDATE that never passes quantity_cancel_requested — and
 * a rental with nothing left out ends (closed, ended_at) and leaves レンタル中の注文. Confirmed once:
 * a second click is answered `returned: false` and changes nothing. A customer cancelling more at the
 * same time only raises quantity_cancel_requested, which this never lowers; the rental can only close
 * when every item is back, when nothing is left to cancel.
 */
export async function confirmReturn(
  deps: ServiceDeps,
  staff: StaffActor,
  number: string,
  meta: RequestMeta | null,
): Promise<{ returned: boolean; rentalEnded: boolean }> {
  const a = await findApplication(deps, number);
  if (a.kind !== "cancellation") throw new DomainError("NOT_FOUND", `解約 ${number} は見つかりません。`);
  if (a.intake_status !== "accepted") throw new DomainError("VALIDATION", `解約 ${number} は受付が完了していません。`);
  return deps.db.transaction().execute(async (trx) => {
    // Two confirmations of one rental's cancellations, each returning the other's last item, must
    // not both miss that the rental is empty: on PostgreSQL they take turns on the rental's row.
    // (SQLite runs one write transaction at a time.)
    if (a.rental_id && dialectOf(trx) === "postgres") {
      await trx.selectFrom("rentals").select("id").where("id", "=", a.rental_id).forUpdate().execute();
    }
    const now = iso(deps.clock.now());
    const claimed = await trx
      .updateTable("applications")
      .set({ returned_at: now, returned_by: staff.id })
      .where("id", "=", a.id)
      .where("returned_at", "is", null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return { returned: false, rentalEnded: false };
    const lines = await trx
      .selectFrom("application_lines")
      .select(["rental_line_id", "quantity", "line_no", "model_no", "product_name"])
      .where("application_id", "=", a.id)
      .orderBy("line_no") // the rental's line order, as a customer's cancellation locks them
      .execute();
    for (const line of lines) {
      if (!line.rental_line_id) continue;
      const moved = await trx
        .updateTable("rental_lines")
        .set({ quantity_returned: sql<number>`quantity_returned + ${line.quantity}` })
        .where("id", "=", line.rental_line_id)
        .where(sql<boolean>`quantity_returned + ${line.quantity} <= quantity_cancel_requested`)
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) {
        throw new DomainError("VALIDATION", `解約 ${number} の返却数量が解約数量を超えます。`);
      }
    }
    let rentalEnded = false;
    if (a.rental_id) {
      const ended = await trx
        .updateTable("rentals")
        .set({ status: "closed", ended_at: now })
        .where("id", "=", a.rental_id)
        // A literal, so that SQLite keeps the statement prepared (a partial index's value; decision 019).
        .where("status", "=", sql.lit("active"))
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("rental_lines")
                .select("rental_lines.id")
                .whereRef("rental_lines.rental_id", "=", "rentals.id")
                .where(sql<boolean>`rental_lines.quantity_returned < rental_lines.quantity`),
            ),
          ),
        )
        .executeTakeFirst();
      rentalEnded = Number(ended.numUpdatedRows) === 1;
      // Lines with dates of their own (an extension of some lines): the rental's 返却予定日 is the earliest of
      // those still out.
      if (!rentalEnded) await refreshRentalDueDate(trx, a.rental_id);
    }
    // 返却確認のお知らせ to the user who asked for the cancellation (none once that user is deleted,
    // as 手配完了 and 見積回答: ADR 017).
    const user = await submitter(trx, a.user_id);
    if (user) {
      const rental = a.rental_id
        ? await trx.selectFrom("rentals").select("contract_no").where("id", "=", a.rental_id).executeTakeFirst()
        : undefined;
      await deps.outbox.enqueue(trx, user.email, "cancellation-returned", {
        accountCompany: user.company_name,
        userName: user.name || user.email,
        number,
        contractNo: rental?.contract_no ?? "—",
        returnedAt: formatTokyo(deps.clock.now()),
        rentalState: rentalEnded
          ? "終了しました(すべての商品の返却を確認しました)"
          : "継続中です(レンタル中の商品が残っています)",
        lines: lines.map((l) => `${l.line_no}. ${l.model_no} ${l.product_name} × ${l.quantity}`).join("\n"),
        url: `${deps.config.appOrigin}/account/history/${encodeURIComponent(number)}`,
      });
    }
    await recordAudit(trx, deps.clock, { ...staff, accountId: a.account_id }, meta, "cancellation.return", {
      target: number,
      details: rentalEnded ? { rentalEnded } : undefined,
    });
    return { returned: true, rentalEnded };
  });
}

/**
 * 延長確認: the 返却予定日 of the lines the extension covers moves to the date it asked for, and the user who
 * asked is mailed 延長確認のお知らせ, in one transaction. Confirmed once (a second click: `confirmed: false`).
 * - An extension of every line still out moves the rental's one 返却予定日; one of some lines gives each line
 *   its own date, and the rental's becomes the earliest of the lines still out (ADR 024). Lines returned
 *   meanwhile are left as they are.
 * - Refused with the reason, changing nothing: the rental has ended, every line it covers is back, or a line's
 *   date moved later than the one the extension was asked from.
 * A later 返却予定日 is a new date for 返却予定のお知らせ (return_reminders is keyed by rental and date), so the
 * reminder comes again.
 */
export async function confirmExtension(
  deps: ServiceDeps,
  staff: StaffActor,
  number: string,
  meta: RequestMeta | null,
): Promise<{ confirmed: boolean; endDate: string }> {
  const a = await findApplication(deps, number);
  if (a.kind !== "extension") throw new DomainError("NOT_FOUND", `延長申込 ${number} は見つかりません。`);
  if (a.intake_status !== "accepted")
    throw new DomainError("VALIDATION", `延長申込 ${number} は受付が完了していません。`);
  return deps.db.transaction().execute(async (trx) => {
    const ext = await trx
      .selectFrom("applications")
      .select(["requested_end_date", "previous_end_date", "confirmed_at"])
      .where("id", "=", a.id)
      .executeTakeFirstOrThrow();
    const endDate = ext.requested_end_date as string;
    const now = deps.clock.now();
    const claimed = await trx
      .updateTable("applications")
      .set({ confirmed_at: iso(now), confirmed_by: staff.id })
      .where("id", "=", a.id)
      .where("confirmed_at", "is", null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return { confirmed: false, endDate };
    // A 返却確認 of the same rental at once (which may end it, or move its date) waits on PostgreSQL, as two
    // 返却確認 do; SQLite runs one write transaction at a time.
    let rentalQuery = trx
      .selectFrom("rentals")
      .select(["id", "status", "due_date", "contract_no"])
      .where("id", "=", a.rental_id as string);
    if (dialectOf(trx) === "postgres") rentalQuery = rentalQuery.forUpdate();
    const rental = await rentalQuery.executeTakeFirstOrThrow();
    if (rental.status !== "active") {
      throw new DomainError("VALIDATION", "このレンタルはすでに終了しています(すべての商品の返却を確認済み)。");
    }
    const rentalLines = await trx
      .selectFrom("rental_lines")
      .select(["id", "line_no", "model_no", "product_name", "quantity", "quantity_returned", "due_date"])
      .where("rental_id", "=", rental.id)
      .orderBy("line_no")
      .execute();
    const asked = new Set(
      (
        await trx.selectFrom("application_lines").select("rental_line_id").where("application_id", "=", a.id).execute()
      ).map((l) => l.rental_line_id),
    );
    const out = rentalLines.filter((l) => l.quantity_returned < l.quantity);
    const covered = out.filter((l) => asked.has(l.id));
    if (!covered.length) {
      throw new DomainError("VALIDATION", "延長を申し込まれた商品は、すべて返却を確認済みです。");
    }
    // The dates it was asked from must still hold: a line moved later meanwhile (another way) is the staff's
    // question to the customer, not something to overwrite.
    const moved = covered.find((l) => (l.due_date ?? rental.due_date ?? "") > (ext.previous_end_date ?? ""));
    if (moved) {
      throw new DomainError(
        "VALIDATION",
        `レンタルの返却予定日が申込時(${formatDate(ext.previous_end_date)})から${formatDate(moved.due_date ?? rental.due_date)}に変わっています。お客様にご確認ください。`,
      );
    }
    if (covered.length === out.length && out.every((l) => l.due_date === null)) {
      // Every line still out follows the rental: its one 返却予定日 moves.
      await trx.updateTable("rentals").set({ due_date: endDate }).where("id", "=", rental.id).execute();
    } else {
      // Some lines only (or lines with dates of their own already): each line gets its date, and the rental's
      // is the earliest of those still out (ADR 024).
      await trx
        .updateTable("rental_lines")
        .set({ due_date: rental.due_date })
        .where("rental_id", "=", rental.id)
        .where("due_date", "is", null)
        .execute();
      await trx
        .updateTable("rental_lines")
        .set({ due_date: endDate })
        .where(
          "id",
          "in",
          covered.map((l) => l.id),
        )
        .execute();
      await refreshRentalDueDate(trx, rental.id);
    }
    const user = await submitter(trx, a.user_id);
    if (user) {
      await deps.outbox.enqueue(trx, user.email, "extension-confirmed", {
        accountCompany: user.company_name,
        userName: user.name || user.email,
        number,
        contractNo: rental.contract_no,
        previousEndDate: formatDate(ext.previous_end_date),
        endDate: formatDate(endDate),
        items: covered.map((l) => `${l.model_no} ${l.product_name}`).join("、"),
        confirmedAt: formatTokyo(now),
        url: `${deps.config.appOrigin}/account/history/${encodeURIComponent(number)}`,
      });
    }
    await recordAudit(trx, deps.clock, { ...staff, accountId: a.account_id }, meta, "extension.confirm", {
      target: number,
      details: {
        from: ext.previous_end_date,
        to: endDate,
        ...(covered.length < out.length ? { lines: covered.map((l) => l.model_no) } : {}),
      },
    });
    return { confirmed: true, endDate };
  });
}

/**
 * 再送: a 受付失敗 application goes back to the intake queue with fresh attempts (the intake worker
 * picks it up on its next pass; when it accepts, the customer gets 申込受付 then). A second click finds it already waiting: `retried: false`.
 */
export async function retryIntake(
  deps: ServiceDeps,
  staff: StaffActor,
  number: string,
  meta: RequestMeta | null,
): Promise<{ retried: boolean }> {
  const a = await findApplication(deps, number);
  return deps.db.transaction().execute(async (trx) => {
    const reset = await trx
      .updateTable("applications")
      .set({
        intake_status: "pending",
        intake_attempts: 0,
        intake_error: null,
        intake_locked_until: null,
        intake_next_attempt_at: iso(deps.clock.now()),
      })
      .where("id", "=", a.id)
      .where("intake_status", "=", "failed")
      .executeTakeFirst();
    if (Number(reset.numUpdatedRows) !== 1) {
      const now = await trx
        .selectFrom("applications")
        .select("intake_status")
        .where("id", "=", a.id)
        .executeTakeFirst();
      if (now?.intake_status === "pending") return { retried: false };
      throw new DomainError("VALIDATION", `申込 ${number} は受付失敗ではありません。`);
    }
    await recordAudit(trx, deps.clock, { ...staff, accountId: a.account_id }, meta, "application.intake_retry", {
      target: number,
    });
    return { retried: true };
  });
}
