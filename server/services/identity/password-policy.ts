import fs from "node:fs";
import { projectPath } from "../../lib/paths";

/**
 * The one password validator (SPEC §4, §8): every form and command that sets a password calls it.
 * Returns every violated rule, each with its own Japanese message.
 */
export interface PasswordContext {
  loginId: string;
  email?: string;
  currentPassword?: string;
  /** Set when the caller has checked the new password against the stored hash and it matched. */
  sameAsCurrent?: boolean;
  /** Allowed half-width symbols besides letters and digits; configurable (PASSWORD_SYMBOLS). */
  symbols: string;
}

export interface PasswordViolation {
  rule:
    | "length"
    | "charset"
    | "uppercase"
    | "lowercase"
    | "digit"
    | "same_as_current"
    | "contains_login_id"
    | "contains_email"
    | "common";
  message: string;
}

let common: Set<string> | undefined;

/** The shipped list of common passwords (its source is named at the top of the file). */
export function commonPasswords(): Set<string> {
  common ??= new Set(
    fs
      .readFileSync(projectPath("server/services/identity/common-passwords.txt"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#")),
  );
  return common;
}

/** Compared without case and without the allowed symbols: "Pass.word1" is "password1". */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  const list = commonPasswords();
  return list.has(lower) || list.has(lower.replace(/[^a-z0-9]/g, ""));
}

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 12;

/** The rules as shown above every password form (パスワード入力の注意事項). */
export function passwordRules(symbols: string): string[] {
  const shown = [...symbols].map((s) => `「${s}」`).join("");
  return [
    `半角英字・数字・記号で${PASSWORD_MIN}〜${PASSWORD_MAX}文字`,
    `利用可能な記号: ${shown}`,
    "英大文字・英小文字・数字をそれぞれ1文字以上含める",
    "現在のパスワードと異なる",
    "ログインIDやメールアドレスの@より前の部分を含まない",
    "よく使われるパスワード(Password1 など)は使用できない",
  ];
}

export function checkPassword(password: string, ctx: PasswordContext): PasswordViolation[] {
  const v: PasswordViolation[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) {
    v.push({
      rule: "length",
      message: `パスワードは${PASSWORD_MIN}文字以上${PASSWORD_MAX}文字以下で入力してください。`,
    });
  }
  const allowed = new Set([...ctx.symbols]);
  const bad = [...password].filter((c) => !/[A-Za-z0-9]/.test(c) && !allowed.has(c));
  if (bad.length) {
    v.push({
      rule: "charset",
      message: `パスワードに使用できない文字が含まれています(${[...new Set(bad)].map((c) => (c === " " ? "空白" : `「${c}」`)).join("")})。半角英数字と記号${[...ctx.symbols].map((s) => `「${s}」`).join("")}のみ使用できます。`,
    });
  }
  if (!/[A-Z]/.test(password)) v.push({ rule: "uppercase", message: "英大文字を1文字以上含めてください。" });
  if (!/[a-z]/.test(password)) v.push({ rule: "lowercase", message: "英小文字を1文字以上含めてください。" });
  if (!/[0-9]/.test(password)) v.push({ rule: "digit", message: "数字を1文字以上含めてください。" });
  if (ctx.sameAsCurrent || (ctx.currentPassword !== undefined && password === ctx.currentPassword)) {
    v.push({ rule: "same_as_current", message: "現在のパスワードと異なるパスワードを設定してください。" });
  }
  const lower = password.toLowerCase();
  const loginId = ctx.loginId.trim().toLowerCase();
  if (loginId && lower.includes(loginId)) {
    v.push({ rule: "contains_login_id", message: "パスワードにログインIDを含めることはできません。" });
  }
  const local = ctx.email?.trim().toLowerCase().split("@")[0] ?? "";
  if (local.length >= 3 && lower.includes(local)) {
    v.push({ rule: "contains_email", message: "パスワードにメールアドレスの@より前の部分を含めることはできません。" });
  }
  if (isCommonPassword(password)) {
    v.push({
      rule: "common",
      message: "よく使われるパスワードのため設定できません。推測されにくいパスワードにしてください。",
    });
  }
  return v;
}
