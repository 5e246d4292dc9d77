import type { DB } from "../../../db";
import { formatDate, formatTokyo } from "../../lib/format";
import type { ServiceDeps } from "../deps";
import { KIND_LABEL } from "./applications";

/**
 * Mails to the rental company (STAFF_NOTIFY_EMAIL, SPEC §6): 【新規申込】 when an application is stored and
 * 【受付失敗】 when intake gives it up. Each is enqueued in the transaction of that change, so the mail exists
 * exactly when the change does. Unset: nothing. Contents: what staff need to find and judge it — number, kind,
 * company, login ID, the submitting user, the lines, a link to the back office — never a secret (no intake
 * error text either: an endpoint's answer is not ours to forward; the detail page shows it to staff).
 */

type NotifyDeps = Pick<ServiceDeps, "outbox" | "config">;

async function contents(deps: NotifyDeps, trx: DB, number: string) {
  const a = await trx
    .selectFrom("applications")
    .innerJoin("accounts", "accounts.id", "applications.account_id")
    .leftJoin("users", "users.id", "applications.user_id")
    .leftJoin("rentals", "rentals.id", "applications.rental_id")
    .select([
      "applications.id",
      "applications.number",
      "applications.kind",
      "applications.created_at",
      "applications.start_date",
      "applications.period",
      "applications.period_unit",
      "applications.return_date",
      "applications.previous_end_date",
      "applications.requested_end_date",
      "applications.intake_attempts",
      "accounts.login_id",
      "accounts.company_name",
      "users.name as user_name",
      "users.email as user_email",
      "rentals.contract_no",
    ])
    .where("applications.number", "=", number)
    .executeTakeFirstOrThrow();
  const lines = await trx
    .selectFrom("application_lines")
    .select(["line_no", "model_no", "product_name", "quantity"])
    .where("application_id", "=", a.id)
    .orderBy("line_no")
    .execute();
  const details =
    a.kind === "cancellation"
      ? `契約番号 ${a.contract_no ?? "—"}、返却希望日 ${formatDate(a.return_date)}`
      : a.kind === "extension"
        ? `契約番号 ${a.contract_no ?? "—"}、返却予定日 ${formatDate(a.previous_end_date)} → 延長後 ${formatDate(a.requested_end_date)}`
        : `レンタル開始日 ${formatDate(a.start_date)}、期間 ${a.period ?? "—"}${a.period_unit === "day" ? "日" : "か月"}`;
  return {
    vars: {
      number: a.number,
      kind: KIND_LABEL[a.kind],
      submittedAt: formatTokyo(new Date(a.created_at)),
      accountCompany: a.company_name,
      loginId: a.login_id,
      userName: a.user_email ? `${a.user_name || "(氏名未設定)"} <${a.user_email}>` : "(削除されたユーザ)",
      details,
      lines: lines
        .map(
          (l) =>
            `${l.line_no}. ${l.model_no} ${l.product_name} × ${l.quantity}${a.kind === "cancellation" ? "(解約)" : a.kind === "extension" ? "(延長)" : ""}`,
        )
        .join("\n"),
      url: `${deps.config.appOrigin}/admin/applications/${encodeURIComponent(a.number)}`,
    },
    attempts: a.intake_attempts,
  };
}

/** 【新規申込】: in the transaction that stored the application (its lines already inserted). */
export async function notifyNewApplication(deps: NotifyDeps, trx: DB, number: string): Promise<void> {
  const to = deps.config.staffNotifyEmail;
  if (!to) return;
  const { vars } = await contents(deps, trx, number);
  await deps.outbox.enqueue(trx, to, "staff-new-application", vars);
}

/** 【受付失敗】: in the transaction that marks the application 受付失敗 after its last attempt. */
export async function notifyIntakeFailed(deps: NotifyDeps, trx: DB, number: string): Promise<void> {
  const to = deps.config.staffNotifyEmail;
  if (!to) return;
  const { vars, attempts } = await contents(deps, trx, number);
  await deps.outbox.enqueue(trx, to, "staff-intake-failed", { ...vars, attempts: String(attempts) });
}
