import type { DB } from "../../../db";
import { DomainError } from "../errors";

/** What a mail to a user needs: where to send it and how to address them. */
export interface MailRecipient {
  userId: string;
  accountId: string;
  email: string;
  userName: string;
  accountCompany: string;
  loginId: string;
}

export interface UserRow {
  id: string;
  email: string;
  /** The address as compared (normalizeEmail), which with the login ID keys the login lockout. */
  email_normalized: string;
  name: string;
  password_hash: string | null;
  must_change_password: number;
  mfa_enabled: number;
  accountId: string;
  login_id: string;
  company_name: string;
}

/** A user with its account, or NOT_FOUND. The one query every user-facing service starts from. */
export async function loadUser(db: DB, userId: string): Promise<UserRow> {
  const user = await db
    .selectFrom("users")
    .innerJoin("accounts", "accounts.id", "users.account_id")
    .select([
      "users.id",
      "users.email",
      "users.email_normalized",
      "users.name",
      "users.password_hash",
      "users.must_change_password",
      "users.mfa_enabled",
      "accounts.id as accountId",
      "accounts.login_id",
      "accounts.company_name",
    ])
    .where("users.id", "=", userId)
    .executeTakeFirst();
  if (!user) throw new DomainError("NOT_FOUND", "利用者が見つかりません。");
  return user;
}

export async function recipient(db: DB, userId: string): Promise<MailRecipient | undefined> {
  const user = await loadUser(db, userId).catch(() => undefined);
  if (!user) return undefined;
  return {
    userId: user.id,
    accountId: user.accountId,
    email: user.email,
    userName: user.name || user.email,
    accountCompany: user.company_name,
    loginId: user.login_id,
  };
}
