import { MINUTE } from "../../lib/clock";
import { recordAudit, userActor } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { findLink, type MailedLink, sendLink } from "./mailed-links";
import { normalizeEmail, normalizeLoginId } from "./normalize";
import { type NewPasswordInput, setPasswordFromLink } from "./passwords";
import { hitRateLimit } from "./throttle";

export const RESET_TTL_MS = 30 * MINUTE;

export const TOKEN_INVALID_MESSAGE =
  "このURLは無効か、有効期限が切れています。お手数ですが、もう一度パスワード再設定をお申し込みください。";

export const RESET_LINK: MailedLink = {
  purpose: "password_reset",
  template: "password-reset",
  path: "/reset-password/",
  ttlMs: RESET_TTL_MS,
  invalidMessage: TOKEN_INVALID_MESSAGE,
};

/**
 * パスワードをお忘れの方: mails a reset link when the login ID + email pair exists. The caller shows
 * the same answer either way (no enumeration).
 */
export async function requestPasswordReset(
  deps: ServiceDeps,
  input: { loginId: string; email: string },
  meta: RequestMeta,
): Promise<void> {
  await hitRateLimit(deps.db, deps.clock, `reset:ip:${meta.ip ?? "unknown"}`, deps.config.loginRateLimitPerMinute);
  const loginId = normalizeLoginId(input.loginId);
  const emailNormalized = normalizeEmail(input.email);
  const user = await deps.db
    .selectFrom("users")
    .innerJoin("accounts", "accounts.id", "users.account_id")
    .select(["users.id", "users.email", "users.name", "accounts.id as accountId", "accounts.company_name"])
    .where("accounts.login_id", "=", loginId)
    .where("users.email_normalized", "=", emailNormalized)
    .where("users.status", "=", "active")
    .where("accounts.status", "=", "active")
    .executeTakeFirst();
  if (!user) {
    await recordAudit(deps.db, deps.clock, { type: "anonymous" }, meta, "password.reset_request", {
      target: `${loginId.slice(0, 64)} / ${emailNormalized.slice(0, 254)}`,
      result: "failure",
    });
    return;
  }
  await deps.db.transaction().execute(async (trx) => {
    await sendLink(deps, trx, RESET_LINK, { ...user, login_id: loginId });
    await recordAudit(trx, deps.clock, userActor(user), meta, "password.reset_request");
  });
}

/** Whether a reset link can still be used (its page shows the form only then). */
export async function isResetTokenValid(deps: ServiceDeps, token: string): Promise<boolean> {
  return !!(await findLink(deps, RESET_LINK, token));
}

/** Sets the new password from a reset link (used once, on POST); every session of the user ends. */
export async function resetPassword(
  deps: ServiceDeps,
  token: string,
  input: NewPasswordInput,
  meta: RequestMeta,
): Promise<void> {
  const how = { action: "password.reset", label: "パスワード再設定" };
  const user = await setPasswordFromLink(deps, RESET_LINK, token, input, how, meta);
  await deps.sessions.invalidateAllFor(user.id);
}
