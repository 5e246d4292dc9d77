import { sql } from "kysely";
import { addMs, HOUR, iso } from "../../lib/clock";
import { newId, safeEqual } from "../../lib/crypto";
import { formatTokyo } from "../../lib/format";
import { type AuditActor, recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { normalizeEmail } from "../identity/normalize";
import { newCode, OTP, OtpChallengeEnded } from "../identity/otp";
import { clearLoginFailures, hitRateLimit, isLocked, recordLoginFailure } from "../identity/throttle";
import { consumeVerification, createVerification, findOpenVerification } from "../identity/verification";

/**
 * Staff sign-in (SPEC §6, §8): メールアドレス + パスワード, then ALWAYS a mailed one-time password, and
 * only then a staff session. The customers' rules, with the staff's own keys: the per-IP rate limit
 * (shared with the customer login: it counts login attempts from an address), a lockout counter keyed
 * `staff:<email>` (never a customer's key), the OTP limits of identity/otp.ts (verifications with
 * purpose `staff_login_otp`, the code kept as an HMAC), and audit events with actor_type staff.
 */

export const STAFF_INVALID_CREDENTIALS_MESSAGE =
  "メールアドレスまたはパスワードが正しくありません。続けて失敗した場合は、しばらく時間をおいてから再度お試しください。";

export class StaffInvalidCredentials extends DomainError {
  constructor() {
    super("INVALID_CREDENTIALS", STAFF_INVALID_CREDENTIALS_MESSAGE);
  }
}

const PURPOSE = "staff_login_otp";

export function staffLoginKey(emailNormalized: string): string {
  return `staff:${emailNormalized}`;
}

const staffActor = (id: string): AuditActor => ({ type: "staff", id });

function codeHash(deps: ServiceDeps, verificationId: string, code: string): string {
  return deps.hmac(`${PURPOSE}:${verificationId}:${code}`);
}

async function mailCode(
  deps: ServiceDeps,
  db: ServiceDeps["db"],
  to: { email: string; name: string },
  code: string,
  expiresAt: Date,
) {
  await deps.outbox.enqueue(db, to.email, "staff-otp", {
    staffName: to.name || to.email,
    code,
    expiresAt: formatTokyo(expiresAt),
  });
}

export interface StaffOtpRequired {
  /** Goes to the browser in the staff challenge cookie; it is not a session. */
  challengeToken: string;
  expiresAt: Date;
}

/**
 * Step 1. Every failure — unknown address, disabled staff member, wrong password, locked — costs one
 * argon2 verification and ends in the same StaffInvalidCredentials. A right password mails a code.
 */
export async function staffLogin(
  deps: ServiceDeps,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<StaffOtpRequired> {
  await hitRateLimit(deps.db, deps.clock, `login:ip:${meta.ip ?? "unknown"}`, deps.config.loginRateLimitPerMinute);
  const email = normalizeEmail(input.email);
  const key = staffLoginKey(email);
  const locked = await isLocked(deps.db, deps.clock, key);
  const row = await deps.db
    .selectFrom("staff")
    .select(["id", "email", "name", "password_hash", "status"])
    .where("email", "=", email)
    .executeTakeFirst();
  const usable = !locked && row?.status === "active";
  const ok = usable
    ? await deps.hasher.verify(row.password_hash, input.password)
    : await deps.hasher.verifyDummy(input.password);

  if (!row || !ok || !usable) {
    const nowLocked = locked ? false : await recordLoginFailure(deps.db, deps.clock, key);
    const actor: AuditActor = row ? staffActor(row.id) : { type: "anonymous" };
    const target = email.slice(0, 254);
    await recordAudit(deps.db, deps.clock, actor, meta, "staff.login", {
      target,
      result: "failure",
      details: locked ? { locked: true } : undefined,
    });
    if (nowLocked) await recordAudit(deps.db, deps.clock, actor, meta, "staff.lockout", { target });
    throw new StaffInvalidCredentials();
  }

  return deps.db.transaction().execute(async (trx) => {
    const id = newId();
    const code = newCode();
    const { token, expiresAt } = await createVerification(trx, deps.clock, {
      id,
      purpose: PURPOSE,
      userId: row.id,
      ttlMs: OTP.ttlMs,
      codeHash: codeHash(deps, id, code),
    });
    await mailCode(deps, trx, row, code, expiresAt);
    await recordAudit(trx, deps.clock, staffActor(row.id), meta, "staff.otp.sent", { target: row.email });
    return { challengeToken: token, expiresAt };
  });
}

/** A challenge that can still be answered: open, tries left, its staff member active and not locked out. */
async function openChallenge(deps: ServiceDeps, token: string) {
  const v = await findOpenVerification(deps.db, deps.clock, PURPOSE, token);
  if (!v || v.attempts >= OTP.maxAttempts) return null;
  const staff = await deps.db
    .selectFrom("staff")
    .select(["id", "email", "name", "status"])
    .where("id", "=", v.user_id)
    .executeTakeFirst();
  if (staff?.status !== "active") return null;
  if (await isLocked(deps.db, deps.clock, staffLoginKey(staff.email))) return null;
  return { v, staff };
}

export async function staffChallengeInfo(deps: ServiceDeps, token: string): Promise<{ expiresAt: string } | null> {
  const open = await openChallenge(deps, token);
  return open ? { expiresAt: open.v.expires_at } : null;
}

const TRIES_USED_UP_MESSAGE =
  "ワンタイムパスワードの入力回数が上限に達しました。お手数ですが、もう一度ログインしてください。";

/**
 * Step 2: the mailed code. A wrong one costs one of the 5 tries and counts toward the lockout (as for
 * customers, identity/otp.ts); a right one is consumed by one conditional UPDATE, and a new staff
 * session starts. Returns the session id (the router turns it into the staff cookie).
 */
export async function verifyStaffCode(
  deps: ServiceDeps,
  token: string,
  code: string,
  meta: RequestMeta,
): Promise<{ sessionId: string; staffId: string }> {
  const open = await openChallenge(deps, token);
  if (!open) throw new OtpChallengeEnded();
  const { v, staff } = open;
  const key = staffLoginKey(staff.email);
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
    await recordAudit(deps.db, deps.clock, staffActor(staff.id), meta, "staff.otp.verify", {
      target: staff.email,
      result: "failure",
      details: { attempts },
    });
    const locked = await recordLoginFailure(deps.db, deps.clock, key);
    if (locked) {
      await recordAudit(deps.db, deps.clock, staffActor(staff.id), meta, "staff.lockout", {
        target: staff.email,
        details: { via: PURPOSE },
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
    const message = `ワンタイムパスワードが正しくありません。(あと${OTP.maxAttempts - attempts}回入力できます)`;
    throw new DomainError("OTP_INVALID", message, { code: [message] });
  }
  if (!(await consumeVerification(deps.db, deps.clock, v.id, OTP.maxAttempts))) throw new OtpChallengeEnded();

  await clearLoginFailures(deps.db, key);
  // A new session, never one from before the sign-in.
  const sessionId = await deps.sessions.create("staff", staff.id, meta);
  await recordAudit(deps.db, deps.clock, staffActor(staff.id), meta, "staff.login", { target: staff.email });
  return { sessionId, staffId: staff.id };
}

/** A new code for the same challenge (the old one stops working), at most once a minute and 5 an hour. */
export async function resendStaffCode(
  deps: ServiceDeps,
  token: string,
  meta: RequestMeta,
): Promise<{ expiresAt: Date }> {
  const open = await openChallenge(deps, token);
  if (!open) throw new OtpChallengeEnded();
  const { v, staff } = open;
  const now = deps.clock.now();
  if (now.getTime() - new Date(v.last_sent_at).getTime() < OTP.resendIntervalMs) {
    throw new DomainError("OTP_RESEND_TOO_SOON", "ワンタイムパスワードの再送は、1分以上あけてから行ってください。");
  }
  const recent = await deps.db
    .selectFrom("audit_events")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("actor_id", "=", staff.id)
    .where("action", "=", "staff.otp.resend")
    .where("result", "=", "success")
    .where("at", ">", iso(addMs(now, -HOUR)))
    .executeTakeFirstOrThrow();
  if (Number(recent.n) >= OTP.resendsPerHour) {
    throw new DomainError(
      "OTP_RESEND_TOO_SOON",
      "ワンタイムパスワードの再送は1時間に5回までです。しばらく時間をおいてから、もう一度ログインしてください。",
    );
  }
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
    if (Number(updated.numUpdatedRows) !== 1) throw new OtpChallengeEnded();
    await mailCode(deps, trx, staff, code, expiresAt);
    await recordAudit(trx, deps.clock, staffActor(staff.id), meta, "staff.otp.resend", { target: staff.email });
  });
  return { expiresAt };
}

export async function staffLogout(
  deps: ServiceDeps,
  session: { sessionId: string; staffId: string },
  meta: RequestMeta,
): Promise<void> {
  await deps.sessions.invalidate(session.sessionId);
  await recordAudit(deps.db, deps.clock, staffActor(session.staffId), meta, "staff.logout");
}
