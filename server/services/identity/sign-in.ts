import { formatTokyo } from "../../lib/format";
import { describeUserAgent } from "../../lib/user-agent";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { InvalidCredentials } from "../errors";
import { tellRecoveryCodeUsed, usesAuthenticator } from "./authenticator";
import { loginReportLink } from "./login-report";
import { normalizeEmail, normalizeLoginId } from "./normalize";
import { startAuthenticatorChallenge, startLoginChallenge, verifyLoginCode } from "./otp";
import { clearLoginFailures, hitRateLimit, isLocked, loginKey, recordLoginFailure } from "./throttle";
import { loadUser, recipient } from "./user-records";

export interface LoginInput {
  loginId: string;
  email: string;
  password: string;
}

export interface SignedIn {
  status: "signed_in";
  /** The new session; the caller (the tRPC layer) turns it into the browser's cookie. */
  sessionId: string;
  mustChangePassword: boolean;
}

export interface OtpRequired {
  status: "otp_required";
  /** Goes to the browser in the challenge cookie; it is not a session. */
  challengeToken: string;
  expiresAt: Date;
}

/**
 * The three-field login (SPEC §3, §4, §8). Every failure — unknown login ID or email, no password
 * yet, wrong password, disabled account, locked login — costs one argon2 verification and ends in
 * the same InvalidCredentials, so neither the answer nor its timing tells which it was.
 */
export async function login(deps: ServiceDeps, input: LoginInput, meta: RequestMeta): Promise<SignedIn | OtpRequired> {
  await hitRateLimit(deps.db, deps.clock, `login:ip:${meta.ip ?? "unknown"}`, deps.config.loginRateLimitPerMinute);
  const loginId = normalizeLoginId(input.loginId);
  const emailNormalized = normalizeEmail(input.email);
  const key = loginKey(loginId, emailNormalized);
  const locked = await isLocked(deps.db, deps.clock, key);
  const row = await deps.db
    .selectFrom("users")
    .innerJoin("accounts", "accounts.id", "users.account_id")
    .select([
      "users.id as userId",
      "users.password_hash",
      "users.status as userStatus",
      "users.mfa_enabled",
      "accounts.id as accountId",
      "accounts.status as accountStatus",
    ])
    .where("accounts.login_id", "=", loginId)
    .where("users.email_normalized", "=", emailNormalized)
    .executeTakeFirst();

  const usable = !locked && row?.password_hash && row.userStatus === "active" && row.accountStatus === "active";
  const ok = usable
    ? await deps.hasher.verify(row.password_hash as string, input.password)
    : await deps.hasher.verifyDummy(input.password);

  if (!row || !ok) {
    const nowLocked = locked ? false : await recordLoginFailure(deps.db, deps.clock, key);
    const actor = row ? { userId: row.userId, accountId: row.accountId } : { type: "anonymous" as const };
    // Only what was typed as identifiers, never the password.
    const target = `${loginId.slice(0, 64)} / ${emailNormalized.slice(0, 254)}`;
    await recordAudit(deps.db, deps.clock, actor, meta, "auth.login", {
      target,
      result: "failure",
      details: locked ? { locked: true } : undefined,
    });
    if (nowLocked) await recordAudit(deps.db, deps.clock, actor, meta, "auth.lockout", { target });
    throw new InvalidCredentials();
  }
  // With MFA on, a right password does not reset the count of failures: wrong codes add to it
  // (otp.ts lockoutKeyOf), and only a completed login resets it. An authenticator app, once registered,
  // is the second step whatever the mailed code's switch says (it is the stronger factor).
  if (await usesAuthenticator(deps.db, row.userId)) {
    const { token, expiresAt } = await startAuthenticatorChallenge(deps, row.userId);
    return { status: "otp_required", challengeToken: token, expiresAt };
  }
  if (row.mfa_enabled === 1) {
    const to = await recipient(deps.db, row.userId);
    if (!to) throw new InvalidCredentials();
    const { token, expiresAt } = await startLoginChallenge(deps, to, meta);
    return { status: "otp_required", challengeToken: token, expiresAt };
  }
  return completeLogin(deps, row.userId, meta);
}

/** The one-time-password step of a login; on success the session starts. */
export async function loginWithCode(
  deps: ServiceDeps,
  challengeToken: string,
  code: string,
  meta: RequestMeta,
): Promise<SignedIn> {
  const userId = await verifyLoginCode(deps, challengeToken, code, meta);
  return completeLogin(deps, userId, meta);
}

/** リカバリーコードを使用する: the step of an authenticator login with a recovery code, which is used up. */
export async function loginWithRecoveryCode(
  deps: ServiceDeps,
  challengeToken: string,
  code: string,
  meta: RequestMeta,
): Promise<SignedIn> {
  const userId = await verifyLoginCode(deps, challengeToken, code, meta, { recovery: true });
  const signedIn = await completeLogin(deps, userId, meta);
  await tellRecoveryCodeUsed(deps, userId, meta);
  return signedIn;
}

/**
 * A new session (never one from before), the login's failures forgotten, the audit event and the
 * login notice to that user only, with its link 心当たりがない場合 (login-report.ts).
 */
async function completeLogin(deps: ServiceDeps, userId: string, meta: RequestMeta): Promise<SignedIn> {
  const user = await loadUser(deps.db, userId);
  await clearLoginFailures(deps.db, loginKey(user.login_id, user.email_normalized));
  const sessionId = await deps.sessions.create("customer", userId, meta);
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await recordAudit(trx, deps.clock, { userId, accountId: user.accountId }, meta, "auth.login", {
      target: user.email,
    });
    const login = { loginAt: formatTokyo(now), ip: meta.ip ?? "不明", browser: describeUserAgent(meta.userAgent) };
    const report = await loginReportLink(deps, trx, userId, login);
    await deps.outbox.enqueue(trx, user.email, "login-notice", {
      accountCompany: user.company_name,
      userName: user.name || user.email,
      loginId: user.login_id,
      ...login,
      reportUrl: report.url,
      reportExpiresAt: report.expiresAt,
    });
  });
  return { status: "signed_in", sessionId, mustChangePassword: user.must_change_password === 1 };
}

export async function logout(
  deps: ServiceDeps,
  session: { sessionId: string; userId: string; accountId: string },
  meta: RequestMeta,
): Promise<void> {
  await deps.sessions.invalidate(session.sessionId);
  await recordAudit(deps.db, deps.clock, session, meta, "auth.logout");
}
