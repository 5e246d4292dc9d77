import { formatTokyo } from "../../lib/format";
import { describeUserAgent } from "../../lib/user-agent";
import { recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";

/**
 * セキュリティ設定 (issue 14 item 1, SPEC §3): what a user sees of their own sign-ins and sessions, and ends
 * themselves. Sessions live in the database and every request reads its session there, so a session ended
 * here is ended at once on every instance.
 */

/** How many sign-ins ログイン履歴 shows. */
export const LOGIN_HISTORY_SIZE = 30;

export interface LoginHistoryRow {
  id: string;
  atLabel: string;
  ip: string;
  browser: string;
  result: "成功" | "失敗";
}

/**
 * ログイン履歴: the user's newest sign-ins and failed attempts (a right ログインID and メールアドレス with a wrong
 * password), on the audit log's (actor_id, action, at, id) index.
 */
export async function loginHistory(deps: ServiceDeps, userId: string): Promise<LoginHistoryRow[]> {
  const rows = await deps.db
    .selectFrom("audit_events")
    .select(["id", "at", "ip", "user_agent", "result"])
    .where("actor_id", "=", userId)
    .where("action", "=", "auth.login")
    .orderBy("at", "desc")
    .orderBy("id", "desc")
    .limit(LOGIN_HISTORY_SIZE)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    atLabel: formatTokyo(new Date(r.at)),
    ip: r.ip ?? "不明",
    browser: describeUserAgent(r.user_agent),
    result: r.result === "success" ? "成功" : "失敗",
  }));
}

export interface DeviceRow {
  /** Names the session for `endSession`; not usable as a session. */
  handle: string;
  /** この端末: the session of the request. */
  current: boolean;
  browser: string;
  ip: string;
  startedLabel: string;
  lastSeenLabel: string;
}

/** ログイン中の端末: the user's live sessions, this one first, then by last use. */
export async function devices(deps: ServiceDeps, userId: string, currentSessionId: string): Promise<DeviceRow[]> {
  const current = deps.sessions.handleOf(currentSessionId);
  const live = await deps.sessions.listLive(userId, "customer");
  return live
    .map((s) => ({
      handle: s.handle,
      current: s.handle === current,
      browser: describeUserAgent(s.userAgent),
      ip: s.ip ?? "不明",
      startedLabel: formatTokyo(s.createdAt),
      lastSeenLabel: formatTokyo(s.lastSeenAt),
    }))
    .sort((a, b) => Number(b.current) - Number(a.current));
}

interface Who {
  userId: string;
  accountId: string;
  /** The session of the request (it is never ended here: ログアウト in the header does that). */
  sessionId: string;
}

/** ログアウト of one other device: false when it had already ended. */
export async function endSession(deps: ServiceDeps, who: Who, handle: string, meta: RequestMeta): Promise<boolean> {
  if (handle === deps.sessions.handleOf(who.sessionId)) {
    throw new DomainError("VALIDATION", "この端末からは、画面上部の「ログアウト」でログアウトしてください。");
  }
  const ended = await deps.sessions.endByHandle(who.userId, "customer", handle);
  if (ended) {
    await recordAudit(deps.db, deps.clock, { userId: who.userId, accountId: who.accountId }, meta, "auth.session_end");
  }
  return ended;
}

/** 他の端末をすべてログアウト: every session of the user but this one; how many there were. */
export async function endOtherSessions(deps: ServiceDeps, who: Who, meta: RequestMeta): Promise<number> {
  const others = (await deps.sessions.listLive(who.userId, "customer")).filter(
    (s) => s.handle !== deps.sessions.handleOf(who.sessionId),
  ).length;
  await deps.sessions.invalidateAllFor(who.userId, who.sessionId);
  await recordAudit(
    deps.db,
    deps.clock,
    { userId: who.userId, accountId: who.accountId },
    meta,
    "auth.session_end_others",
    {
      details: { sessions: others },
    },
  );
  return others;
}
