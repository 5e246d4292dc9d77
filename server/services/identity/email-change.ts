import { type DB, lockAccount } from "../../../db";
import { HOUR } from "../../lib/clock";
import { formatTokyo } from "../../lib/format";
import { recordAudit, userActor } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { consumeLink, endOpenLinks, findLink, type MailedLink, requireLink, sendLink } from "./mailed-links";
import { isValidEmail, normalizeEmail } from "./normalize";
import { checkCurrentPassword } from "./passwords";
import { loadUser } from "./user-records";

export const EMAIL_CHANGE_TTL_MS = HOUR;

export const EMAIL_LINK_INVALID =
  "このURLは無効か、有効期限が切れています。お手数ですが、もう一度メールアドレス変更依頼から手続きしてください。";

/** Step 1's link, to the current address. */
const REQUEST_LINK: MailedLink = {
  purpose: "email_change_request",
  template: "email-change-request",
  path: "/email-change/",
  ttlMs: EMAIL_CHANGE_TTL_MS,
  invalidMessage: EMAIL_LINK_INVALID,
};

/** Step 2's link, to the new address (carried as the verification's payload). */
const CONFIRM_LINK: MailedLink = {
  purpose: "email_change_confirm",
  template: "email-change-confirm",
  path: "/email-change/confirm/",
  ttlMs: EMAIL_CHANGE_TTL_MS,
  invalidMessage: EMAIL_LINK_INVALID,
};

/**
 * Step 1 (メールアドレス変更依頼): with the current password, a link goes to the current address
 * (メールアドレス変更依頼受付), proving the request comes from its owner.
 */
export async function requestEmailChange(
  deps: ServiceDeps,
  who: { userId: string },
  input: { currentPassword: string },
  meta: RequestMeta,
): Promise<void> {
  const user = await loadUser(deps.db, who.userId);
  if (!input.currentPassword) {
    throw new DomainError("VALIDATION", "入力内容をご確認ください。", {
      currentPassword: ["パスワードを入力してください。"],
    });
  }
  if (!(await checkCurrentPassword(deps, user, input.currentPassword, meta))) {
    throw new DomainError("VALIDATION", "入力内容をご確認ください。", {
      currentPassword: ["パスワードが正しくありません。"],
    });
  }
  await deps.db.transaction().execute(async (trx) => {
    await sendLink(deps, trx, REQUEST_LINK, user);
    await recordAudit(trx, deps.clock, userActor(user), meta, "email_change.request");
  });
}

export async function requestLinkInfo(deps: ServiceDeps, token: string): Promise<{ currentEmail: string } | null> {
  const open = await findLink(deps, REQUEST_LINK, token);
  return open ? { currentEmail: open.user.email } : null;
}

async function checkNewAddress(db: DB, user: { id: string; accountId: string; email: string }, newEmail: string) {
  if (!newEmail)
    throw new DomainError("VALIDATION", "入力内容をご確認ください。", {
      newEmail: ["新しいメールアドレスを入力してください。"],
    });
  if (!isValidEmail(newEmail)) {
    throw new DomainError("VALIDATION", "入力内容をご確認ください。", {
      newEmail: ["メールアドレスの形式が正しくありません。"],
    });
  }
  const normalized = normalizeEmail(newEmail);
  if (normalized === normalizeEmail(user.email)) {
    throw new DomainError("VALIDATION", "入力内容をご確認ください。", {
      newEmail: ["現在のメールアドレスと同じです。"],
    });
  }
  const taken = await db
    .selectFrom("users")
    .select("id")
    .where("account_id", "=", user.accountId)
    .where("email_normalized", "=", normalized)
    .executeTakeFirst();
  if (taken) {
    throw new DomainError("DUPLICATE_EMAIL", "入力内容をご確認ください。", {
      newEmail: ["このメールアドレスは既に登録されています。"],
    });
  }
}

/** Step 2: from the link in the old mailbox, the new address; a confirmation link goes to it. */
export async function submitNewEmail(
  deps: ServiceDeps,
  token: string,
  input: { newEmail: string },
  meta: RequestMeta,
): Promise<{ newEmail: string }> {
  const open = await requireLink(deps, REQUEST_LINK, token);
  const { user } = open;
  const newEmail = input.newEmail.trim();
  await checkNewAddress(deps.db, user, newEmail);
  await deps.db.transaction().execute(async (trx) => {
    await consumeLink(deps, trx, open);
    await sendLink(deps, trx, CONFIRM_LINK, user, { to: newEmail, payload: newEmail });
    await recordAudit(trx, deps.clock, userActor(user), meta, "email_change.submit_new", { target: newEmail });
  });
  return { newEmail };
}

export async function confirmLinkInfo(deps: ServiceDeps, token: string): Promise<{ newEmail: string } | null> {
  const payload = (await findLink(deps, CONFIRM_LINK, token))?.verification.payload;
  return payload ? { newEmail: payload } : null;
}

/**
 * Step 3: the link in the new mailbox applies the change (used on POST). The user's sessions and every
 * other open link end (the address is a login credential; a link in the old mailbox must not act on
 * the new one) and the old address is told.
 */
export async function confirmEmailChange(
  deps: ServiceDeps,
  token: string,
  meta: RequestMeta,
): Promise<{ newEmail: string; userId: string }> {
  const open = await requireLink(deps, CONFIRM_LINK, token);
  const { user } = open;
  const newEmail = open.verification.payload;
  if (!newEmail) throw new DomainError("TOKEN_INVALID", EMAIL_LINK_INVALID);
  await deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, user.accountId);
    await consumeLink(deps, trx, open);
    // The address may have been added to the account since step 2.
    await checkNewAddress(trx, user, newEmail);
    await trx
      .updateTable("users")
      .set({ email: newEmail, email_normalized: normalizeEmail(newEmail) })
      .where("id", "=", user.id)
      .execute();
    await endOpenLinks(deps, trx, user.id);
    await trx.deleteFrom("sessions").where("user_id", "=", user.id).execute();
    await deps.outbox.enqueue(trx, user.email, "email-changed", {
      accountCompany: user.company_name,
      userName: user.name || user.email,
      loginId: user.login_id,
      newEmail,
      changedAt: formatTokyo(deps.clock.now()),
    });
    await recordAudit(trx, deps.clock, userActor(user), meta, "email_change.confirm", {
      target: `${user.email} → ${newEmail}`,
    });
  });
  return { newEmail, userId: user.id };
}
