import { type DB, lockAccount } from "../../../db";
import { iso } from "../../lib/clock";
import { formatTokyo } from "../../lib/format";
import { recordAudit, userActor } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { consumeLink, endOpenLinks, type MailedLink, requireLink } from "./mailed-links";
import { checkPassword } from "./password-policy";
import { claimPasswordCheck, clearLoginFailures, loginKey } from "./throttle";
import { loadUser, type UserRow } from "./user-records";

export interface NewPasswordInput {
  newPassword: string;
  confirmPassword: string;
}

export const SIGNED_OUT_AFTER_GUESSES_MESSAGE =
  "パスワードの誤りが続いたため、ログアウトしました。しばらく時間をおいてから、再度ログインしてください。";

/** The current password was wrong too often: the user's sessions have ended (SPEC §8 brute force). */
export class SignedOutAfterGuesses extends DomainError {
  constructor() {
    super("INVALID_CREDENTIALS", SIGNED_OUT_AFTER_GUESSES_MESSAGE);
  }
}

/**
 * The current password of a signed-in principal (a customer's user, a staff member), asked before a
 * change that needs it. Wrong ones count toward the principal's lockout key (the same 10 failures, 15
 * minutes), counted before the hash is verified so parallel guesses cannot pass it; a right one resets
 * the count, as a login does. The failure that reaches the limit (`onLockout` records it), and any check
 * while locked (which verifies nothing), end every session of the principal and throw
 * SignedOutAfterGuesses. Returns whether the password is right; the caller words the field message.
 */
export async function checkGuardedPassword(
  deps: ServiceDeps,
  who: { principalId: string; lockoutKey: string; passwordHash: string | null; onLockout: () => Promise<void> },
  password: string,
): Promise<boolean> {
  const claim = await claimPasswordCheck(deps.db, deps.clock, who.lockoutKey);
  if (claim !== "locked") {
    if (who.passwordHash && (await deps.hasher.verify(who.passwordHash, password))) {
      await clearLoginFailures(deps.db, who.lockoutKey);
      return true;
    }
    if (claim === "check") return false;
    await who.onLockout();
  }
  await deps.sessions.invalidateAllFor(who.principalId);
  throw new SignedOutAfterGuesses();
}

/**
 * A signed-in user's current password, asked before a password change, an email change request and
 * the MFA switch: checkGuardedPassword on the login's lockout (login ID + email).
 */
export async function checkCurrentPassword(
  deps: ServiceDeps,
  user: UserRow,
  password: string,
  meta: RequestMeta,
): Promise<boolean> {
  return checkGuardedPassword(
    deps,
    {
      principalId: user.id,
      lockoutKey: loginKey(user.login_id, user.email_normalized),
      passwordHash: user.password_hash,
      onLockout: () =>
        recordAudit(deps.db, deps.clock, userActor(user), meta, "auth.lockout", {
          target: `${user.login_id} / ${user.email_normalized}`,
          details: { via: "current_password" },
        }),
    },
    password,
  );
}

/**
 * Every rule a new password must meet (SPEC §4, §8), with messages per field. The "different from
 * the current password" rule is checked against the stored hash, unless the caller already knows
 * (`sameAsCurrent`; false where the current password was not proven, so that the rule tells
 * nothing about it).
 */
export async function validateNewPassword(
  deps: ServiceDeps,
  user: UserRow,
  input: NewPasswordInput,
  fieldErrors: Record<string, string[]> = {},
  known: { sameAsCurrent?: boolean } = {},
): Promise<void> {
  if (!input.newPassword) {
    fieldErrors.newPassword = ["新パスワードを入力してください。"];
  } else {
    const sameAsCurrent =
      known.sameAsCurrent ??
      (user.password_hash ? await deps.hasher.verify(user.password_hash, input.newPassword) : false);
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
  await clearLoginFailures(trx, loginKey(user.login_id, user.email_normalized));
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
  // The forced first change asks for no current password: the hash decides "same as current".
  const known: { sameAsCurrent?: boolean } = {};
  if (mode === "settings") {
    known.sameAsCurrent = false;
    if (!input.currentPassword) fieldErrors.currentPassword = ["現パスワードを入力してください。"];
    else if (!(await checkCurrentPassword(deps, user, input.currentPassword, meta))) {
      fieldErrors.currentPassword = ["現パスワードが正しくありません。"];
    } else {
      known.sameAsCurrent = input.newPassword === input.currentPassword;
    }
  }
  await validateNewPassword(deps, user, input, fieldErrors, known);
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
