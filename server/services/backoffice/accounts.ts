import { type ExpressionBuilder, sql } from "kysely";
import { type DB, lockAccount } from "../../../db";
import type { Database } from "../../../db/schema";
import { iso } from "../../lib/clock";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { sendSetupMail } from "../identity/account-users";
import { createAccount } from "../identity/accounts";
import { removeAuthenticatorOf } from "../identity/authenticator";
import { accountSearchKeys, searchKey } from "../identity/normalize";
import { clearLoginFailures, loginKey } from "../identity/throttle";

/**
 * 顧客管理 (SPEC §6): the staff side of customer accounts — search, an account's page with its users, and
 * what staff may do to them. Every action is audited with the staff member as actor and the account.
 */

/** The signed-in staff member who acts. */
export interface StaffActor {
  id: string;
}

export const ACCOUNT_PAGE_SIZE = 50;

/** Past every character: `k` … `k + PREFIX_END` is the range of keys that start with `k`. */
const PREFIX_END = "\u{10FFFF}";

export interface AccountListRow {
  id: string;
  loginId: string;
  companyName: string;
  status: "active" | "disabled";
  /** 利用中 / 利用停止 */
  statusLabel: string;
  userCount: number;
}

const ACCOUNT_STATUS_LABEL = { active: "利用中", disabled: "利用停止" } as const;

/**
 * The accounts a staff keyword names (顧客管理's 検索 and 申込一覧's キーワード): its login ID or company name
 * starts with it, compared as normalize.ts accountSearchKeys stores them (case, width and spaces aside, the
 * legal form left out: 「アクメ」 finds 「株式会社 アクメ計測」). Two ranges on indexed keys (migration 0006).
 */
export function accountKeywordMatch(eb: ExpressionBuilder<Database, "accounts">, keyword: string) {
  const loginPrefix = accountSearchKeys(searchKey(keyword), "").login_key;
  const companyPrefix = accountSearchKeys("", keyword).company_key || searchKey(keyword);
  return eb.or([
    eb.and([eb("accounts.login_key", ">=", loginPrefix), eb("accounts.login_key", "<", loginPrefix + PREFIX_END)]),
    eb.and([
      eb("accounts.company_key", ">=", companyPrefix),
      eb("accounts.company_key", "<", companyPrefix + PREFIX_END),
    ]),
  ]);
}

/** The stored login key a whole login ID typed as a keyword has. */
export const loginKeyOf = (keyword: string) => accountSearchKeys(searchKey(keyword), "").login_key;

function staffActor(staff: StaffActor, accountId: string) {
  return { type: "staff" as const, id: staff.id, accountId };
}

/**
 * 検索: accounts whose login ID or company name starts with the keyword (compared as normalize.ts
 * accountSearchKeys stores them: case, width and spaces aside, and the company's legal form left out),
 * in login ID order, a page at a time. Each condition is a range on an indexed key (migration 0006), and
 * the page is keyset-paged on the unique login ID: the cursor is the last login ID shown.
 */
export async function searchAccounts(
  deps: Pick<ServiceDeps, "db">,
  keyword: string | undefined,
  cursor?: string | null,
  pageSize = ACCOUNT_PAGE_SIZE,
): Promise<{ rows: AccountListRow[]; nextCursor: string | null }> {
  let q = deps.db
    .selectFrom("accounts")
    .select((eb) => [
      "accounts.id",
      "accounts.login_id",
      "accounts.company_name",
      "accounts.status",
      eb
        .selectFrom("users")
        .select(sql<number>`count(*)`.as("n"))
        .whereRef("users.account_id", "=", "accounts.id")
        .as("user_count"),
    ]);
  const typed = (keyword ?? "").trim();
  if (typed) q = q.where((eb) => accountKeywordMatch(eb, typed));
  const after = cursor ? Buffer.from(cursor, "base64url").toString() : "";
  if (after) q = q.where("login_id", ">", after);
  const rows = await q
    .orderBy("login_id")
    .limit(pageSize + 1)
    .execute();
  const page = rows.slice(0, pageSize);
  const last = page[page.length - 1];
  return {
    rows: page.map((r) => ({
      id: r.id,
      loginId: r.login_id,
      companyName: r.company_name,
      status: r.status,
      statusLabel: ACCOUNT_STATUS_LABEL[r.status],
      userCount: Number(r.user_count ?? 0),
    })),
    nextCursor: rows.length > pageSize && last ? Buffer.from(last.login_id).toString("base64url") : null,
  };
}

/** 設定待ち: no password yet; ロック中: its login (login ID + email) is locked out now; else 有効. */
export type UserState = "pending" | "active" | "locked";
export const USER_STATE_LABEL: Record<UserState, string> = { pending: "設定待ち", active: "有効", locked: "ロック中" };

export interface StaffAccountUser {
  id: string;
  email: string;
  name: string;
  state: UserState;
  stateLabel: string;
  mustChangePassword: boolean;
  mfaEnabled: boolean;
  /** A registered 認証アプリ (TOTP), which staff may remove for a user who lost it. */
  authenticator: boolean;
  /** ISO time of the last successful login, or null. */
  lastLoginAt: string | null;
}

export interface StaffAccountDetail {
  id: string;
  loginId: string;
  companyName: string;
  status: "active" | "disabled";
  statusLabel: string;
  createdAt: string;
  suspendedAt: string | null;
  users: StaffAccountUser[];
}

async function requireAccount(db: DB, accountId: string) {
  const account = await db.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst();
  if (!account) throw new DomainError("NOT_FOUND", "指定された顧客は見つかりません。");
  return account;
}

/** An account's page: its users in the order they were added, each with its state and last login. */
export async function getAccountForStaff(
  deps: Pick<ServiceDeps, "db" | "clock">,
  accountId: string,
): Promise<StaffAccountDetail> {
  const account = await requireAccount(deps.db, accountId);
  const users = await deps.db
    .selectFrom("users")
    .select(["id", "email", "email_normalized", "name", "status", "must_change_password", "mfa_enabled"])
    .where("account_id", "=", accountId)
    .orderBy("created_at")
    .orderBy("id")
    .execute();
  // The last login is the audit trail's (auth.login succeeded), read on its (account_id, at) index.
  const logins = await deps.db
    .selectFrom("audit_events")
    .select(["actor_id", sql<string>`max(at)`.as("last_at")])
    .where("account_id", "=", accountId)
    .where("action", "=", "auth.login")
    .where("result", "=", "success")
    // A literal, so that SQLite keeps the statement prepared (a partial index's value; decision 019).
    .where("actor_type", "=", sql.lit("customer"))
    .groupBy("actor_id")
    .execute();
  const lastLogin = new Map(logins.map((l) => [l.actor_id, l.last_at]));
  const withAuthenticator = new Set(
    users.length
      ? (
          await deps.db
            .selectFrom("user_totp")
            .select("user_id")
            .where(
              "user_id",
              "in",
              users.map((u) => u.id),
            )
            .where("confirmed_at", "is not", null)
            .execute()
        ).map((r) => r.user_id)
      : [],
  );
  const keys = users.map((u) => loginKey(account.login_id, u.email_normalized));
  const locked = new Set(
    keys.length
      ? (
          await deps.db
            .selectFrom("login_failures")
            .select("key")
            .where("key", "in", keys)
            .where("locked_until", ">", iso(deps.clock.now()))
            .execute()
        ).map((r) => r.key)
      : [],
  );
  return {
    id: account.id,
    loginId: account.login_id,
    companyName: account.company_name,
    status: account.status,
    statusLabel: ACCOUNT_STATUS_LABEL[account.status],
    createdAt: account.created_at,
    suspendedAt: account.suspended_at,
    users: users.map((u, i) => {
      const state: UserState = locked.has(keys[i] as string) ? "locked" : u.status === "pending" ? "pending" : "active";
      return {
        id: u.id,
        email: u.email,
        name: u.name,
        state,
        stateLabel: USER_STATE_LABEL[state],
        mustChangePassword: u.must_change_password === 1,
        mfaEnabled: u.mfa_enabled === 1,
        authenticator: withAuthenticator.has(u.id),
        lastLoginAt: lastLogin.get(u.id) ?? null,
      };
    }),
  };
}

export interface OpenAccountInput {
  loginId: string;
  companyName: string;
  email: string;
  userName?: string;
  /** 初期パスワード: the user must change it at first login; without it a set-up mail is sent. */
  initialPassword?: string;
}

/** 顧客登録: the account and its first user, as the admin CLI's create-account, with the staff member as actor. */
export function openAccount(
  deps: ServiceDeps,
  staff: StaffActor,
  input: OpenAccountInput,
  meta: RequestMeta | null = null,
): Promise<{ accountId: string; userId: string }> {
  return createAccount(
    deps,
    {
      loginId: input.loginId,
      companyName: input.companyName,
      email: input.email,
      userName: input.userName,
      temporaryPassword: input.initialPassword || undefined,
    },
    { type: "staff", id: staff.id },
    meta,
  );
}

/** A user of the account (with the account's login ID), or NOT_FOUND. */
async function userOf(db: DB, accountId: string, userId: string) {
  const user = await db
    .selectFrom("users")
    .innerJoin("accounts", "accounts.id", "users.account_id")
    .select([
      "users.id",
      "users.email",
      "users.email_normalized",
      "users.name",
      "users.status",
      "users.password_hash",
      "accounts.login_id",
    ])
    .where("users.id", "=", userId)
    .where("users.account_id", "=", accountId)
    .executeTakeFirst();
  if (!user) throw new DomainError("NOT_FOUND", "指定された利用者は見つかりません。");
  return user;
}

/** ロック解除: the login lockout of the user's login ID + email ends, and its count of failures starts afresh. */
export async function unlockUser(
  deps: ServiceDeps,
  staff: StaffActor,
  accountId: string,
  userId: string,
  meta: RequestMeta | null,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const user = await userOf(trx, accountId, userId);
    await clearLoginFailures(trx, loginKey(user.login_id, user.email_normalized));
    await recordAudit(trx, deps.clock, staffActor(staff, accountId), meta, "user.unlock", { target: user.email });
  });
}

/**
 * 認証アプリ解除: for a user who lost both the phone and the recovery codes, once staff have checked who is
 * asking (identity/authenticator.ts removeAuthenticatorOf: the user's sessions end and the user is told).
 */
export async function removeUserAuthenticator(
  deps: ServiceDeps,
  staff: StaffActor,
  accountId: string,
  userId: string,
  meta: RequestMeta | null,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, accountId);
    const user = await userOf(trx, accountId, userId);
    await removeAuthenticatorOf(deps, trx, user.id, staffActor(staff, accountId), meta);
  });
}

/** 設定メール再送: a new set-up link to a user who has no password yet; the older link stops working. */
export async function resendSetupMail(
  deps: ServiceDeps,
  staff: StaffActor,
  accountId: string,
  userId: string,
  meta: RequestMeta | null,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, accountId);
    const user = await userOf(trx, accountId, userId);
    if (user.status !== "pending") throw new DomainError("VALIDATION", "この利用者はパスワードを設定済みです。");
    await sendSetupMail(deps, trx, user, accountId);
    await recordAudit(trx, deps.clock, staffActor(staff, accountId), meta, "user.resend_setup", {
      target: user.email,
    });
  });
}

/**
 * パスワード変更を要求: the user must change the password before anything else (SPEC §8 forced change),
 * and its sessions end now, so the next thing it does is log in and change it.
 */
export async function requirePasswordChange(
  deps: ServiceDeps,
  staff: StaffActor,
  accountId: string,
  userId: string,
  meta: RequestMeta | null,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, accountId);
    const user = await userOf(trx, accountId, userId);
    if (!user.password_hash) {
      throw new DomainError(
        "VALIDATION",
        "この利用者はまだパスワードを設定していません。設定メール再送をご利用ください。",
      );
    }
    await trx.updateTable("users").set({ must_change_password: 1 }).where("id", "=", user.id).execute();
    await trx.deleteFrom("sessions").where("kind", "=", "customer").where("user_id", "=", user.id).execute();
    await recordAudit(trx, deps.clock, staffActor(staff, accountId), meta, "user.require_password_change", {
      target: user.email,
    });
  });
}

/**
 * 利用停止: every session of the account's users ends in the same transaction, and from then on its
 * logins get the generic failure answer (sign-in.ts) and a session cookie finds no customer
 * (accounts.ts findCustomer). Suspending a suspended account changes nothing.
 */
export async function suspendAccount(
  deps: ServiceDeps,
  staff: StaffActor,
  accountId: string,
  meta: RequestMeta | null,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, accountId);
    const account = await requireAccount(trx, accountId);
    if (account.status === "disabled") return;
    await trx
      .updateTable("accounts")
      .set({ status: "disabled", suspended_at: iso(deps.clock.now()), suspended_by: staff.id })
      .where("id", "=", accountId)
      .execute();
    await trx
      .deleteFrom("sessions")
      .where("kind", "=", "customer")
      .where("user_id", "in", trx.selectFrom("users").select("id").where("account_id", "=", accountId))
      .execute();
    await recordAudit(trx, deps.clock, staffActor(staff, accountId), meta, "account.suspend", {
      target: account.login_id,
    });
  });
}

/** 利用再開: the account's users can log in again (with the passwords they had). */
export async function resumeAccount(
  deps: ServiceDeps,
  staff: StaffActor,
  accountId: string,
  meta: RequestMeta | null,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    await lockAccount(trx, accountId);
    const account = await requireAccount(trx, accountId);
    if (account.status === "active") return;
    await trx
      .updateTable("accounts")
      .set({ status: "active", suspended_at: null, suspended_by: null })
      .where("id", "=", accountId)
      .execute();
    await recordAudit(trx, deps.clock, staffActor(staff, accountId), meta, "account.resume", {
      target: account.login_id,
    });
  });
}
