import type { DB } from "../../db";

/** What a mail to a user needs: where to send it and how to address them. */
export interface MailRecipient {
  userId: string;
  accountId: string;
  email: string;
  userName: string;
  accountCompany: string;
  loginId: string;
}

export async function recipient(db: DB, userId: string): Promise<MailRecipient | undefined> {
  const row = await db
    .selectFrom("users")
    .innerJoin("accounts", "accounts.id", "users.account_id")
    .select([
      "users.id",
      "users.email",
      "users.name",
      "accounts.id as accountId",
      "accounts.company_name",
      "accounts.login_id",
    ])
    .where("users.id", "=", userId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    userId: row.id,
    accountId: row.accountId,
    email: row.email,
    userName: row.name || row.email,
    accountCompany: row.company_name,
    loginId: row.login_id,
  };
}
