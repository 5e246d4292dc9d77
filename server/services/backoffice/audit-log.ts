import { sql } from "kysely";
import { CSV_BOM, csvRecord } from "../../lib/csv";
import { formatTokyoShort } from "../../lib/format";
import { cursorOf, parseCursor } from "../../lib/keyset";
import { recordAudit } from "../audit";
import { auditActionLabel, isAuditAction } from "../audit-labels";
import type { RequestMeta, ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { normalizeEmail, normalizeLoginId } from "../identity/normalize";
import { nextDay, tokyoDayStart } from "../ordering/history";
import type { StaffActor } from "./accounts";

/**
 * 操作ログ (SPEC §6, §8 audit): every staff action and customer security event, newest first, a keyset
 * page at a time on (at, id), and all of it as CSV. Each filter is an equality on an index of migration
 * 0008 whose order is (at, id); the period and the cursor are a range within it. 実行者 and 顧客 are typed
 * as people say them (an email, a ログインID) and resolved to ids first, each by an index lookup.
 */

export const AUDIT_PAGE_SIZE = 50;
/**
 * CSV is written this many rows per query (a keyset chunk), so a long log never sits in memory whole; as many as
 * HISTORY_CSV_CHUNK, for the same reason (less garbage for V8 to keep until a full collection).
 */
export const AUDIT_CSV_CHUNK = 250;
/** An email used by more users than this (one per account) asks for the 顧客 filter too. */
export const ACTOR_MATCH_LIMIT = 20;
/** What 実行者 takes for the system's rows (intake, seed, CLI). */
export const SYSTEM_ACTOR_WORDS = ["システム", "system"];

export interface AuditLogFilter {
  /** 実行者: a staff member's or a customer user's email, or システム. */
  actor?: string;
  /** 顧客: an account's ログインID. */
  loginId?: string;
  /** 操作: an action name of AUDIT_ACTION_LABELS. */
  action?: string;
  /** 期間, inclusive dates in Japan time ("YYYY-MM-DD"). */
  from?: string;
  to?: string;
}

export interface AuditLogRow {
  id: string;
  at: string;
  /** 2026/11/26 12:34 (Japan time) */
  atLabel: string;
  actorType: "customer" | "staff" | "system" | "anonymous";
  /** Staff: the email; a customer user: ログインID + email; システム; 未ログイン. */
  actorLabel: string;
  loginId: string | null;
  companyName: string | null;
  action: string;
  actionLabel: string;
  target: string | null;
  result: "success" | "failure";
  /** 成功 / 失敗 */
  resultLabel: string;
  ip: string | null;
  /** The details as "key: value" pairs, secrets left out. */
  detailsLabel: string;
}

const RESULT_LABEL = { success: "成功", failure: "失敗" } as const;
const ANONYMOUS_LABEL = "未ログイン";
const SYSTEM_LABEL = "システム";

/** The rows a filter reads: one or more index ranges, merged newest first. */
interface Scope {
  /** Actor ids to read, each on its own index range; `accountCheck` when the account is a residual condition. */
  actors?: { id: string; accountCheck: boolean }[];
  system?: boolean;
  accountId?: string;
  action?: string;
  from?: string;
  before?: string;
}

type Cursor = NonNullable<ReturnType<typeof parseCursor>>;

/** An event's cursor: the shared keyset cursor of its (at, id). */
const eventCursor = (row: Cursor): string => cursorOf({ created_at: row.at, id: row.id });

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Resolves what was typed to ids (index lookups on staff.email, users.email_normalized, accounts.login_id). */
async function scopeOf(deps: Pick<ServiceDeps, "db">, filter: AuditLogFilter): Promise<Scope | null> {
  const errors: Record<string, string[]> = {};
  const scope: Scope = {};
  const action = filter.action?.trim();
  if (action) {
    if (isAuditAction(action)) scope.action = action;
    else errors.action = ["操作は一覧から選択してください。"];
  }
  if (filter.from && DATE_PATTERN.test(filter.from)) scope.from = tokyoDayStart(filter.from);
  if (filter.to && DATE_PATTERN.test(filter.to)) scope.before = tokyoDayStart(nextDay(filter.to));

  const loginId = normalizeLoginId(filter.loginId ?? "");
  if (loginId) {
    const account = await deps.db
      .selectFrom("accounts")
      .select("id")
      .where("login_id", "=", loginId)
      .executeTakeFirst();
    if (account) scope.accountId = account.id;
    else errors.loginId = [`ログインID「${loginId.slice(0, 32)}」の顧客は見つかりません。`];
  }

  const actor = (filter.actor ?? "").trim();
  if (SYSTEM_ACTOR_WORDS.includes(actor.toLowerCase())) scope.system = true;
  else if (actor) {
    const email = normalizeEmail(actor);
    const staff = await deps.db.selectFrom("staff").select("id").where("email", "=", email).execute();
    // With 顧客, the account's one user of that email (the unique (account_id, email_normalized)).
    let users = deps.db.selectFrom("users").select(["id", "account_id"]).where("email_normalized", "=", email);
    if (scope.accountId) users = users.where("account_id", "=", scope.accountId);
    const found = await users.limit(ACTOR_MATCH_LIMIT + 1).execute();
    const known =
      staff.length > 0 ||
      found.length > 0 ||
      (scope.accountId !== undefined &&
        (await deps.db.selectFrom("users").select("id").where("email_normalized", "=", email).limit(1).execute())
          .length > 0);
    if (!known) {
      errors.actor = ["このメールアドレスのスタッフ・利用者は見つかりません(システムの操作は「システム」と入力)。"];
    } else if (found.length > ACTOR_MATCH_LIMIT) {
      errors.actor = [
        `このメールアドレスの利用者が${ACTOR_MATCH_LIMIT}社を超えます。顧客(ログインID)も指定してください。`,
      ];
    } else {
      // A user acts within its own account: with 顧客, another account's user has no rows there, and
      // the account's own need no second condition. Staff act on any account: it stays a condition.
      scope.actors = [
        ...staff.map((s) => ({ id: s.id, accountCheck: scope.accountId !== undefined })),
        ...found.map((u) => ({ id: u.id, accountCheck: false })),
      ];
    }
  }
  if (Object.keys(errors).length) {
    throw new DomainError("VALIDATION", "検索条件を確認してください。", errors);
  }
  if (scope.actors && !scope.actors.length) return null;
  return scope;
}

/** At most `limit` rows of the scope after the cursor, newest first, merging one index range per actor. */
async function readRows(deps: Pick<ServiceDeps, "db">, scope: Scope, after: Cursor | null, limit: number) {
  const range = (actor?: { id: string; accountCheck: boolean }) => {
    let q = deps.db
      .selectFrom("audit_events")
      .select(["id", "at", "actor_type", "actor_id", "account_id", "action", "target", "result", "ip", "details"]);
    if (actor) q = q.where("actor_id", "=", actor.id);
    // A literal, so that the planner matches the partial index of the system's rows.
    if (scope.system) q = q.where("actor_type", "=", sql.lit("system"));
    if (scope.accountId && (!actor || actor.accountCheck)) q = q.where("account_id", "=", scope.accountId);
    if (scope.action) q = q.where("action", "=", scope.action);
    if (scope.from) q = q.where("at", ">=", scope.from);
    if (scope.before) q = q.where("at", "<", scope.before);
    if (after) q = q.where((eb) => eb(eb.refTuple("at", "id"), "<", eb.tuple(after.at, after.id)));
    return q.orderBy("at", "desc").orderBy("id", "desc").limit(limit).execute();
  };
  if (!scope.actors) return range();
  const rows = [];
  for (const actor of scope.actors) rows.push(...(await range(actor)));
  return rows.sort((a, b) => (a.at === b.at ? cmp(b.id, a.id) : cmp(b.at, a.at))).slice(0, limit);
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

type RawRow = Awaited<ReturnType<typeof readRows>>[number];

/** Keys of details never shown, should one ever hold a secret (recordAudit's rule is to write none). */
const SECRET_KEY = /password|token|secret|hash|code|otp|pepper|session|cookie/i;
const DETAIL_LABEL: Record<string, string> = {
  via: "経路",
  locked: "ロック中",
  attempts: "試行回数",
  total: "合計",
  validUntil: "有効期限",
  rentalEnded: "レンタル終了",
  role: "権限",
  inserted: "追加",
  updated: "更新",
  unchanged: "変更なし",
  accountsAdded: "追加した顧客",
  usersAdded: "追加した利用者",
  fileSha256: "ファイルSHA-256",
  // audit.export: the filter the CSV was written with
  actor: "実行者",
  loginId: "顧客",
  action: "操作",
  from: "期間(開始)",
  to: "期間(終了)",
};

/** details JSON → "有効期限: 2026-12-01, 合計: 12000", secrets left out, each value at most 200 characters. */
export function summariseDetails(details: string | null): string {
  if (!details) return "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return "";
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return "";
  return Object.entries(parsed as Record<string, unknown>)
    .filter(([key]) => !SECRET_KEY.test(key))
    .map(([key, value]) => {
      const text =
        key === "action" && typeof value === "string"
          ? auditActionLabel(value)
          : typeof value === "string"
            ? value
            : JSON.stringify(value);
      return `${DETAIL_LABEL[key] ?? key}: ${(text ?? "").slice(0, 200)}`;
    })
    .join(", ");
}

/** The words of a chunk of rows: actors, accounts, labels (three lookups by primary key, whatever the size). */
async function present(deps: Pick<ServiceDeps, "db">, rows: RawRow[]): Promise<AuditLogRow[]> {
  const ids = (type: string) => [
    ...new Set(rows.filter((r) => r.actor_type === type && r.actor_id).map((r) => r.actor_id as string)),
  ];
  const staffIds = ids("staff");
  const userIds = ids("customer");
  const staff = new Map(
    staffIds.length
      ? (await deps.db.selectFrom("staff").select(["id", "email"]).where("id", "in", staffIds).execute()).map((s) => [
          s.id,
          s.email,
        ])
      : [],
  );
  const users = new Map(
    userIds.length
      ? (
          await deps.db.selectFrom("users").select(["id", "email", "account_id"]).where("id", "in", userIds).execute()
        ).map((u) => [u.id, u])
      : [],
  );
  const accountIds = [
    ...new Set([
      ...rows.map((r) => r.account_id).filter((id): id is string => !!id),
      ...[...users.values()].map((u) => u.account_id),
    ]),
  ];
  const accounts = new Map(
    accountIds.length
      ? (
          await deps.db
            .selectFrom("accounts")
            .select(["id", "login_id", "company_name"])
            .where("id", "in", accountIds)
            .execute()
        ).map((a) => [a.id, a])
      : [],
  );
  return rows.map((r) => {
    const account = r.account_id ? accounts.get(r.account_id) : undefined;
    let actorLabel: string;
    if (r.actor_type === "staff") actorLabel = (r.actor_id && staff.get(r.actor_id)) || "スタッフ";
    else if (r.actor_type === "customer") {
      const user = r.actor_id ? users.get(r.actor_id) : undefined;
      const login = user ? accounts.get(user.account_id)?.login_id : account?.login_id;
      actorLabel = user ? `${login ?? ""} ${user.email}`.trim() : `${login ?? ""} (削除された利用者)`.trim();
    } else actorLabel = r.actor_type === "system" ? SYSTEM_LABEL : ANONYMOUS_LABEL;
    return {
      id: r.id,
      at: r.at,
      atLabel: formatTokyoShort(new Date(r.at)),
      actorType: r.actor_type,
      actorLabel,
      loginId: account?.login_id ?? null,
      companyName: account?.company_name ?? null,
      action: r.action,
      actionLabel: auditActionLabel(r.action),
      target: r.target,
      result: r.result,
      resultLabel: RESULT_LABEL[r.result],
      ip: r.ip,
      detailsLabel: summariseDetails(r.details),
    };
  });
}

/** 操作ログ: the events matching the filter, newest first, AUDIT_PAGE_SIZE at a time. */
export async function listAuditEvents(
  deps: Pick<ServiceDeps, "db">,
  filter: AuditLogFilter,
  cursor?: string | null,
): Promise<{ rows: AuditLogRow[]; nextCursor: string | null }> {
  const scope = await scopeOf(deps, filter);
  if (!scope) return { rows: [], nextCursor: null };
  const rows = await readRows(deps, scope, parseCursor(cursor), AUDIT_PAGE_SIZE + 1);
  const page = rows.slice(0, AUDIT_PAGE_SIZE);
  const last = page[page.length - 1];
  return {
    rows: await present(deps, page),
    nextCursor: rows.length > AUDIT_PAGE_SIZE && last ? eventCursor(last) : null,
  };
}

export const AUDIT_CSV_HEADER = [
  "日時",
  "実行者",
  "ログインID",
  "会社名",
  "操作",
  "対象",
  "結果",
  "IPアドレス",
  "詳細",
] as const;

function csvLine(r: AuditLogRow): string {
  return csvRecord([
    r.atLabel,
    r.actorLabel,
    r.loginId,
    r.companyName,
    r.actionLabel,
    r.target,
    r.resultLabel,
    r.ip,
    r.detailsLabel,
  ]);
}

/**
 * 操作ログ as CSV, one chunk of AUDIT_CSV_CHUNK rows at a time through the same keyset (a caller streams
 * the chunks out; none holds the whole log). The first chunk (no cursor) starts with the BOM and the
 * header and records the export (audit.export: a data export is a staff action) with its filter.
 */
export async function auditCsvChunk(
  deps: Pick<ServiceDeps, "db" | "clock">,
  staff: StaffActor,
  filter: AuditLogFilter,
  cursor: string | null,
  meta: RequestMeta | null,
): Promise<{ text: string; nextCursor: string | null }> {
  const scope = await scopeOf(deps, filter);
  let text = "";
  if (!cursor) {
    const shown = Object.entries(filter).filter(([, v]) => v);
    await recordAudit(deps.db, deps.clock, { type: "staff", id: staff.id }, meta, "audit.export", {
      target: "操作ログ",
      details: shown.length ? Object.fromEntries(shown) : undefined,
    });
    text = CSV_BOM + csvRecord(AUDIT_CSV_HEADER);
  }
  if (!scope) return { text, nextCursor: null };
  const rows = await readRows(deps, scope, parseCursor(cursor), AUDIT_CSV_CHUNK + 1);
  const chunk = rows.slice(0, AUDIT_CSV_CHUNK);
  const last = chunk[chunk.length - 1];
  text += (await present(deps, chunk)).map(csvLine).join("");
  return { text, nextCursor: rows.length > AUDIT_CSV_CHUNK && last ? eventCursor(last) : null };
}
