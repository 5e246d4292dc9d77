import type { Harness, TestBrowser } from "./harness";

/**
 * A browser signed in as a staff member the way /admin/login does it: the password, then the code read
 * from the mailed ワンタイムパスワード通知 (its mail deleted after, so the next sign-in reads its own).
 */
export async function signedInStaff(
  h: Harness,
  who: { email: string; password: string },
  options?: { ip?: string; userAgent?: string },
): Promise<TestBrowser> {
  const browser = h.browser(options);
  await browser.call((c) => c.staffAuth.login(who));
  const mail = (await h.mailsTo(who.email)).find((m) => m.subject.includes("ワンタイムパスワード"));
  const code = mail && /ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1];
  if (!code) throw new Error(`no code mailed to ${who.email}`);
  await h.db.deleteFrom("dev_mailbox").where("to_address", "=", who.email).execute();
  await browser.call((c) => c.staffAuth.verifyOtp({ code }));
  return browser;
}
