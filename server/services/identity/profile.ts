import type { DB } from "../../../db";
import { compiledOnce } from "../../../db/compiled-once";
import { formatTokyo } from "../../lib/format";
import { recordAudit, userActor } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { checkCurrentPassword } from "./passwords";
import { loadUser } from "./user-records";

export const USER_NAME_MAX = 50;

/**
 * 登録情報変更: the user's display name and the MFA switch. Switching MFA needs the current password
 * and is told to the user by mail.
 */
export async function updateProfile(
  deps: ServiceDeps,
  who: { userId: string },
  input: { name: string; mfaEnabled: boolean; currentPassword?: string },
  meta: RequestMeta,
): Promise<{ mfaChanged: boolean }> {
  const user = await loadUser(deps.db, who.userId);
  const name = input.name.trim();
  const fieldErrors: Record<string, string[]> = {};
  if ([...name].length > USER_NAME_MAX) fieldErrors.name = [`ユーザ名は${USER_NAME_MAX}文字以内で入力してください。`];
  const mfaChanged = (user.mfa_enabled === 1) !== input.mfaEnabled;
  if (mfaChanged) {
    if (!input.currentPassword) {
      fieldErrors.currentPassword = ["多要素認証の設定を変更するには、現在のパスワードを入力してください。"];
    } else if (!(await checkCurrentPassword(deps, user, input.currentPassword, meta))) {
      fieldErrors.currentPassword = ["パスワードが正しくありません。"];
    }
  }
  if (Object.keys(fieldErrors).length) throw new DomainError("VALIDATION", "入力内容をご確認ください。", fieldErrors);

  await deps.db.transaction().execute(async (trx) => {
    await trx
      .updateTable("users")
      .set({ name, mfa_enabled: input.mfaEnabled ? 1 : 0 })
      .where("id", "=", user.id)
      .execute();
    const actor = userActor(user);
    if (name !== user.name) await recordAudit(trx, deps.clock, actor, meta, "profile.update_name");
    if (mfaChanged) {
      await recordAudit(trx, deps.clock, actor, meta, input.mfaEnabled ? "mfa.enable" : "mfa.disable");
      await deps.outbox.enqueue(trx, user.email, "mfa-changed", {
        accountCompany: user.company_name,
        userName: name,
        state: input.mfaEnabled ? "利用する" : "利用しない",
        changedAt: formatTokyo(deps.clock.now()),
        ip: meta.ip ?? "不明",
      });
    }
  });
  return { mfaChanged };
}

/** A past sign-in, as the home page shows it ("not you?"). */
export interface PastLogin {
  at: string;
  ip: string | null;
  userAgent: string | null;
}

const lastTwoLogins = compiledOnce((db: DB, userId: string) =>
  db
    .selectFrom("audit_events")
    .select(["at", "ip", "user_agent"])
    .where("actor_id", "=", userId)
    .where("action", "=", "auth.login")
    .where("result", "=", "success")
    .orderBy("at", "desc")
    .limit(2),
);

/**
 * The sign-in before the current one (the newest successful `auth.login` is the one in use), or null
 * for a first sign-in. Read from the audit log by the (actor_id, action, at) index.
 */
export async function previousLogin(deps: ServiceDeps, userId: string): Promise<PastLogin | null> {
  const rows = await lastTwoLogins.all(deps.db, userId);
  const row = rows[1];
  return row ? { at: row.at, ip: row.ip, userAgent: row.user_agent } : null;
}
