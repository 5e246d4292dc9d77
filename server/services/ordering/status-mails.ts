import type { DB } from "../../../db";
import { formatTokyo } from "../../lib/format";
import type { ServiceDeps } from "../deps";
import { KIND_LABEL } from "./applications";
import { submitter } from "./rentals";

/**
 * The customer's mails about intake (#12 item 3): 申込受付 once intake has accepted an application
 * (受付完了), 受付失敗のお知らせ once it gives one up. Each goes to the user who submitted it
 * (applications.user_id) and is enqueued in the transaction that changes the application's status, so a
 * mail exists exactly when that status does. A submitting user deleted since is sent nothing (as
 * 手配完了 and 見積回答 do): their address is no longer the account's, and every other user of the
 * account sees the status in 申込履歴 (ADR 017).
 */

type MailDeps = Pick<ServiceDeps, "outbox" | "config">;

async function application(trx: DB, number: string) {
  return trx
    .selectFrom("applications")
    .select(["number", "kind", "user_id", "created_at"])
    .where("number", "=", number)
    .executeTakeFirstOrThrow();
}

async function mailStatus(
  deps: MailDeps,
  trx: DB,
  number: string,
  template: "application-received" | "application-failed",
): Promise<void> {
  const a = await application(trx, number);
  const user = await submitter(trx, a.user_id);
  if (!user) return;
  await deps.outbox.enqueue(trx, user.email, template, {
    accountCompany: user.company_name,
    userName: user.name || user.email,
    number: a.number,
    kind: KIND_LABEL[a.kind],
    submittedAt: formatTokyo(new Date(a.created_at)),
    url: `${deps.config.appOrigin}/account/history/${encodeURIComponent(a.number)}`,
  });
}

/** お申し込み受付のお知らせ: in the transaction in which intake accepts the application (受付完了). */
export function mailReceived(deps: MailDeps, trx: DB, number: string): Promise<void> {
  return mailStatus(deps, trx, number, "application-received");
}

/** 受付失敗のお知らせ (call the contact center): in the transaction that marks the application 受付失敗. */
export function mailIntakeFailed(deps: MailDeps, trx: DB, number: string): Promise<void> {
  return mailStatus(deps, trx, number, "application-failed");
}
