import { formatTokyo } from "../lib/format";
import { describeUserAgent } from "../lib/user-agent";
import { recordAudit } from "./audit";
import type { RequestMeta, ServiceDeps } from "./deps";
import { InvalidCredentials } from "./errors";
import { normalizeEmail, normalizeLoginId } from "./normalize";

export interface LoginInput {
  loginId: string;
  email: string;
  password: string;
}

export interface LoginResult {
  sessionId: string;
  cookie: string;
  mustChangePassword: boolean;
}

/**
 * The three-field login (SPEC §3, §4). Every failure — unknown login ID, unknown email, no password
 * yet, wrong password, disabled account — costs one argon2 verification and ends in the same
 * InvalidCredentials, so neither the answer nor its timing tells which field was wrong.
 */
export async function login(deps: ServiceDeps, input: LoginInput, meta: RequestMeta): Promise<LoginResult> {
  const loginId = normalizeLoginId(input.loginId);
  const emailNormalized = normalizeEmail(input.email);
  const row = await deps.db
    .selectFrom("users")
    .innerJoin("accounts", "accounts.id", "users.account_id")
    .select([
      "users.id as userId",
      "users.name",
      "users.email",
      "users.password_hash",
      "users.status as userStatus",
      "users.must_change_password",
      "accounts.id as accountId",
      "accounts.login_id",
      "accounts.company_name",
      "accounts.status as accountStatus",
    ])
    .where("accounts.login_id", "=", loginId)
    .where("users.email_normalized", "=", emailNormalized)
    .executeTakeFirst();

  const usable = row?.password_hash && row.userStatus === "active" && row.accountStatus === "active";
  const ok = usable
    ? await deps.hasher.verify(row.password_hash as string, input.password)
    : await deps.hasher.verifyDummy(input.password);

  if (!row || !ok) {
    await recordAudit(deps.db, deps.clock, {
      actor_type: row ? "customer" : "anonymous",
      actor_id: row?.userId,
      account_id: row?.accountId,
      action: "auth.login",
      // Only what was typed as identifiers, never the password.
      target: `${loginId.slice(0, 64)} / ${emailNormalized.slice(0, 254)}`,
      ip: meta.ip,
      user_agent: meta.userAgent,
      result: "failure",
    });
    throw new InvalidCredentials();
  }

  const { sessionId, cookie } = await deps.sessions.create("customer", row.userId, meta);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await recordAudit(trx, deps.clock, {
      actor_type: "customer",
      actor_id: row.userId,
      account_id: row.accountId,
      action: "auth.login",
      target: row.email,
      ip: meta.ip,
      user_agent: meta.userAgent,
      result: "success",
    });
    await deps.outbox.enqueue(trx, row.email, "login-notice", {
      accountCompany: row.company_name,
      userName: row.name || row.email,
      loginAt: formatTokyo(now),
      loginId: row.login_id,
      ip: meta.ip ?? "不明",
      browser: describeUserAgent(meta.userAgent),
    });
  });
  return { sessionId, cookie, mustChangePassword: row.must_change_password === 1 };
}

export async function logout(
  deps: ServiceDeps,
  session: { sessionId: string; userId: string; accountId: string },
  meta: RequestMeta,
): Promise<void> {
  await deps.sessions.invalidate(session.sessionId);
  await recordAudit(deps.db, deps.clock, {
    actor_type: "customer",
    actor_id: session.userId,
    account_id: session.accountId,
    action: "auth.logout",
    ip: meta.ip,
    user_agent: meta.userAgent,
    result: "success",
  });
}
