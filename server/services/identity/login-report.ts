import { type DB, lockAccount } from "../../../db";
import { HOUR } from "../../lib/clock";
import { formatTokyo } from "../../lib/format";
import { recordAudit, userActor } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { consumeLink, findLink, type LinkKind, requireLink, sendLink } from "./mailed-links";
import { RESET_LINK } from "./password-reset";
import type { UserRow } from "./user-records";
import { createVerification, voidVerifications } from "./verification";

/**
 * 心当たりがない場合 (issue 14 item 1, SPEC §3): every ログイン通知 carries a one-time link of its own. Used, it
 * ends every session of the user at once, voids the password (the user sets a new one from a reset mail) and
 * every other mailed link (an email change an intruder may have asked for), records the event and tells the
 * contact center. The link lives a day, like the other mailed links it is stored as a hash only and works
 * once; unlike them, a newer link of its kind does not void it (each sign-in has its own notice), nor does a
 * password change (an intruder who changed the password must not take the owner's way out with it).
 */

export const LOGIN_REPORT_TTL_MS = 24 * HOUR;

export const LOGIN_REPORT_INVALID_MESSAGE =
  "このURLは無効か、有効期限が切れています。ログインにお心当たりがない場合は、パスワード再設定をお申し込みのうえ、コンタクトセンタまでお問い合わせください。";

/** Not a MailedLink of its own mail: it rides in the ログイン通知 (loginReportLink). */
const REPORT_LINK: LinkKind = { purpose: "login_report", invalidMessage: LOGIN_REPORT_INVALID_MESSAGE };
const REPORT_PATH = "/login-report/";

/** The sign-in a link reports, as its notice showed it. */
export interface ReportedLogin {
  loginAt: string;
  ip: string;
  browser: string;
}

/**
 * A new link for the notice of a sign-in, in the transaction that queues the notice. Older links stay
 * usable: the owner may read an earlier notice after signing in again.
 */
export async function loginReportLink(
  deps: ServiceDeps,
  trx: DB,
  userId: string,
  login: ReportedLogin,
): Promise<{ url: string; expiresAt: string }> {
  const { token, expiresAt } = await createVerification(trx, deps.clock, {
    purpose: REPORT_LINK.purpose,
    userId,
    ttlMs: LOGIN_REPORT_TTL_MS,
    payload: JSON.stringify(login),
    keepOthers: true,
  });
  return { url: `${deps.config.appOrigin}${REPORT_PATH}${token}`, expiresAt: formatTokyo(expiresAt) };
}

function reportedLogin(payload: string | null): ReportedLogin {
  const parsed = JSON.parse(payload ?? "{}") as Partial<ReportedLogin>;
  return { loginAt: parsed.loginAt ?? "不明", ip: parsed.ip ?? "不明", browser: parsed.browser ?? "不明" };
}

/** What the link's page shows (the sign-in it is about), or null when the link cannot be used. */
export async function loginReportInfo(deps: ServiceDeps, token: string): Promise<ReportedLogin | null> {
  const open = await findLink(deps, REPORT_LINK, token);
  return open ? reportedLogin(open.verification.payload) : null;
}

/**
 * すべての端末からログアウト: in one transaction the link is used up, the password voided, every other open
 * link ended, a reset link mailed, the event recorded and the contact center told; then every session of
 * the user is deleted (sessions are read from the database on every request, so on every instance at once).
 */
export async function reportLogin(deps: ServiceDeps, token: string, meta: RequestMeta): Promise<UserRow> {
  const open = await requireLink(deps, REPORT_LINK, token);
  const user = open.user;
  const login = reportedLogin(open.verification.payload);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, user.accountId);
    await consumeLink(deps, trx, open);
    await trx.updateTable("users").set({ password_hash: null }).where("id", "=", user.id).execute();
    // Every open link and code, the other notices' links too: the report is done once.
    await voidVerifications(trx, deps.clock, user.id);
    await trx.deleteFrom("sessions").where("user_id", "=", user.id).execute();
    await sendLink(deps, trx, RESET_LINK, user);
    await recordAudit(trx, deps.clock, userActor(user), meta, "auth.login_reported", {
      target: user.email,
      details: { reported: login },
    });
    const to = deps.config.staffNotifyEmail;
    if (to) {
      await deps.outbox.enqueue(trx, to, "staff-login-reported", {
        accountCompany: user.company_name,
        loginId: user.login_id,
        userName: user.name || user.email,
        email: user.email,
        loginAt: login.loginAt,
        ip: login.ip,
        browser: login.browser,
        reportedAt: formatTokyo(now),
        url: `${deps.config.appOrigin}/admin/accounts/${encodeURIComponent(user.accountId)}`,
      });
    }
  });
  return user;
}
