import { type DB, isUniqueViolation } from "../../../db";
import { compiledOnce } from "../../../db/compiled-once";
import { iso } from "../../lib/clock";
import { newId } from "../../lib/crypto";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { sendSetupMail } from "./account-users";
import { accountSearchKeys, isValidEmail, LOGIN_ID, normalizeEmail, normalizeLoginId } from "./normalize";
import { checkPassword } from "./password-policy";

export interface CreateAccountInput {
  loginId: string;
  companyName: string;
  email: string;
  userName?: string;
  /** A temporary password: the user must change it at first login. */
  temporaryPassword?: string;
  /** For the demo seed only: a password that need not be changed. */
  permanentPassword?: string;
}

/** The login ID is another account's: said beside the field, without echoing what was typed. */
const loginIdTaken = () =>
  new DomainError("LOGIN_ID_TAKEN", "このログインIDは既に使われています。", {
    loginId: ["このログインIDは既に使われています。"],
  });

/** Opens a customer account with its first user (staff action or admin CLI). */
export async function createAccount(
  deps: ServiceDeps,
  input: CreateAccountInput,
  actor: { type: "staff" | "system"; id?: string } = { type: "system" },
  /** The staff member's request (its IP in the audit row); null from the CLI and the seed. */
  meta: RequestMeta | null = null,
): Promise<{ accountId: string; userId: string }> {
  const loginId = normalizeLoginId(input.loginId);
  const companyName = input.companyName.trim();
  const email = input.email.trim();
  const fieldErrors: Record<string, string[]> = {};
  if (!LOGIN_ID.test(loginId)) {
    fieldErrors.loginId = ["ログインIDは半角英数字と「-」「_」で3〜32文字にしてください。"];
  }
  if (!companyName) fieldErrors.companyName = ["会社名を入力してください。"];
  if (companyName.length > 100) fieldErrors.companyName = ["会社名は100文字以内で入力してください。"];
  if (!isValidEmail(email)) fieldErrors.email = ["メールアドレスの形式が正しくありません。"];
  const password = input.temporaryPassword ?? input.permanentPassword;
  if (password !== undefined) {
    const violations = checkPassword(password, { loginId, email, symbols: deps.config.passwordSymbols });
    if (violations.length) fieldErrors.password = violations.map((v) => v.message);
  }
  if (Object.keys(fieldErrors).length) {
    throw new DomainError("VALIDATION", "入力内容に誤りがあります。", fieldErrors);
  }
  // Without a password the first user is pending and gets the パスワード設定依頼 mail.
  const passwordHash = password === undefined ? null : await deps.hasher.hash(password);
  const now = iso(deps.clock.now());
  const accountId = newId();
  const userId = newId();
  try {
    await deps.db.transaction().execute(async (trx) => {
      const taken = await trx.selectFrom("accounts").select("id").where("login_id", "=", loginId).executeTakeFirst();
      if (taken) throw loginIdTaken();
      await trx
        .insertInto("accounts")
        .values({
          id: accountId,
          login_id: loginId,
          company_name: companyName,
          status: "active",
          created_at: now,
          ...accountSearchKeys(loginId, companyName),
        })
        .execute();
      await trx
        .insertInto("users")
        .values({
          id: userId,
          account_id: accountId,
          email,
          email_normalized: normalizeEmail(email),
          name: input.userName?.trim() ?? "",
          password_hash: passwordHash,
          status: passwordHash ? "active" : "pending",
          must_change_password: input.temporaryPassword !== undefined ? 1 : 0,
          mfa_enabled: 0,
          created_at: now,
          password_changed_at: passwordHash ? now : null,
        })
        .execute();
      if (!passwordHash)
        await sendSetupMail(deps, trx, { id: userId, email, name: input.userName?.trim() ?? "" }, accountId);
      await recordAudit(trx, deps.clock, { ...actor, accountId }, meta, "account.create", { target: loginId });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw loginIdTaken();
    throw error;
  }
  return { accountId, userId };
}

/** Staff are the back office's (server/services/backoffice/staff.ts); the admin CLI imports it from here too. */
export { createStaff } from "../backoffice/staff";

export interface CustomerIdentity {
  user: { id: string; email: string; name: string; mustChangePassword: boolean; mfaEnabled: boolean };
  account: { id: string; loginId: string; companyName: string };
}

/** A user with their account: read by every signed-in customer request. */
const userWithAccount = compiledOnce((db: DB, userId: string) =>
  db
    .selectFrom("users")
    .innerJoin("accounts", "accounts.id", "users.account_id")
    .select([
      "users.id as userId",
      "users.email",
      "users.name",
      "users.must_change_password",
      "users.mfa_enabled",
      "users.status as userStatus",
      "accounts.id as accountId",
      "accounts.login_id",
      "accounts.company_name",
      "accounts.status as accountStatus",
    ])
    .where("users.id", "=", userId),
);

/** The signed-in customer, or null when the user or account is gone or disabled. */
export async function findCustomer(deps: Pick<ServiceDeps, "db">, userId: string): Promise<CustomerIdentity | null> {
  const row = await userWithAccount.first(deps.db, userId);
  if (row?.userStatus !== "active" || row.accountStatus !== "active") return null;
  return {
    user: {
      id: row.userId,
      email: row.email,
      name: row.name,
      mustChangePassword: row.must_change_password === 1,
      mfaEnabled: row.mfa_enabled === 1,
    },
    account: { id: row.accountId, loginId: row.login_id, companyName: row.company_name },
  };
}
