import { randomBytes } from "node:crypto";
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import { createTOTPKeyURI, generateHOTP } from "@oslojs/otp";
import { renderSVG } from "uqr";
import type { DB } from "../../../db";
import { iso } from "../../lib/clock";
import { newId, safeEqual } from "../../lib/crypto";
import { formatTokyo } from "../../lib/format";
import { type AuditActor, recordAudit, userActor } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { normalizeEmail, normalizeLoginId } from "./normalize";
import { checkCurrentPassword } from "./passwords";
import { loadUser, type UserRow } from "./user-records";

/**
 * 認証アプリ (issue 14 item 1, SPEC §3, ADR 022): an authenticator app as the second factor, instead of the
 * mailed code. TOTP of RFC 6238 (SHA-1, 6 digits, 30 seconds: what every authenticator app reads from the QR
 * code) with @oslojs/otp's HOTP; a code is taken for the step before, the current one or the one after (a
 * phone's clock a little off), and only for a step later than the last one taken, so a code never works
 * twice. The key is sealed at rest (SecretBox); ten recovery codes stand in for a lost phone, each once.
 */

export const TOTP = { periodSeconds: 30, digits: 6, stepsEachSide: 1 } as const;
export const RECOVERY_CODE_COUNT = 10;

const INVALID_INPUT = "入力内容をご確認ください。";

/** The 30-second step of a moment. */
export function totpStep(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP.periodSeconds);
}

/** The code of a key at a step (what the app shows). */
export function totpCode(key: Uint8Array, step: number): string {
  return generateHOTP(key, BigInt(step), TOTP.digits);
}

/** The step within the window whose code this is, or null. Every step is compared, in constant time each. */
export function matchingStep(key: Uint8Array, code: string, at: Date): number | null {
  const now = totpStep(at);
  let found: number | null = null;
  for (let step = now - TOTP.stepsEachSide; step <= now + TOTP.stepsEachSide; step++) {
    if (safeEqual(totpCode(key, step), code) && found === null) found = step;
  }
  return found;
}

/** The key as the app takes it by hand (設定キー): base32, upper case, no padding. */
export function displayKey(key: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(key);
}

/** A 設定キー back to the key (spaces and lower case allowed, as people type it). */
export function keyFromDisplay(text: string): Uint8Array {
  return decodeBase32IgnorePadding(text.replace(/\s+/g, "").toUpperCase());
}

// ---------------------------------------------------------------- recovery codes

const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"; // no i, l, o, 0, 1

/** A recovery code: 10 characters of 31 (49 bits), shown as xxxxx-xxxxx. */
function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  let code = "";
  for (const b of bytes) code += RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length];
  return `${code.slice(0, 5)}-${code.slice(5)}`;
}

/** What a typed recovery code is compared as: half-width, lower case, without spaces and hyphens. */
export function normalizeRecoveryCode(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\-‐－ー]/g, "");
}

function recoveryHash(deps: ServiceDeps, userId: string, code: string): string {
  return deps.hmac(`recovery_code:${userId}:${normalizeRecoveryCode(code)}`);
}

/** Ten new codes replace the user's old ones (used or not); only their HMACs are kept. */
async function replaceRecoveryCodes(deps: ServiceDeps, trx: DB, userId: string): Promise<string[]> {
  await trx.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode());
  const now = iso(deps.clock.now());
  await trx
    .insertInto("recovery_codes")
    .values(
      [...codes].map((code) => ({
        id: newId(),
        user_id: userId,
        code_hash: recoveryHash(deps, userId, code),
        used_at: null,
        created_at: now,
      })),
    )
    .execute();
  return [...codes];
}

// ---------------------------------------------------------------- the settings page

export type AuthenticatorState =
  | { state: "none" }
  | { state: "pending"; key: string; qrCode: string }
  | { state: "active"; sinceLabel: string; recoveryCodesLeft: number };

async function totpRow(db: DB, userId: string) {
  return db.selectFrom("user_totp").selectAll().where("user_id", "=", userId).executeTakeFirst();
}

function otpauthUri(deps: ServiceDeps, user: UserRow, key: Uint8Array): string {
  // The label the app lists: the site, then whose it is (login ID and address tell two accounts apart).
  return createTOTPKeyURI(
    deps.config.site.siteName,
    `${user.login_id} ${user.email}`,
    key,
    TOTP.periodSeconds,
    TOTP.digits,
  );
}

/** What 認証アプリ on セキュリティ設定 shows: nothing set, an enrolment waiting for its code, or the app in use. */
export async function authenticatorState(deps: ServiceDeps, userId: string): Promise<AuthenticatorState> {
  const row = await totpRow(deps.db, userId);
  if (!row) return { state: "none" };
  if (row.confirmed_at) {
    const left = await deps.db
      .selectFrom("recovery_codes")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("user_id", "=", userId)
      .where("used_at", "is", null)
      .executeTakeFirstOrThrow();
    return {
      state: "active",
      sinceLabel: formatTokyo(new Date(row.confirmed_at)),
      recoveryCodesLeft: Number(left.n),
    };
  }
  const user = await loadUser(deps.db, userId);
  const key = deps.secrets.open(row.secret_sealed, userId);
  const svg = renderSVG(otpauthUri(deps, user, key), { border: 2 });
  return {
    state: "pending",
    key: displayKey(key),
    qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}`,
  };
}

/** 認証アプリを設定: a new key waits for its first code (an earlier unconfirmed one is replaced). */
export async function startEnrolment(deps: ServiceDeps, userId: string): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const row = await totpRow(trx, userId);
    if (row?.confirmed_at) throw new DomainError("VALIDATION", "認証アプリはすでに登録されています。");
    await trx.deleteFrom("user_totp").where("user_id", "=", userId).execute();
    await trx
      .insertInto("user_totp")
      .values({
        user_id: userId,
        secret_sealed: deps.secrets.seal(randomBytes(20), userId),
        confirmed_at: null,
        last_step: 0,
        created_at: iso(deps.clock.now()),
      })
      .execute();
  });
}

/** 中止: the waiting enrolment goes (an app in use stays). */
export async function cancelEnrolment(deps: ServiceDeps, userId: string): Promise<void> {
  await deps.db.deleteFrom("user_totp").where("user_id", "=", userId).where("confirmed_at", "is", null).execute();
}

async function tellUser(deps: ServiceDeps, trx: DB, user: UserRow, change: string, meta: RequestMeta) {
  await deps.outbox.enqueue(trx, user.email, "authenticator-changed", {
    accountCompany: user.company_name,
    userName: user.name || user.email,
    change,
    changedAt: formatTokyo(deps.clock.now()),
    ip: meta.ip ?? "不明",
  });
}

/**
 * 登録 with the 確認コード: the app shows the right code, so it holds the key. The enrolment is confirmed,
 * ten recovery codes are made (returned once, to be shown once), the event recorded and the user told.
 */
export async function confirmEnrolment(
  deps: ServiceDeps,
  userId: string,
  code: string,
  meta: RequestMeta,
): Promise<{ recoveryCodes: string[] }> {
  const given = code.normalize("NFKC").replace(/\s+/g, "");
  if (!given) throw new DomainError("VALIDATION", INVALID_INPUT, { code: ["確認コードを入力してください。"] });
  if (!/^\d{6}$/.test(given)) {
    throw new DomainError("VALIDATION", INVALID_INPUT, { code: ["確認コードは6桁の数字で入力してください。"] });
  }
  const user = await loadUser(deps.db, userId);
  return deps.db.transaction().execute(async (trx) => {
    const row = await totpRow(trx, userId);
    if (!row || row.confirmed_at) {
      throw new DomainError(
        "VALIDATION",
        "認証アプリの設定がありません。もう一度「認証アプリを設定」からやり直してください。",
      );
    }
    const step = matchingStep(deps.secrets.open(row.secret_sealed, userId), given, deps.clock.now());
    if (step === null) {
      throw new DomainError("VALIDATION", INVALID_INPUT, {
        code: ["確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。"],
      });
    }
    const updated = await trx
      .updateTable("user_totp")
      .set({ confirmed_at: iso(deps.clock.now()), last_step: step })
      .where("user_id", "=", userId)
      .where("confirmed_at", "is", null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1)
      throw new DomainError("VALIDATION", "認証アプリはすでに登録されています。");
    const recoveryCodes = await replaceRecoveryCodes(deps, trx, userId);
    await recordAudit(trx, deps.clock, userActor(user), meta, "totp.enable");
    await tellUser(deps, trx, user, "認証アプリを登録しました。", meta);
    return { recoveryCodes };
  });
}

/** The current password before a change of the app in use; a wrong one is a field error (and counts). */
async function requirePassword(deps: ServiceDeps, user: UserRow, password: string, meta: RequestMeta) {
  if (!password) {
    throw new DomainError("VALIDATION", INVALID_INPUT, { currentPassword: ["現在のパスワードを入力してください。"] });
  }
  if (!(await checkCurrentPassword(deps, user, password, meta))) {
    throw new DomainError("VALIDATION", INVALID_INPUT, { currentPassword: ["現在のパスワードが正しくありません。"] });
  }
}

async function requireActive(db: DB, userId: string) {
  const row = await totpRow(db, userId);
  if (!row?.confirmed_at) throw new DomainError("VALIDATION", "認証アプリは登録されていません。");
}

/** リカバリーコードを再発行 (current password): ten new codes, the old ones end. */
export async function regenerateRecoveryCodes(
  deps: ServiceDeps,
  userId: string,
  currentPassword: string,
  meta: RequestMeta,
): Promise<{ recoveryCodes: string[] }> {
  const user = await loadUser(deps.db, userId);
  await requireActive(deps.db, userId);
  await requirePassword(deps, user, currentPassword, meta);
  return deps.db.transaction().execute(async (trx) => {
    await requireActive(trx, userId);
    const recoveryCodes = await replaceRecoveryCodes(deps, trx, userId);
    await recordAudit(trx, deps.clock, userActor(user), meta, "totp.recovery_regenerate");
    await tellUser(
      deps,
      trx,
      user,
      "リカバリーコードを再発行しました(以前のリカバリーコードは使えなくなりました)。",
      meta,
    );
    return { recoveryCodes };
  });
}

/** 認証アプリを解除 (current password): the key and the recovery codes go; login asks the mailed code again if MFA is on. */
export async function removeAuthenticator(
  deps: ServiceDeps,
  userId: string,
  currentPassword: string,
  meta: RequestMeta,
): Promise<void> {
  const user = await loadUser(deps.db, userId);
  await requireActive(deps.db, userId);
  await requirePassword(deps, user, currentPassword, meta);
  await deps.db.transaction().execute(async (trx) => {
    await trx.deleteFrom("recovery_codes").where("user_id", "=", userId).execute();
    await trx.deleteFrom("user_totp").where("user_id", "=", userId).execute();
    await recordAudit(trx, deps.clock, userActor(user), meta, "totp.disable");
    await tellUser(deps, trx, user, "認証アプリを解除しました。", meta);
  });
}

/**
 * For the contact center, once it has checked who is asking: a user who lost both the phone and the recovery
 * codes. The authenticator and its codes go, the user's sessions end, the event is recorded (by `actor`: a
 * staff member in the back office, or the system for `npm run admin -- remove-authenticator`) and the user
 * is told.
 */
export async function removeAuthenticatorOf(
  deps: ServiceDeps,
  trx: DB,
  userId: string,
  actor: AuditActor,
  meta: RequestMeta | null,
): Promise<void> {
  await requireActive(trx, userId);
  const user = await loadUser(trx, userId);
  await trx.deleteFrom("recovery_codes").where("user_id", "=", user.id).execute();
  await trx.deleteFrom("user_totp").where("user_id", "=", user.id).execute();
  await trx.deleteFrom("sessions").where("kind", "=", "customer").where("user_id", "=", user.id).execute();
  await recordAudit(trx, deps.clock, actor, meta, "totp.disable", {
    target: user.email,
    details: { by: "contact_center" },
  });
  await tellUser(
    deps,
    trx,
    user,
    "コンタクトセンタにより、認証アプリの登録を解除しました。",
    meta ?? { ip: null, userAgent: null },
  );
}

/** `npm run admin -- remove-authenticator --login-id … --email …`: removeAuthenticatorOf by the system. */
export async function removeAuthenticatorForUser(
  deps: ServiceDeps,
  who: { loginId: string; email: string },
): Promise<void> {
  const row = await deps.db
    .selectFrom("users")
    .innerJoin("accounts", "accounts.id", "users.account_id")
    .select(["users.id", "users.account_id"])
    .where("accounts.login_id", "=", normalizeLoginId(who.loginId))
    .where("users.email_normalized", "=", normalizeEmail(who.email))
    .executeTakeFirst();
  if (!row) throw new DomainError("NOT_FOUND", "そのログインIDとメールアドレスの利用者はいません。");
  await deps.db
    .transaction()
    .execute((trx) => removeAuthenticatorOf(deps, trx, row.id, { type: "system", accountId: row.account_id }, null));
}

// ---------------------------------------------------------------- the login step

/** Whether the user signs in with an authenticator (a confirmed one). */
export async function usesAuthenticator(db: DB, userId: string): Promise<boolean> {
  const row = await db.selectFrom("user_totp").select("confirmed_at").where("user_id", "=", userId).executeTakeFirst();
  return !!row?.confirmed_at;
}

/**
 * A login's authenticator code: right for a step in the window and later than the last one taken, which it
 * then becomes (one conditional UPDATE: of two parallel uses of one code, one wins).
 */
export async function takeAuthenticatorCode(deps: ServiceDeps, userId: string, code: string): Promise<boolean> {
  const row = await totpRow(deps.db, userId);
  if (!row?.confirmed_at) return false;
  const step = matchingStep(deps.secrets.open(row.secret_sealed, userId), code, deps.clock.now());
  if (step === null || step <= row.last_step) return false;
  const updated = await deps.db
    .updateTable("user_totp")
    .set({ last_step: step })
    .where("user_id", "=", userId)
    .where("last_step", "<", step)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** A login's recovery code: one of the user's unused ones, used up by one conditional UPDATE. */
export async function takeRecoveryCode(deps: ServiceDeps, userId: string, code: string): Promise<boolean> {
  if (!normalizeRecoveryCode(code)) return false;
  const updated = await deps.db
    .updateTable("recovery_codes")
    .set({ used_at: iso(deps.clock.now()) })
    .where("user_id", "=", userId)
    .where("code_hash", "=", recoveryHash(deps, userId, code))
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

/** After a login with a recovery code: the user is told, with how many are left. */
export async function tellRecoveryCodeUsed(deps: ServiceDeps, userId: string, meta: RequestMeta): Promise<void> {
  const user = await loadUser(deps.db, userId);
  const state = await authenticatorState(deps, userId);
  const left = state.state === "active" ? state.recoveryCodesLeft : 0;
  await deps.db.transaction().execute(async (trx) => {
    await recordAudit(trx, deps.clock, userActor(user), meta, "auth.recovery_code", { details: { left } });
    await tellUser(
      deps,
      trx,
      user,
      `リカバリーコードでログインしました(残りのリカバリーコード: ${left}個)。残りが少ない場合は、セキュリティ設定から再発行してください。`,
      meta,
    );
  });
}
