import { sql } from "kysely";
import type { DB } from "../../../db";
import { addMs, type Clock, HOUR, iso, MINUTE } from "../../lib/clock";
import { DomainError } from "../errors";

/** SPEC §8: 10 consecutive failures lock a login ID + email for 15 min; the count is forgotten after 12 h. */
export const LOCKOUT = { failures: 10, lockMs: 15 * MINUTE, forgetMs: 12 * HOUR } as const;

export function loginKey(loginId: string, emailNormalized: string): string {
  return `${loginId}\n${emailNormalized}`;
}

export async function isLocked(db: DB, clock: Clock, key: string): Promise<boolean> {
  const row = await db.selectFrom("login_failures").select("locked_until").where("key", "=", key).executeTakeFirst();
  return !!row?.locked_until && row.locked_until > iso(clock.now());
}

/**
 * Counts one more failure atomically (parallel failures all count) and locks at the limit.
 * Returns true when this failure caused the lock.
 */
export async function recordLoginFailure(db: DB, clock: Clock, key: string): Promise<boolean> {
  const now = iso(clock.now());
  const forgetBefore = iso(addMs(clock.now(), -LOCKOUT.forgetMs));
  const row = await db
    .insertInto("login_failures")
    .values({ key, consecutive: 1, last_failed_at: now, locked_until: null })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        consecutive: sql<number>`case when login_failures.last_failed_at < ${forgetBefore} then 1 else login_failures.consecutive + 1 end`,
        last_failed_at: now,
      }),
    )
    .returning(["consecutive"])
    .executeTakeFirstOrThrow();
  if (row.consecutive < LOCKOUT.failures) return false;
  // Lock, and start counting afresh once the lock has passed.
  const locked = await db
    .updateTable("login_failures")
    .set({ locked_until: iso(addMs(clock.now(), LOCKOUT.lockMs)), consecutive: 0 })
    .where("key", "=", key)
    .where("consecutive", ">=", LOCKOUT.failures)
    .executeTakeFirst();
  return Number(locked.numUpdatedRows) > 0;
}

/**
 * For a password check of a signed-in user (its current password): counts the attempt as a failure
 * before the password is verified, in one statement that does nothing while the key is locked, so
 * that parallel guesses cannot test more than LOCKOUT.failures passwords (one batched request sent
 * 100). The caller clears the count when the password is right, as a login does.
 * - "locked": the key is locked (or another attempt is locking it): check nothing;
 * - "check": verify the password;
 * - "last": verify it; this attempt reached the limit and locked the key (a right password unlocks it).
 */
export async function claimPasswordCheck(db: DB, clock: Clock, key: string): Promise<"locked" | "check" | "last"> {
  const now = iso(clock.now());
  const forgetBefore = iso(addMs(clock.now(), -LOCKOUT.forgetMs));
  const row = await db
    .insertInto("login_failures")
    .values({ key, consecutive: 1, last_failed_at: now, locked_until: null })
    .onConflict((oc) =>
      oc
        .column("key")
        .doUpdateSet({
          consecutive: sql<number>`case when login_failures.last_failed_at < ${forgetBefore} then 1 else login_failures.consecutive + 1 end`,
          last_failed_at: now,
        })
        .where((eb) =>
          eb.or([eb("login_failures.locked_until", "is", null), eb("login_failures.locked_until", "<=", now)]),
        ),
    )
    .returning(["consecutive"])
    .executeTakeFirst();
  if (!row || row.consecutive > LOCKOUT.failures) return "locked";
  if (row.consecutive < LOCKOUT.failures) return "check";
  await db
    .updateTable("login_failures")
    .set({ locked_until: iso(addMs(clock.now(), LOCKOUT.lockMs)), consecutive: 0 })
    .where("key", "=", key)
    .where("consecutive", ">=", LOCKOUT.failures)
    .execute();
  return "last";
}

export async function clearLoginFailures(db: DB, key: string): Promise<void> {
  await db.deleteFrom("login_failures").where("key", "=", key).execute();
}

export class TooManyRequests extends DomainError {
  constructor() {
    super("TOO_MANY_REQUESTS", "短時間にアクセスが集中しています。しばらく時間をおいてから再度お試しください。");
  }
}

/**
 * A fixed one-minute window counter in the database (so it holds across instances). Throws
 * TooManyRequests past `limitPerMinute`; a limit of 0 turns it off.
 */
export async function hitRateLimit(db: DB, clock: Clock, key: string, limitPerMinute: number): Promise<void> {
  if (limitPerMinute <= 0) return;
  const now = clock.now();
  const windowStart = iso(new Date(Math.floor(now.getTime() / MINUTE) * MINUTE));
  const row = await db
    .insertInto("rate_buckets")
    .values({ key, window_start: windowStart, count: 1 })
    .onConflict((oc) => oc.columns(["key", "window_start"]).doUpdateSet({ count: sql<number>`rate_buckets.count + 1` }))
    .returning(["count"])
    .executeTakeFirstOrThrow();
  if (row.count === 1) {
    // A new window: forget this key's old ones.
    await db.deleteFrom("rate_buckets").where("key", "=", key).where("window_start", "<", windowStart).execute();
  }
  if (row.count > limitPerMinute) throw new TooManyRequests();
}
