import type { DB } from "../../../db";
import { formatDate, formatTokyo } from "../../lib/format";
import type { ServiceDeps } from "../deps";
import { KIND_LABEL } from "./applications";
import { moneyOf } from "./history";
import { yen } from "./pricing";
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
    .select([
      "id",
      "number",
      "kind",
      "user_id",
      "created_at",
      "period",
      "period_unit",
      "previous_end_date",
      "requested_end_date",
    ])
    .where("number", "=", number)
    .executeTakeFirstOrThrow();
}

/**
 * お申し込みの内容 as mail text: a line per product (単価 × 数量 = 金額 on a quote request or order, 解約数量 on a
 * cancellation), then 小計, 消費税 and 合計 (pricing.ts, as on the application's page), marked 概算 where staff
 * confirm the final price.
 */
async function contents(trx: DB, a: Awaited<ReturnType<typeof application>>): Promise<string> {
  const lines = await trx
    .selectFrom("application_lines")
    .select(["model_no", "product_name", "quantity", "unit_price", "list_price"])
    .where("application_id", "=", a.id)
    .orderBy("line_no")
    .execute();
  const { priced, money } = moneyOf(a, lines);
  const out = lines.map((l, i) => {
    const p = priced[i];
    if (a.kind === "cancellation") return `${l.model_no} ${l.product_name} 解約数量 ${l.quantity}`;
    if (a.kind === "extension") return `${l.model_no} ${l.product_name} 数量 ${l.quantity}`;
    const amount = p?.amount === null || p?.amount === undefined ? "—" : yen(p.amount);
    return `${l.model_no} ${l.product_name} ${p?.unitPriceLabel ?? "—"} × ${l.quantity} = ${amount}`;
  });
  if (money?.complete) {
    out.push(
      "",
      `小計 ${yen(money.subtotal)}`,
      ...money.taxes.map((t) => `消費税(${t.ratePercent}%) ${yen(t.tax)}`),
      `合計 ${yen(money.total)}${money.estimate ? "(概算)" : ""}`,
    );
    if (money.estimate) {
      out.push(
        a.kind === "quote"
          ? "※ カタログ価格(税抜)による概算です。お見積りの金額は見積回答でお知らせします。"
          : "※ カタログ価格(税抜)による概算です。最終的な金額は手配時に当社が確定し、ご連絡します。",
      );
    }
  }
  if (a.kind === "extension") {
    out.unshift(
      `延長後の返却予定日: ${formatDate(a.requested_end_date)}(現在の返却予定日: ${formatDate(a.previous_end_date)})`,
      "",
    );
  }
  return out.join("\n");
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
    contents: await contents(trx, a),
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
