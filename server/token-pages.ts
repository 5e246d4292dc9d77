/**
 * The pages a mailed link opens (SPEC §8 link tokens): パスワード再設定, パスワード設定, the two email-change
 * steps and 心当たりがない場合 (the ログイン通知's link). The path segment after the page's own is a secret.
 * One list for the three places that guard it: the request log writes the token as "…", the page is sent
 * with `Referrer-Policy: no-referrer` and never compressed (BREACH).
 */
export const TOKEN_PATH = /^(\/(?:reset-password|setup-password|email-change(?:\/confirm)?|login-report))\/[^/]+/;

/** Whether a request path is a mailed link's page (with its token). */
export function isTokenPage(path: string): boolean {
  return TOKEN_PATH.test(path);
}
