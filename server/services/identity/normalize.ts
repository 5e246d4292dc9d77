/**
 * Emails are unique per account compared after trimming and lower-casing (SPEC §4), and with the local
 * part in NFKC: `ｖｉｃｔｉｍ@example.jp` is the same address as `victim@example.jp` in the duplicate
 * checks (利用者追加, email change, opening an account) and at the login and reset look-ups. Only the
 * local part: the domain of a valid address is ASCII (isValidEmail), and text without an ASCII `@` is
 * no address, so an address typed wholly in full-width (`ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ`) stays a wrong
 * combination at login, as it always was. The stored `email` keeps what was typed; `email_normalized`
 * is this. Migration 0004 re-keyed the rows stored before, with its own frozen copy of this rule.
 */
export function normalizeEmail(email: string): string {
  // Trimmed after NFKC, which can turn a leading character into a space (¨ → " ̈").
  const at = email.lastIndexOf("@");
  const nfkc = at < 0 ? email : email.slice(0, at).normalize("NFKC") + email.slice(at);
  return nfkc.trim().toLowerCase();
}

const EMAIL =
  /^[^\s@"<>()[\]\\,;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function isValidEmail(email: string): boolean {
  const e = email.trim();
  return e.length <= 254 && EMAIL.test(e);
}

/** Login IDs: 3–32 half-width letters, digits, `-` and `_`, compared exactly (after trimming). */
export const LOGIN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$/;

export function normalizeLoginId(loginId: string): string {
  return loginId.trim();
}
