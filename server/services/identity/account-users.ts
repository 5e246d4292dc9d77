import { type DB, lockAccount } from "../../../db";
import { HOUR, iso } from "../../lib/clock";
import { newId } from "../../lib/crypto";
import { formatTokyo } from "../../lib/format";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { endOpenLinks, findLink, type MailedLink, sendLink } from "./mailed-links";
import { isValidEmail, normalizeEmail } from "./normalize";
import { type NewPasswordInput, setPasswordFromLink } from "./passwords";

/** SPEC §4: at most 10 users (email addresses) per login ID. */
export const MAX_USERS_PER_ACCOUNT = 10;
export const SETUP_TTL_MS = 72 * HOUR;

export const SETUP_TOKEN_INVALID =
  "このURLは無効か、有効期限が切れています。お手数ですが、利用者管理から設定メールの再送を依頼してください。";

const SETUP_LINK: MailedLink = {
  purpose: "password_setup",
  template: "password-setup",
  path: "/setup-password/",
  ttlMs: SETUP_TTL_MS,
  invalidMessage: SETUP_TOKEN_INVALID,
};

export interface AccountUser {
  id: string;
  email: string;
  name: string;
  status: "pending" | "active";
  isSelf: boolean;
}

export interface Actor {
  userId: string;
  accountId: string;
}

export async function listUsers(deps: ServiceDeps, actor: Actor): Promise<AccountUser[]> {
  const rows = await deps.db
    .selectFrom("users")
    .select(["id", "email", "name", "status"])
    .where("account_id", "=", actor.accountId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  return rows.map((r) => ({ ...r, isSelf: r.id === actor.userId }));
}

/** A user of the caller's account, or NOT_FOUND (another account's user is "not found" too). */
async function userOfAccount(db: DB, accountId: string, userId: string) {
  const user = await db
    .selectFrom("users")
    .selectAll()
    .where("id", "=", userId)
    .where("account_id", "=", accountId)
    .executeTakeFirst();
  if (!user) throw new DomainError("NOT_FOUND", "指定された利用者は見つかりません。");
  return user;
}

async function accountOf(db: DB, accountId: string) {
  return db
    .selectFrom("accounts")
    .select(["login_id", "company_name"])
    .where("id", "=", accountId)
    .executeTakeFirstOrThrow();
}

/** Mails a new set-up link (voiding any older one) in the caller's transaction. */
export async function sendSetupMail(
  deps: ServiceDeps,
  trx: DB,
  user: { id: string; email: string; name: string },
  accountId: string,
) {
  await sendLink(deps, trx, SETUP_LINK, { ...user, ...(await accountOf(trx, accountId)) });
}

/**
 * 利用者追加: a pending user and a パスワード設定依頼 mail. The limit and the duplicate check run inside
 * the transaction with the account locked, so parallel adds cannot pass them.
 */
export async function addUser(
  deps: ServiceDeps,
  actor: Actor,
  input: { email: string },
  meta: RequestMeta,
): Promise<{ userId: string }> {
  const email = input.email.trim();
  if (!email)
    throw new DomainError("VALIDATION", "入力内容をご確認ください。", {
      email: ["メールアドレスを入力してください。"],
    });
  if (!isValidEmail(email)) {
    throw new DomainError("VALIDATION", "入力内容をご確認ください。", {
      email: ["メールアドレスの形式が正しくありません。"],
    });
  }
  const emailNormalized = normalizeEmail(email);
  const userId = newId();
  return deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, actor.accountId);
    const users = await trx
      .selectFrom("users")
      .select(["email_normalized"])
      .where("account_id", "=", actor.accountId)
      .execute();
    if (users.some((u) => u.email_normalized === emailNormalized)) {
      throw new DomainError("DUPLICATE_EMAIL", "このメールアドレスは既に登録されています。", {
        email: ["このメールアドレスは既に登録されています。"],
      });
    }
    if (users.length >= MAX_USERS_PER_ACCOUNT) {
      throw new DomainError(
        "LIMIT_REACHED",
        `利用者は1つのログインIDにつき${MAX_USERS_PER_ACCOUNT}件まで登録できます。`,
        {
          email: [`利用者は1つのログインIDにつき${MAX_USERS_PER_ACCOUNT}件まで登録できます。`],
        },
      );
    }
    await trx
      .insertInto("users")
      .values({
        id: userId,
        account_id: actor.accountId,
        email,
        email_normalized: emailNormalized,
        name: "",
        password_hash: null,
        status: "pending",
        must_change_password: 0,
        mfa_enabled: 0,
        created_at: iso(deps.clock.now()),
        password_changed_at: null,
      })
      .execute();
    await sendSetupMail(deps, trx, { id: userId, email, name: "" }, actor.accountId);
    await recordAudit(trx, deps.clock, actor, meta, "user.add", { target: email });
    return { userId };
  });
}

/** A fresh set-up mail for a user who has not set a password yet; the old link stops working. */
export async function resendSetupMail(
  deps: ServiceDeps,
  actor: Actor,
  userId: string,
  meta: RequestMeta,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const user = await userOfAccount(trx, actor.accountId, userId);
    if (user.status !== "pending") throw new DomainError("VALIDATION", "この利用者はパスワードを設定済みです。");
    await sendSetupMail(deps, trx, user, actor.accountId);
    await recordAudit(trx, deps.clock, actor, meta, "user.resend_setup", { target: user.email });
  });
}

export async function getUser(deps: ServiceDeps, actor: Actor, userId: string): Promise<AccountUser> {
  const user = await userOfAccount(deps.db, actor.accountId, userId);
  return { id: user.id, email: user.email, name: user.name, status: user.status, isSelf: user.id === actor.userId };
}

/**
 * 削除: at once — the user, its sessions and open links go, and the deleted address is told. Nobody
 * deletes themself, and the account keeps at least one user (checked with the account locked).
 */
export async function deleteUser(deps: ServiceDeps, actor: Actor, userId: string, meta: RequestMeta): Promise<void> {
  if (userId === actor.userId) throw new DomainError("VALIDATION", "ご自身を削除することはできません。");
  await deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, actor.accountId);
    const user = await userOfAccount(trx, actor.accountId, userId);
    const remaining = await trx.selectFrom("users").select("id").where("account_id", "=", actor.accountId).execute();
    if (remaining.length <= 1) throw new DomainError("VALIDATION", "利用者を全て削除することはできません。");
    const account = await accountOf(trx, actor.accountId);
    await endOpenLinks(deps, trx, user.id);
    await trx.deleteFrom("sessions").where("user_id", "=", user.id).execute();
    await trx.deleteFrom("users").where("id", "=", user.id).execute();
    await deps.outbox.enqueue(trx, user.email, "user-deleted", {
      accountCompany: account.company_name,
      userName: user.name || user.email,
      loginId: account.login_id,
      deletedAt: formatTokyo(deps.clock.now()),
    });
    await recordAudit(trx, deps.clock, actor, meta, "user.delete", { target: user.email });
  });
}

/** What the set-up page shows for a link, or null when the link cannot be used. */
export async function setupLinkInfo(
  deps: ServiceDeps,
  token: string,
): Promise<{ loginId: string; email: string } | null> {
  const open = await findLink(deps, SETUP_LINK, token);
  return open ? { loginId: open.user.login_id, email: open.user.email } : null;
}

/** パスワード設定 from the set-up mail: the password under the policy, then the user is active. */
export async function completeSetup(
  deps: ServiceDeps,
  token: string,
  input: NewPasswordInput,
  meta: RequestMeta,
): Promise<void> {
  const how = { action: "password.setup", label: "パスワードの初期設定" };
  await setPasswordFromLink(deps, SETUP_LINK, token, input, how, meta);
}
