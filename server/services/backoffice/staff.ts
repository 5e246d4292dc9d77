import type { DB } from "../../../db";
import { isUniqueViolation } from "../../../db";
import { compiledOnce } from "../../../db/compiled-once";
import type { StaffTable } from "../../../db/schema";
import { iso } from "../../lib/clock";
import { newId } from "../../lib/crypto";
import { type AuditActor, recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { isValidEmail, normalizeEmail } from "../identity/normalize";
import { checkPassword } from "../identity/password-policy";
import { checkGuardedPassword } from "../identity/passwords";
import { staffLoginKey } from "./staff-sign-in";

export type StaffRole = StaffTable["role"];

/** A signed-in staff member, as procedures see them. */
export interface StaffIdentity {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
}

const staffById = compiledOnce((db: DB, staffId: string) =>
  db.selectFrom("staff").select(["id", "email", "name", "role", "status"]).where("id", "=", staffId),
);

/** The staff member of a session, or null when gone or disabled. */
export async function findStaff(db: DB, staffId: string): Promise<StaffIdentity | null> {
  const row = await staffById.first(db, staffId);
  if (row?.status !== "active") return null;
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

export interface StaffInput {
  email: string;
  password: string;
  name?: string;
  role?: StaffRole;
}

/**
 * Adds a staff member (the admin CLI for the first admin, then 設定 at /admin/staff). The password is
 * checked by the customers' policy; the address is stored normalized (it is the sign-in name).
 */
export async function createStaff(
  deps: ServiceDeps,
  input: StaffInput,
  actor: AuditActor = { type: "system" },
  meta: RequestMeta | null = null,
): Promise<{ staffId: string }> {
  const email = input.email.trim();
  const name = input.name?.trim() ?? "";
  const fieldErrors: Record<string, string[]> = {};
  if (!isValidEmail(email)) fieldErrors.email = ["メールアドレスの形式が正しくありません。"];
  if (name.length > 50) fieldErrors.name = ["氏名は50文字以内で入力してください。"];
  if (input.role !== undefined && input.role !== "admin" && input.role !== "operator") {
    fieldErrors.role = ["役割を選択してください。"];
  }
  const violations = checkPassword(input.password, { loginId: "", email, symbols: deps.config.passwordSymbols });
  if (violations.length) fieldErrors.password = violations.map((v) => v.message);
  if (Object.keys(fieldErrors).length) throw new DomainError("VALIDATION", "入力内容に誤りがあります。", fieldErrors);
  const staffId = newId();
  const passwordHash = await deps.hasher.hash(input.password);
  const duplicate = () =>
    new DomainError("DUPLICATE_EMAIL", "このメールアドレスのスタッフは既に登録されています。", {
      email: ["このメールアドレスのスタッフは既に登録されています。"],
    });
  try {
    await deps.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom("staff")
        .select("id")
        .where("email", "=", normalizeEmail(email))
        .executeTakeFirst();
      if (taken) throw duplicate();
      await trx
        .insertInto("staff")
        .values({
          id: staffId,
          email: normalizeEmail(email),
          name,
          password_hash: passwordHash,
          role: input.role ?? "operator",
          status: "active",
          created_at: iso(deps.clock.now()),
        })
        .execute();
      await recordAudit(trx, deps.clock, actor, meta, "staff.create", {
        target: normalizeEmail(email),
        details: { role: input.role ?? "operator" },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate();
    throw error;
  }
  return { staffId };
}

export interface StaffListRow {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  status: StaffTable["status"];
  createdAt: string;
}

export async function listStaff(db: DB): Promise<StaffListRow[]> {
  const rows = await db
    .selectFrom("staff")
    .select(["id", "email", "name", "role", "status", "created_at"])
    .orderBy("email")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    status: r.status,
    createdAt: r.created_at,
  }));
}

/**
 * 利用停止 / 利用再開 of a staff member. Disabling ends their sessions at once. Nobody disables
 * themselves, and the last active admin stays (someone must be able to manage staff).
 */
export async function setStaffStatus(
  deps: ServiceDeps,
  by: StaffIdentity,
  staffId: string,
  status: StaffTable["status"],
  meta: RequestMeta | null,
): Promise<void> {
  if (staffId === by.id && status === "disabled") {
    throw new DomainError("VALIDATION", "ご自身を利用停止にすることはできません。");
  }
  await deps.db.transaction().execute(async (trx) => {
    const target = await trx
      .selectFrom("staff")
      .select(["id", "email", "role", "status"])
      .where("id", "=", staffId)
      .executeTakeFirst();
    if (!target) throw new DomainError("NOT_FOUND", "スタッフが見つかりません。");
    if (target.status === status) return;
    if (status === "disabled" && target.role === "admin") {
      const admins = await trx
        .selectFrom("staff")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("role", "=", "admin")
        .where("status", "=", "active")
        .executeTakeFirstOrThrow();
      if (Number(admins.n) <= 1) throw new DomainError("VALIDATION", "最後の管理者は利用停止にできません。");
    }
    await trx.updateTable("staff").set({ status }).where("id", "=", staffId).execute();
    if (status === "disabled") await trx.deleteFrom("sessions").where("user_id", "=", staffId).execute();
    await recordAudit(
      trx,
      deps.clock,
      { type: "staff", id: by.id },
      meta,
      status === "disabled" ? "staff.disable" : "staff.enable",
      {
        target: target.email,
      },
    );
  });
}

/** Every rule a staff member's new password must meet, as field messages (the customers' validator). */
function newPasswordErrors(
  deps: ServiceDeps,
  email: string,
  input: { newPassword: string; confirmPassword: string },
  fieldErrors: Record<string, string[]>,
) {
  const violations = checkPassword(input.newPassword, { loginId: "", email, symbols: deps.config.passwordSymbols });
  if (violations.length) fieldErrors.newPassword = violations.map((v) => v.message);
  if (input.newPassword !== input.confirmPassword) {
    fieldErrors.confirmPassword = ["新パスワードと新パスワード(確認用)が一致しません。"];
  }
}

/**
 * パスワード変更 of the signed-in staff member (/admin/password). The current password is checked like a
 * customer's (identity/passwords.ts checkGuardedPassword): wrong ones count toward the staff address's
 * lockout, counted before the hash is verified; the failure that reaches the limit, or any check while
 * locked, ends every session of the staff member. On success every session ends and a new one starts
 * (returned for the cookie), the lockout count is cleared, and the change is audited.
 */
export async function changeOwnStaffPassword(
  deps: ServiceDeps,
  staff: StaffIdentity,
  input: { currentPassword: string; newPassword: string; confirmPassword: string },
  meta: RequestMeta,
): Promise<{ sessionId: string }> {
  const row = await deps.db
    .selectFrom("staff")
    .select(["password_hash"])
    .where("id", "=", staff.id)
    .executeTakeFirstOrThrow();
  const fieldErrors: Record<string, string[]> = {};
  if (!input.currentPassword) {
    fieldErrors.currentPassword = ["現パスワードを入力してください。"];
  } else {
    const right = await checkGuardedPassword(
      deps,
      {
        principalId: staff.id,
        lockoutKey: staffLoginKey(normalizeEmail(staff.email)),
        passwordHash: row.password_hash,
        onLockout: () =>
          recordAudit(deps.db, deps.clock, { type: "staff", id: staff.id }, meta, "staff.lockout", {
            target: staff.email,
            details: { via: "current_password" },
          }),
      },
      input.currentPassword,
    );
    if (!right) fieldErrors.currentPassword = ["現パスワードが正しくありません。"];
    else if (input.newPassword === input.currentPassword) {
      fieldErrors.newPassword = ["現パスワードと異なるパスワードを入力してください。"];
    }
  }
  newPasswordErrors(deps, staff.email, input, fieldErrors);
  if (Object.keys(fieldErrors).length) throw new DomainError("VALIDATION", "入力内容に誤りがあります。", fieldErrors);
  const passwordHash = await deps.hasher.hash(input.newPassword);
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable("staff").set({ password_hash: passwordHash }).where("id", "=", staff.id).execute();
    await recordAudit(trx, deps.clock, { type: "staff", id: staff.id }, meta, "staff.password_change", {
      target: staff.email,
    });
  });
  await deps.sessions.invalidateAllFor(staff.id);
  return { sessionId: await deps.sessions.create("staff", staff.id, meta) };
}

/**
 * パスワード再設定 of another staff member by an admin (/admin/staff), for one who lost it: a new initial
 * password the admin hands over. Their sessions end at once and their lockout is lifted; audited. An
 * admin's own password is changed at /admin/password (it needs the current one).
 */
export async function resetStaffPassword(
  deps: ServiceDeps,
  by: StaffIdentity,
  staffId: string,
  input: { newPassword: string; confirmPassword: string },
  meta: RequestMeta | null,
): Promise<void> {
  if (staffId === by.id) {
    throw new DomainError("VALIDATION", "ご自身のパスワードは「パスワード変更」から変更してください。");
  }
  const target = await deps.db.selectFrom("staff").select(["id", "email"]).where("id", "=", staffId).executeTakeFirst();
  if (!target) throw new DomainError("NOT_FOUND", "スタッフが見つかりません。");
  const fieldErrors: Record<string, string[]> = {};
  newPasswordErrors(deps, target.email, input, fieldErrors);
  if (Object.keys(fieldErrors).length) throw new DomainError("VALIDATION", "入力内容に誤りがあります。", fieldErrors);
  const passwordHash = await deps.hasher.hash(input.newPassword);
  await deps.db.transaction().execute(async (trx) => {
    await trx.updateTable("staff").set({ password_hash: passwordHash }).where("id", "=", staffId).execute();
    await trx.deleteFrom("sessions").where("user_id", "=", staffId).execute();
    await trx.deleteFrom("login_failures").where("key", "=", staffLoginKey(target.email)).execute();
    await recordAudit(trx, deps.clock, { type: "staff", id: by.id }, meta, "staff.password_reset", {
      target: target.email,
    });
  });
}
