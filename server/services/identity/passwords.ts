import { type DB, lockAccount } from "../../../db";
import { iso } from "../../lib/clock";
import { formatTokyo } from "../../lib/format";
import { recordAudit, userActor } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { consumeLink, endOpenLinks, type MailedLink, requireLink } from "./mailed-links";
import { normalizeEmail } from "./normalize";
import { checkPassword } from "./password-policy";
import { clearLoginFailures, loginKey } from "./throttle";
import { loadUser, type UserRow } from "./user-records";

export interface NewPasswordInput {
  newPassword: string;
  confirmPassword: string;
}

/**
 * Every rule a new password must meet (SPEC §4, §8), with messages per field. The "different from
 * the current password" rule is checked against the stored hash.
 */
export async function validateNewPassword(
  deps: ServiceDeps,
  user: UserRow,
  input: NewPasswordInput,
  fieldErrors: Record<string, string[]> = {},
): Promise<void> {
  if (!input.newPassword) {
    fieldErrors.newPassword = ["新パスワードを入力してください。"];
  } else {
    const sameAsCurrent = user.password_hash ? await deps.hasher.verify(user.password_hash, input.newPassword) : false;
    const violations = checkPassword(input.newPassword, {
      loginId: user.login_id,
      email: user.email,
      symbols: deps.config.passwordSymbols,
      sameAsCurrent,
    });
    if (violations.length) fieldErrors.newPassword = violations.map((v) => v.message);
  }
  if (!input.confirmPassword) {
    fieldErrors.confirmPassword = ["新パスワード(確認用)を入力してください。"];
  } else if (input.newPassword && input.confirmPassword !== input.newPassword) {
    fieldErrors.confirmPassword = ["新パスワード(確認用)が新パスワードと一致しません。"];
  }
  if (Object.keys(fieldErrors).length) throw new DomainError("VALIDATION", "入力内容をご確認ください。", fieldErrors);
}

/**
 * Stores a new password in the caller's transaction (which has locked the account): clears the
 * must-change flag, ends every open link and code of the user, records the event and mails the notice.
 */
export async function storeNewPassword(
  deps: ServiceDeps,
  trx: DB,
  user: UserRow,
  passwordHash: string,
  how: { action: string; label: string },
  meta: RequestMeta,
): Promise<void> {
  const now = deps.clock.now();
  await trx
    .updateTable("users")
    .set({ password_hash: passwordHash, must_change_password: 0, password_changed_at: iso(now), status: "active" })
    .where("id", "=", user.id)
    .execute();
  await endOpenLinks(deps, trx, user.id);
  await clearLoginFailures(trx, loginKey(user.login_id, normalizeEmail(user.email)));
  await recordAudit(trx, deps.clock, userActor(user), meta, how.action);
  await deps.outbox.enqueue(trx, user.email, "password-changed", {
    accountCompany: user.company_name,
    userName: user.name || user.email,
    changedAt: formatTokyo(now),
    how: how.label,
    ip: meta.ip ?? "不明",
  });
}

/**
 * パスワード設定 / 再設定 from a mailed link: the new password is checked, then stored in the
 * transaction that uses the link up. Returns the user it was for.
 */
export async function setPasswordFromLink(
  deps: ServiceDeps,
  link: MailedLink,
  token: string,
  input: NewPasswordInput,
  how: { action: string; label: string },
  meta: RequestMeta,
): Promise<UserRow> {
  const open = await requireLink(deps, link, token);
  await validateNewPassword(deps, open.user, input);
  const passwordHash = await deps.hasher.hash(input.newPassword);
  await deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, open.user.accountId);
    await consumeLink(deps, trx, open);
    await storeNewPassword(deps, trx, open.user, passwordHash, how, meta);
  });
  return open.user;
}

/**
 * A signed-in user's password change: from お客様情報設定 (needs the current password) or the forced
 * first-login change. Every session of the user ends; the caller gets the id of a new one (rotation).
 */
export async function changePassword(
  deps: ServiceDeps,
  who: { userId: string },
  input: NewPasswordInput & { currentPassword?: string },
  mode: "settings" | "initial",
  meta: RequestMeta,
): Promise<{ sessionId: string }> {
  const user = await loadUser(deps.db, who.userId);
  const fieldErrors: Record<string, string[]> = {};
  if (mode === "initial" && user.must_change_password !== 1) {
    throw new DomainError("VALIDATION", "パスワードの変更は「お客様情報設定」から行ってください。");
  }
  if (mode === "settings") {
    if (!input.currentPassword) fieldErrors.currentPassword = ["現パスワードを入力してください。"];
    else if (!user.password_hash || !(await deps.hasher.verify(user.password_hash, input.currentPassword))) {
      fieldErrors.currentPassword = ["現パスワードが正しくありません。"];
    }
  }
  await validateNewPassword(deps, user, input, fieldErrors);
  const passwordHash = await deps.hasher.hash(input.newPassword);
  const how =
    mode === "initial"
      ? { action: "password.change_initial", label: "初回ログイン時のパスワード変更" }
      : { action: "password.change", label: "お客様情報設定からの変更" };
  await deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, user.accountId);
    await storeNewPassword(deps, trx, user, passwordHash, how, meta);
  });
  await deps.sessions.invalidateAllFor(user.id);
  return { sessionId: await deps.sessions.create("customer", user.id, meta) };
}
