import { createHash, randomInt } from "node:crypto";
import { type DB, dialectOf, isUniqueViolation } from "../../../db";
import { iso } from "../../lib/clock";
import { newId } from "../../lib/crypto";
import { CsvSyntaxError, decodeCsv, parseCsv } from "../../lib/csv";
import { type AuditActor, recordAudit } from "../audit";
import type { RequestMeta, ServiceDeps } from "../deps";
import { MAX_USERS_PER_ACCOUNT, sendSetupMail } from "../identity/account-users";
import { accountSearchKeys, isValidEmail, LOGIN_ID, normalizeEmail, normalizeLoginId } from "../identity/normalize";
import { checkPassword } from "../identity/password-policy";
import { USER_NAME_MAX } from "../identity/profile";

/**
 * 会員データ移行 (SPEC §6): accounts and users from the old site's CSV — 確認 = previewMemberImport,
 * 取込 = importMembers, the one path for the back office and `npm run admin -- import-members`.
 *
 * Every imported user must change the password at first login (the seed's maintenance notice): by
 * default it is pending and gets the パスワード設定依頼 mail (setting the password is the change); with
 * `temporaryPasswords` it gets a random temporary password, returned once in the result (only its hash is
 * stored) and flagged must_change_password.
 *
 * Importing is idempotent: a login ID + email already stored is "unchanged", a row for a stored account
 * adds a user to it. A row whose company name differs from the stored account's is an error, not an
 * addition: a mistyped login ID must not hand a user another company's data.
 */

export interface MemberImportError {
  line: number;
  /** The CSV column (ログインID …), or null for the whole line / file. */
  column: string | null;
  /** A Japanese sentence naming the line, e.g. "3行目: メールアドレスの形式が正しくありません。" */
  message: string;
}

export interface TemporaryPassword {
  line: number;
  loginId: string;
  companyName: string;
  email: string;
  userName: string;
  password: string;
}

export type MemberImportResult =
  | {
      ok: true;
      accountsAdded: number;
      usersAdded: number;
      unchanged: number;
      /** Only with `temporaryPasswords`, only in the answer to 取込: never stored, never logged. */
      temporaryPasswords?: TemporaryPassword[];
    }
  | { ok: false; errors: MemberImportError[] };

export interface MemberCsvRow {
  line: number;
  loginId: string;
  companyName: string;
  email: string;
  emailNormalized: string;
  userName: string;
}

const COLUMNS = {
  loginId: "ログインID",
  companyName: "会社名",
  email: "メールアドレス",
  userName: "ユーザ名",
} as const;
type Column = keyof typeof COLUMNS;
const KEYS = Object.keys(COLUMNS) as Column[];

/** More rows than this belong in several files (one transaction holds them all). */
export const MAX_MEMBER_ROWS = 10_000;

const userKey = (loginId: string, emailNormalized: string) => `${loginId}\n${emailNormalized}`;

function validateRow(v: Record<Column, string>): Partial<Record<Column, string>> {
  const errors: Partial<Record<Column, string>> = {};
  if (!v.loginId) errors.loginId = "ログインIDを入力してください。";
  else if (!LOGIN_ID.test(v.loginId)) errors.loginId = "ログインIDは半角英数字と「-」「_」で3〜32文字にしてください。";
  if (!v.companyName) errors.companyName = "会社名を入力してください。";
  else if ([...v.companyName].length > 100) errors.companyName = "会社名は100文字以内で入力してください。";
  if (!v.email) errors.email = "メールアドレスを入力してください。";
  else if (!isValidEmail(v.email)) errors.email = "メールアドレスの形式が正しくありません。";
  if ([...v.userName].length > USER_NAME_MAX)
    errors.userName = `ユーザ名は${USER_NAME_MAX}文字以内で入力してください。`;
  return errors;
}

/** The rows of a member CSV, or every problem in it with its line and column. Pure. */
export function readMemberCsv(file: string | Uint8Array): { rows: MemberCsvRow[]; errors: MemberImportError[] } {
  const errors: MemberImportError[] = [];
  const fail = (line: number, column: string | null, reason: string) =>
    errors.push({ line, column, message: `${line}行目: ${reason}` });
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(typeof file === "string" ? file : decodeCsv(file));
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    return { rows: [], errors: [{ line: error.line, column: null, message: error.message }] };
  }
  const [header, ...body] = records;
  if (!header) return { rows: [], errors: [{ line: 1, column: null, message: "CSVファイルが空です。" }] };

  // Columns are found by name, so their order is free and extra columns are ignored.
  const names = header.fields.map((name) => name.trim());
  const index = {} as Record<Column, number>;
  for (const key of KEYS) {
    const label = COLUMNS[key];
    const at = names.indexOf(label);
    if (at === -1) fail(header.line, label, `列「${label}」がありません。`);
    else if (names.indexOf(label, at + 1) !== -1) fail(header.line, label, `列「${label}」が2つあります。`);
    index[key] = at;
  }
  if (errors.length) return { rows: [], errors };
  if (!body.length) fail(header.line, null, "取り込む会員の行がありません。");
  if (body.length > MAX_MEMBER_ROWS) {
    fail(header.line, null, `一度に取り込める会員は${MAX_MEMBER_ROWS.toLocaleString("en-US")}件までです。`);
  }
  if (errors.length) return { rows: [], errors };

  const rows: MemberCsvRow[] = [];
  const firstUser = new Map<string, number>();
  const firstAccount = new Map<string, { line: number; companyName: string }>();
  for (const { line, fields } of body) {
    if (fields.length !== names.length) {
      fail(
        line,
        null,
        `列の数（${fields.length}）が見出し行（${names.length}）と合いません。値に「,」を含むときは「"」で囲んでください。`,
      );
      continue;
    }
    const v = Object.fromEntries(KEYS.map((key) => [key, (fields[index[key]] ?? "").trim()])) as Record<Column, string>;
    v.loginId = normalizeLoginId(v.loginId);
    const invalid = validateRow(v);
    if (Object.keys(invalid).length) {
      for (const key of KEYS) if (invalid[key]) fail(line, COLUMNS[key], invalid[key] as string);
      continue;
    }
    const emailNormalized = normalizeEmail(v.email);
    const account = firstAccount.get(v.loginId);
    if (account && account.companyName !== v.companyName) {
      fail(
        line,
        COLUMNS.companyName,
        `ログインID「${v.loginId}」の会社名が${account.line}行目（${account.companyName}）と異なります。`,
      );
      continue;
    }
    const key = userKey(v.loginId, emailNormalized);
    const first = firstUser.get(key);
    if (first !== undefined) {
      fail(
        line,
        COLUMNS.email,
        `ログインID「${v.loginId}」のメールアドレス「${v.email}」は${first}行目と重複しています。`,
      );
      continue;
    }
    firstUser.set(key, line);
    if (!account) firstAccount.set(v.loginId, { line, companyName: v.companyName });
    rows.push({ line, ...v, emailNormalized });
  }
  return { rows, errors };
}

interface Plan {
  errors: MemberImportError[];
  /** Accounts to open: login ID → company name. */
  newAccounts: Map<string, string>;
  /** Stored accounts the new users join: login ID → id. */
  accountIds: Map<string, string>;
  newUsers: MemberCsvRow[];
  unchanged: number;
}

/** Sorts valid rows into new accounts, new users and users already stored, against the database. */
async function plan(db: DB, rows: MemberCsvRow[], lock: boolean): Promise<Plan> {
  const loginIds = [...new Set(rows.map((r) => r.loginId))];
  const accounts = new Map<string, { id: string; company_name: string }>();
  const stored = new Map<string, number>(); // account id → users stored
  const storedUsers = new Set<string>(); // account id + email_normalized
  for (let i = 0; i < loginIds.length; i += 500) {
    let q = db
      .selectFrom("accounts")
      .select(["id", "login_id", "company_name"])
      .where("login_id", "in", loginIds.slice(i, i + 500));
    // PostgreSQL: hold the stored accounts, as 利用者追加 does (lockAccount), so their user limit holds.
    if (lock && dialectOf(db) === "postgres") q = q.forUpdate();
    for (const a of await q.execute()) accounts.set(a.login_id, a);
  }
  const ids = [...accounts.values()].map((a) => a.id);
  for (let i = 0; i < ids.length; i += 500) {
    const users = await db
      .selectFrom("users")
      .select(["account_id", "email_normalized"])
      .where("account_id", "in", ids.slice(i, i + 500))
      .execute();
    for (const u of users) {
      stored.set(u.account_id, (stored.get(u.account_id) ?? 0) + 1);
      storedUsers.add(userKey(u.account_id, u.email_normalized));
    }
  }
  const p: Plan = { errors: [], newAccounts: new Map(), accountIds: new Map(), newUsers: [], unchanged: 0 };
  const fail = (line: number, column: string, reason: string) =>
    p.errors.push({ line, column, message: `${line}行目: ${reason}` });
  const count = new Map<string, number>(); // login ID → users after the import
  for (const row of rows) {
    const account = accounts.get(row.loginId);
    if (account && account.company_name !== row.companyName) {
      fail(
        row.line,
        COLUMNS.companyName,
        `ログインID「${row.loginId}」は会社名「${account.company_name}」で登録済みです。会社名が異なります。`,
      );
      continue;
    }
    if (account && storedUsers.has(userKey(account.id, row.emailNormalized))) {
      p.unchanged++;
      continue;
    }
    const n = (count.get(row.loginId) ?? (account ? (stored.get(account.id) ?? 0) : 0)) + 1;
    count.set(row.loginId, n);
    if (n > MAX_USERS_PER_ACCOUNT) {
      fail(
        row.line,
        COLUMNS.email,
        `利用者は1つのログインIDにつき${MAX_USERS_PER_ACCOUNT}件まで登録できます（ログインID「${row.loginId}」）。`,
      );
      continue;
    }
    if (account) p.accountIds.set(row.loginId, account.id);
    else if (!p.newAccounts.has(row.loginId)) p.newAccounts.set(row.loginId, row.companyName);
    p.newUsers.push(row);
  }
  return p;
}

/** 確認: every error in the file, or how many accounts and users 取込 would add. Writes nothing. */
export async function previewMemberImport(
  deps: Pick<ServiceDeps, "db">,
  file: string | Uint8Array,
): Promise<MemberImportResult> {
  const { rows, errors } = readMemberCsv(file);
  if (errors.length) return { ok: false, errors };
  const p = await plan(deps.db, rows, false);
  if (p.errors.length) return { ok: false, errors: p.errors };
  return { ok: true, accountsAdded: p.newAccounts.size, usersAdded: p.newUsers.length, unchanged: p.unchanged };
}

const UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER = "abcdefghijkmnopqrstuvwxyz";
const DIGITS = "23456789";

/**
 * A random temporary password under the customer's policy (12 characters, upper, lower, digit; no
 * look-alike characters such as 0/O and 1/l/I, since it is read off a sheet and typed).
 */
export function temporaryPassword(ctx: { loginId: string; email: string; symbols: string }): string {
  const all = UPPER + LOWER + DIGITS;
  for (;;) {
    const chars = [UPPER, LOWER, DIGITS].map((set) => set[randomInt(set.length)] as string);
    while (chars.length < 12) chars.push(all[randomInt(all.length)] as string);
    for (let i = chars.length - 1; i > 0; i--) {
      const j = randomInt(i + 1);
      [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
    }
    const password = chars.join("");
    if (!checkPassword(password, ctx).length) return password;
  }
}

/**
 * 取込: all rows in one transaction, or nothing when any row has an error (returned as by the preview).
 * The stored accounts are read again inside the transaction, so a stale preview changes only the counts.
 */
export async function importMembers(
  deps: ServiceDeps,
  file: string | Uint8Array,
  by: { type: "staff" | "system"; id?: string },
  options: { temporaryPasswords?: boolean } = {},
  meta: RequestMeta | null = null,
): Promise<MemberImportResult> {
  const { rows, errors } = readMemberCsv(file);
  if (errors.length) return { ok: false, errors };
  const before = await plan(deps.db, rows, false);
  if (before.errors.length) return { ok: false, errors: before.errors };
  // Hashing (argon2, ~16 ms each) happens before the transaction, so it holds its locks briefly.
  const passwords = new Map<string, { password: string; hash: string }>();
  if (options.temporaryPasswords) {
    for (const row of before.newUsers) {
      const password = temporaryPassword({
        loginId: row.loginId,
        email: row.email,
        symbols: deps.config.passwordSymbols,
      });
      passwords.set(userKey(row.loginId, row.emailNormalized), { password, hash: await deps.hasher.hash(password) });
    }
  }
  const fileSha256 = createHash("sha256").update(file).digest("hex");
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.db.transaction().execute(async (trx) => {
        const p = await plan(trx, rows, true);
        if (p.errors.length) return { ok: false, errors: p.errors } as const;
        const now = iso(deps.clock.now());
        for (const [loginId, companyName] of p.newAccounts) {
          const id = newId();
          await trx
            .insertInto("accounts")
            .values({
              id,
              login_id: loginId,
              company_name: companyName,
              status: "active",
              created_at: now,
              ...accountSearchKeys(loginId, companyName),
            })
            .execute();
          p.accountIds.set(loginId, id);
        }
        const issued: TemporaryPassword[] = [];
        for (const row of p.newUsers) {
          const accountId = p.accountIds.get(row.loginId) as string;
          const id = newId();
          let temp = passwords.get(userKey(row.loginId, row.emailNormalized));
          if (options.temporaryPasswords && !temp) {
            // A user that appeared to be stored before the transaction and is gone now.
            const password = temporaryPassword({ ...row, symbols: deps.config.passwordSymbols });
            temp = { password, hash: await deps.hasher.hash(password) };
          }
          await trx
            .insertInto("users")
            .values({
              id,
              account_id: accountId,
              email: row.email,
              email_normalized: row.emailNormalized,
              name: row.userName,
              password_hash: temp?.hash ?? null,
              status: temp ? "active" : "pending",
              must_change_password: 1,
              mfa_enabled: 0,
              created_at: now,
              password_changed_at: temp ? now : null,
            })
            .execute();
          if (temp) {
            const { line, loginId, companyName, email, userName } = row;
            issued.push({ line, loginId, companyName, email, userName, password: temp.password });
          } else {
            await sendSetupMail(deps, trx, { id, email: row.email, name: row.userName }, accountId);
          }
        }
        const counts = { accountsAdded: p.newAccounts.size, usersAdded: p.newUsers.length, unchanged: p.unchanged };
        const actor: AuditActor = { type: by.type, id: by.id };
        await recordAudit(trx, deps.clock, actor, meta, "member.import", {
          details: { ...counts, temporaryPasswords: !!options.temporaryPasswords, fileSha256 },
        });
        return { ok: true, ...counts, ...(options.temporaryPasswords ? { temporaryPasswords: issued } : {}) };
      });
    } catch (error) {
      // Another import opened one of these login IDs after we looked (PostgreSQL): look again.
      if (!isUniqueViolation(error) || attempt === 3) throw error;
    }
  }
}

function csvField(value: string): string {
  // A leading =, +, - or @ would be a formula in a spreadsheet: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) || safe !== value ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** The result file of an import with temporary passwords (UTF-8 with a BOM, so Excel reads it). */
export function temporaryPasswordCsv(issued: TemporaryPassword[]): string {
  const lines = [["行", "ログインID", "会社名", "メールアドレス", "ユーザ名", "仮パスワード"]];
  for (const t of issued) lines.push([String(t.line), t.loginId, t.companyName, t.email, t.userName, t.password]);
  return `\uFEFF${lines.map((l) => l.map(csvField).join(",")).join("\r\n")}\r\n`;
}
