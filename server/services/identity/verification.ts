import type { DB } from "../../../db";
import type { VerificationPurpose, VerificationTable } from "../../../db/schema";
import { addMs, type Clock, iso } from "../../lib/clock";
import { newId, newToken, sha256Hex } from "../../lib/crypto";

/**
 * Every mailed secret lives in `verifications` (docs/decisions/004). The user holds a random token
 * (in a link, or in the login-challenge cookie); only its SHA-256 is stored. A new verification of a
 * purpose voids the user's older ones, and using one is a single conditional UPDATE, so two parallel
 * uses cannot both win.
 */
export async function createVerification(
  db: DB,
  clock: Clock,
  input: {
    id?: string;
    purpose: VerificationPurpose;
    userId: string;
    ttlMs: number;
    codeHash?: string | null;
    payload?: string | null;
    /** Leave the user's other open verifications of the purpose usable (the links of ログイン通知). */
    keepOthers?: boolean;
  },
): Promise<{ id: string; token: string; expiresAt: Date }> {
  const now = clock.now();
  if (!input.keepOthers) await voidVerifications(db, clock, input.userId, { purpose: input.purpose });
  const id = input.id ?? newId();
  const token = newToken();
  const expiresAt = addMs(now, input.ttlMs);
  await db
    .insertInto("verifications")
    .values({
      id,
      purpose: input.purpose,
      user_id: input.userId,
      lookup_hash: sha256Hex(token),
      code_hash: input.codeHash ?? null,
      payload: input.payload ?? null,
      attempts: 0,
      sent_count: 1,
      last_sent_at: iso(now),
      expires_at: iso(expiresAt),
      used_at: null,
      created_at: iso(now),
    })
    .execute();
  return { id, token, expiresAt };
}

/**
 * Ends the open verifications of a user (a newer one, a deleted user, a reset password): all of them, those
 * of one purpose, or all but those of one purpose.
 */
export async function voidVerifications(
  db: DB,
  clock: Clock,
  userId: string,
  which: { purpose?: VerificationPurpose; except?: VerificationPurpose } = {},
) {
  let q = db
    .updateTable("verifications")
    .set({ used_at: iso(clock.now()) })
    .where("user_id", "=", userId)
    .where("used_at", "is", null);
  if (which.purpose) q = q.where("purpose", "=", which.purpose);
  if (which.except) q = q.where("purpose", "!=", which.except);
  await q.execute();
}

/** The open (unused, unexpired) verification for a token, or undefined. */
export async function findOpenVerification(
  db: DB,
  clock: Clock,
  purpose: VerificationPurpose,
  token: string,
): Promise<VerificationTable | undefined> {
  if (!token || token.length > 128) return undefined;
  return db
    .selectFrom("verifications")
    .selectAll()
    .where("lookup_hash", "=", sha256Hex(token))
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", iso(clock.now()))
    .executeTakeFirst();
}

/** Marks a verification used, if it still is open. True for exactly one of any parallel callers. */
export async function consumeVerification(db: DB, clock: Clock, id: string, maxAttempts?: number): Promise<boolean> {
  const now = iso(clock.now());
  let q = db
    .updateTable("verifications")
    .set({ used_at: now })
    .where("id", "=", id)
    .where("used_at", "is", null)
    .where("expires_at", ">", now);
  if (maxAttempts !== undefined) q = q.where("attempts", "<", maxAttempts);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
