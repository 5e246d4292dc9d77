import { randomBytes } from "node:crypto";
import { generateHOTP } from "@oslojs/otp";
import { sql } from "kysely";
import type { DB } from "../../../db";
import { addMs, HOUR, iso, MINUTE } from "../../lib/clock";
import { newId, safeEqual } from "../../lib/crypto";
import { formatTokyo } from "../../lib/format";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { takeAuthenticatorCode, takeRecoveryCode } from "./authenticator";
import { isLocked, loginKey, recordLoginFailure } from "./throttle";
import type { MailRecipient } from "./user-records";
import { consumeVerification, createVerification, findOpenVerification } from "./verification";

/** SPEC §8: 6 digits, 10 minutes, single use, 5 wrong tries, resend once a minute and 5 an hour. */
export const OTP = {
  digits: 6,
  ttlMs: 10 * MINUTE,
  maxAttempts: 5,
  resendIntervalMs: MINUTE,
  resendsPerHour: 5,
} as const;

export const CHALLENGE_ENDED_MESSAGE =
  "ワンタイムパスワードの有効期限が切れたか、入力回数の上限に達しました。もう一度ログインしてください。";

export class OtpChallengeEnded extends DomainError {
  constructor(message = CHALLENGE_ENDED_MESSAGE) {
    super("OTP_CHALLENGE_ENDED", message);
  }
}

/**
 * A fresh code from a per-challenge random HOTP key (@oslojs/otp). The key is thrown away: only an
 * HMAC of the code is kept (docs/decisions/004).
 */
export function newCode(): string {
  return generateHOTP(randomBytes(20), 0n, OTP.digits);
}

function codeHash(deps: ServiceDeps, verificationId: string, code: string): string {
  return deps.hmac(`login_otp:${verificationId}:${code}`);
}

async function mailCode(deps: ServiceDeps, db: DB, to: MailRecipient, code: string, expiresAt: Date) {
  await deps.outbox.enqueue(db, to.email, "otp", {
    accountCompany: to.accountCompany,
    userName: to.userName,
    code,
    expiresAt: formatTokyo(expiresAt),
  });
}

/** After a correct password, for a user with MFA on: a challenge and its code by mail. */
export async function startLoginChallenge(
  deps: ServiceDeps,
  user: MailRecipient,
  meta: RequestMeta,
): Promise<{ token: string; expiresAt: Date }> {
  return deps.db.transaction().execute(async (trx) => {
    const id = newId();
    const code = newCode();
    const { token, expiresAt } = await createVerification(trx, deps.clock, {
      id,
      purpose: "login_otp",
      userId: user.userId,
      ttlMs: OTP.ttlMs,
      codeHash: codeHash(deps, id, code),
    });
    await mailCode(deps, trx, user, code, expiresAt);
    await recordAudit(trx, deps.clock, user, meta, "auth.otp.sent");
    return { token, expiresAt };
  });
}

/**
 * After a correct password, for a user with an authenticator app (authenticator.ts): a challenge of the
 * same kind, answered with the app's code or a recovery code; nothing is mailed.
 */
export async function startAuthenticatorChallenge(
  deps: ServiceDeps,
  userId: string,
): Promise<{ token: string; expiresAt: Date }> {
  const { token, expiresAt } = await createVerification(deps.db, deps.clock, {
    purpose: "login_otp",
    userId,
    ttlMs: OTP.ttlMs,
    payload: AUTHENTICATOR,
  });
  return { token, expiresAt };
}

/** A challenge's payload when the authenticator app answers it. */
const AUTHENTICATOR = "authenticator";

/** How a challenge is answered: the mailed code, or the authenticator app (or one of its recovery codes). */
export type ChallengeMethod = "mail" | "authenticator";

/**
 * The lockout key (login ID + normalized email) of a challenge's user, or undefined when the user is
 * gone. Wrong codes count on the login's own lockout counter, not on one of their own: a challenge
 * allows 5 tries and then the login restarts, but each restart needs the password again and a correct
 * password does not reset the count (only a completed login does, sign-in.ts), so the 10th wrong
 * code in a row — across challenges, mixed with wrong passwords — locks the login ID + email for 15
 * minutes exactly as 10 wrong passwords do: the same generic answer, the same audit event, and a
 * password reset ends it. One counter also means one rule to explain and no second lock to lift.
 */
async function lockoutKeyOf(deps: ServiceDeps, userId: string): Promise<{ key: string; target: string } | undefined> {
  const row = await deps.db
    .selectFrom("users")
    .innerJoin("accounts", "accounts.id", "users.account_id")
    .select(["accounts.login_id", "users.email_normalized"])
    .where("users.id", "=", userId)
    .executeTakeFirst();
  return (
    row && { key: loginKey(row.login_id, row.email_normalized), target: `${row.login_id} / ${row.email_normalized}` }
  );
}

/** A challenge that can still be answered: open, with tries left, its user there and its login not locked. */
async function openChallenge(deps: ServiceDeps, token: string) {
  const v = await findOpenVerification(deps.db, deps.clock, "login_otp", token);
  if (!v || v.attempts >= OTP.maxAttempts) return null;
  const lockout = await lockoutKeyOf(deps, v.user_id);
  if (!lockout || (await isLocked(deps.db, deps.clock, lockout.key))) return null;
  return { v, lockout };
}

export async function challengeInfo(
  deps: ServiceDeps,
  token: string,
): Promise<{ expiresAt: string; method: ChallengeMethod } | null> {
  const open = await openChallenge(deps, token);
  return open
    ? { expiresAt: open.v.expires_at, method: open.v.payload === AUTHENTICATOR ? "authenticator" : "mail" }
    : null;
}

const TRIES_USED_UP_MESSAGE =
  "ワンタイムパスワードの入力回数が上限に達しました。お手数ですが、もう一度ログインしてください。";

/**
 * Checks a code: the mailed one, the authenticator app's (a step not taken before) or, with `recovery`, one
 * of the app's recovery codes (used up). A wrong one costs one of the 5 tries (the fifth ends the challenge)
 * and counts toward the login's lockout (lockoutKeyOf: the one that locks ends the challenge too); a right
 * one is consumed by one conditional UPDATE, so two parallel submissions cannot both sign in.
 * Returns the user whose login may now complete.
 */
export async function verifyLoginCode(
  deps: ServiceDeps,
  token: string,
  code: string,
  meta: RequestMeta,
  options: { recovery?: boolean } = {},
): Promise<string> {
  const open = await openChallenge(deps, token);
  if (!open) throw new OtpChallengeEnded();
  const { v, lockout } = open;
  const method: ChallengeMethod = v.payload === AUTHENTICATOR ? "authenticator" : "mail";
  const audit = (result: "success" | "failure", details?: Record<string, unknown>) =>
    recordAudit(deps.db, deps.clock, { userId: v.user_id }, meta, "auth.otp.verify", {
      result,
      details: { ...details, ...(method === "mail" ? {} : { method: options.recovery ? "recovery_code" : method }) },
    });
  if (options.recovery && method !== "authenticator") {
    throw new DomainError("VALIDATION", "リカバリーコードは、認証アプリを登録している場合に使用できます。");
  }

  const given = code.trim();
  const right =
    method === "mail"
      ? !!v.code_hash && safeEqual(v.code_hash, codeHash(deps, v.id, given))
      : options.recovery
        ? await takeRecoveryCode(deps, v.user_id, given)
        : await takeAuthenticatorCode(deps, v.user_id, given);
  if (!right) {
    const row = await deps.db
      .updateTable("verifications")
      .set({ attempts: sql<number>`attempts + 1` })
      .where("id", "=", v.id)
      .where("used_at", "is", null)
      .returning(["attempts"])
      .executeTakeFirst();
    const attempts = row?.attempts ?? OTP.maxAttempts;
    await audit("failure", { attempts });
    const locked = await recordLoginFailure(deps.db, deps.clock, lockout.key);
    if (locked) {
      await recordAudit(deps.db, deps.clock, { userId: v.user_id }, meta, "auth.lockout", {
        target: lockout.target,
        details: { via: "login_otp" },
      });
    }
    if (locked || attempts >= OTP.maxAttempts) {
      await deps.db
        .updateTable("verifications")
        .set({ used_at: iso(deps.clock.now()) })
        .where("id", "=", v.id)
        .execute();
      throw new OtpChallengeEnded(TRIES_USED_UP_MESSAGE);
    }
    const what = options.recovery ? "リカバリーコード" : "ワンタイムパスワード";
    const message = `${what}が正しくありません。(あと${OTP.maxAttempts - attempts}回入力できます)`;
    throw new DomainError("OTP_INVALID", message, { [options.recovery ? "recoveryCode" : "code"]: [message] });
  }

  if (!(await consumeVerification(deps.db, deps.clock, v.id, OTP.maxAttempts))) throw new OtpChallengeEnded();
  await audit("success");
  return v.user_id;
}

/** A new code for the same challenge (the old one stops working), at most once a minute and 5 an hour. */
export async function resendLoginCode(
  deps: ServiceDeps,
  token: string,
  user: (userId: string) => Promise<MailRecipient | undefined>,
  meta: RequestMeta,
): Promise<{ expiresAt: Date }> {
  const v = (await openChallenge(deps, token))?.v;
  if (!v) throw new OtpChallengeEnded();
  if (v.payload === AUTHENTICATOR) {
    throw new DomainError("VALIDATION", "認証アプリに表示されているワンタイムパスワードを入力してください。");
  }
  const now = deps.clock.now();
  if (now.getTime() - new Date(v.last_sent_at).getTime() < OTP.resendIntervalMs) {
    throw new DomainError("OTP_RESEND_TOO_SOON", "ワンタイムパスワードの再送は、1分以上あけてから行ってください。");
  }
  const recent = await deps.db
    .selectFrom("audit_events")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("actor_id", "=", v.user_id)
    .where("action", "=", "auth.otp.resend")
    .where("result", "=", "success")
    .where("at", ">", iso(addMs(now, -HOUR)))
    .executeTakeFirstOrThrow();
  if (Number(recent.n) >= OTP.resendsPerHour) {
    throw new DomainError(
      "OTP_RESEND_TOO_SOON",
      "ワンタイムパスワードの再送は1時間に5回までです。しばらく時間をおいてから、もう一度ログインしてください。",
    );
  }
  const to = await user(v.user_id);
  if (!to) throw new OtpChallengeEnded();
  const code = newCode();
  const expiresAt = addMs(now, OTP.ttlMs);
  await deps.db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable("verifications")
      .set({
        code_hash: codeHash(deps, v.id, code),
        last_sent_at: iso(now),
        sent_count: sql<number>`sent_count + 1`,
        expires_at: iso(expiresAt),
      })
      .where("id", "=", v.id)
      .where("used_at", "is", null)
      .where("last_sent_at", "=", v.last_sent_at)
      .executeTakeFirst();
    // Someone else resent or used it meanwhile.
    if (Number(updated.numUpdatedRows) !== 1) throw new OtpChallengeEnded();
    await mailCode(deps, trx, to, code, expiresAt);
    await recordAudit(trx, deps.clock, to, meta, "auth.otp.resend");
  });
  return { expiresAt };
}
