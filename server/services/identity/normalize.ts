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

/** Legal forms at either end of a company name, which staff leave out when they search (after NFKC: ㈱ → (株)). */
const LEGAL_FORM =
  /^(株式会社|有限会社|合同会社|合資会社|合名会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人|特定非営利活動法人|npo法人|医療法人|学校法人|社会福祉法人|\(株\)|\(有\)|\(同\))|(株式会社|有限会社|合同会社|合資会社|合名会社|\(株\)|\(有\)|\(同\))$/g;

/** Text as 顧客管理's search compares it: NFKC, lower-case, no spaces. */
export function searchKey(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, "");
}

/**
 * The stored search keys of an account (accounts.login_key / company_key): a keyword matches an account
 * when it is a prefix of either. The company key also drops the legal form, so 「アクメ」 finds
 * 「株式会社 アクメ計測」 and 「アクメ計測(株)」 with a prefix match, which an index answers.
 * Migration 0006 keyed the rows stored before with its own frozen copy of this rule.
 */
export function accountSearchKeys(loginId: string, companyName: string): { login_key: string; company_key: string } {
  return { login_key: loginId.toLowerCase(), company_key: searchKey(companyName).replace(LEGAL_FORM, "") };
}
