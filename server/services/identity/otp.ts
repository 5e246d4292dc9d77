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
function newCode(): string {
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

export async function challengeInfo(deps: ServiceDeps, token: string): Promise<{ expiresAt: string } | null> {
  const v = await findOpenVerification(deps.db, deps.clock, "login_otp", token);
  if (!v || v.attempts >= OTP.maxAttempts) return null;
  return { expiresAt: v.expires_at };
}

/**
 * Checks a code. A wrong one costs one of the 5 tries (the fifth ends the challenge); a right one is
 * consumed by one conditional UPDATE, so two parallel submissions cannot both sign in.
 * Returns the user whose login may now complete.
 */
export async function verifyLoginCode(
  deps: ServiceDeps,
  token: string,
  code: string,
  meta: RequestMeta,
): Promise<string> {
  const v = await findOpenVerification(deps.db, deps.clock, "login_otp", token);
  if (!v || v.attempts >= OTP.maxAttempts) throw new OtpChallengeEnded();
  const audit = (result: "success" | "failure", details?: Record<string, unknown>) =>
    recordAudit(deps.db, deps.clock, { userId: v.user_id }, meta, "auth.otp.verify", { result, details });

  const given = code.trim();
  if (!v.code_hash || !safeEqual(v.code_hash, codeHash(deps, v.id, given))) {
    const row = await deps.db
      .updateTable("verifications")
      .set({ attempts: sql<number>`attempts + 1` })
      .where("id", "=", v.id)
      .where("used_at", "is", null)
      .returning(["attempts"])
      .executeTakeFirst();
    const attempts = row?.attempts ?? OTP.maxAttempts;
    await audit("failure", { attempts });
    if (attempts >= OTP.maxAttempts) {
      await deps.db
        .updateTable("verifications")
        .set({ used_at: iso(deps.clock.now()) })
        .where("id", "=", v.id)
        .execute();
      throw new OtpChallengeEnded(
        "ワンタイムパスワードの入力回数が上限に達しました。お手数ですが、もう一度ログインしてください。",
      );
    }
    const message = `ワンタイムパスワードが正しくありません。(あと${OTP.maxAttempts - attempts}回入力できます)`;
    throw new DomainError("OTP_INVALID", message, { code: [message] });
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
  const v = await findOpenVerification(deps.db, deps.clock, "login_otp", token);
  if (!v || v.attempts >= OTP.maxAttempts) throw new OtpChallengeEnded();
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
