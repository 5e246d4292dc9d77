import AxeBuilder from "@axe-core/playwright";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP } from "@oslojs/otp";
import type { Page } from "@playwright/test";
import { expect, login, logOut, mailIds, signInAsStaff, type TestAccount, test, waitForMail } from "./fixtures";

/** セキュリティ設定 (issue 14 item 1): ログイン履歴, ログイン中の端末, ログアウト per device, 他の端末をすべてログアウト. */

async function signedIn(page: Page, account: Pick<TestAccount, "loginId" | "email" | "password">) {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
}

/**
 * What an authenticator app shows for a 設定キー (RFC 6238: SHA-1, 6 digits, 30 s), computed here as a QA
 * suite would; `ahead` steps later (the server takes the step after the current one too, and never a step
 * twice: a login right after the enrolment uses the next step's code).
 */
function appCode(key: string, ahead = 0): string {
  const step = Math.floor(Date.now() / 30_000) + ahead;
  return generateHOTP(decodeBase32IgnorePadding(key.replace(/\s+/g, "")), BigInt(step), 6);
}

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"];

async function audit(page: Page, state: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(found, `axe violations on ${state}`).toEqual([]);
}

/** No sideways scrolling of the page at this width. */
async function fits(page: Page, width: number) {
  await page.setViewportSize({ width, height: 900 });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `sideways scroll at ${width}px`).toBeLessThanOrEqual(0);
}

test.describe("セキュリティ設定", () => {
  test("ログアウト of another browser signs it out at once; 他の端末をすべてログアウト ends the rest @nojs", async ({
    page,
    account,
    browser,
  }) => {
    const wrong = await browser.newContext();
    const wrongPage = await wrong.newPage();
    await wrongPage.goto("/login");
    await login(wrongPage, { ...account, password: "Wrong-pass-2026" });
    await wrong.close();

    const phone = await browser.newContext();
    const phonePage = await phone.newPage();
    await signedIn(phonePage, account);
    const tablet = await browser.newContext();
    const tabletPage = await tablet.newPage();
    await signedIn(tabletPage, account);
    await signedIn(page, account);

    await page.goto("/account");
    await page.getByRole("navigation", { name: "お客様情報" }).getByRole("link", { name: "セキュリティ設定" }).click();
    await expect(page.getByRole("heading", { name: "ログイン中の端末" })).toBeVisible();
    await expect(page).toHaveTitle(/^セキュリティ設定 \| /);
    const devices = page.getByRole("table").filter({ has: page.getByRole("columnheader", { name: "最終利用" }) });
    // This one first; then the others by last use, the newest sign-in first on a tie (the fixture's own
    // sign-in, which finished the first-login password change, is a session too).
    await expect(devices.getByRole("row").nth(1).getByText("この端末")).toBeVisible();
    const sessions = (await devices.getByRole("row").count()) - 1;
    expect(sessions).toBeGreaterThanOrEqual(3);
    // ログイン履歴: three sign-ins and the failed attempt.
    const history = page.getByRole("table").filter({ has: page.getByRole("columnheader", { name: "結果" }) });
    expect(await history.getByRole("cell", { name: "成功", exact: true }).count()).toBeGreaterThanOrEqual(3);
    await expect(history.getByRole("cell", { name: "失敗", exact: true })).toHaveCount(1);
    // The axe audit and the layout measure run scripts in the page: with JavaScript only.
    if (test.info().project.use.javaScriptEnabled !== false) {
      await audit(page, "/account/security");
      for (const width of [320, 1280]) await fits(page, width);
      await page.setViewportSize({ width: 1280, height: 900 });
    }

    // End the row after this one: the tablet, signed in last.
    await devices.getByRole("row").nth(2).getByRole("button", { name: "ログアウト" }).click();
    await expect(page.getByText("選択した端末をログアウトしました。")).toBeVisible();
    await expect(devices.getByRole("row")).toHaveCount(sessions);
    await tabletPage.goto("/account");
    await expect(tabletPage.getByRole("heading", { name: "ログイン" })).toBeVisible();
    await phonePage.goto("/account");
    await expect(phonePage.getByRole("heading", { name: "お客様情報" })).toBeVisible();

    await page.getByRole("button", { name: "他の端末をすべてログアウト" }).click();
    await expect(page.getByText(/他の端末\(\d台\)をログアウトしました。/)).toBeVisible();
    await expect(devices.getByRole("row")).toHaveCount(2);
    for (const p of [phonePage, tabletPage]) {
      await p.goto("/account");
      await expect(p.getByRole("heading", { name: "ログイン" })).toBeVisible();
    }
    // This browser is still signed in.
    await page.goto("/account/security");
    await expect(page.getByText("この端末")).toBeVisible();
    await phone.close();
    await tablet.close();
  });

  test("心当たりがない場合 in a ログイン通知 signs every browser out; the mailed reset link sets a new password @nojs", async ({
    page,
    account,
    browser,
    request,
  }) => {
    await signedIn(page, account);
    // Someone else signs in with the same password; its ログイン通知 reaches the owner.
    const before = await mailIds(request, account.email);
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await signedIn(otherPage, account);
    const notice = await waitForMail(request, account.email, "ログイン通知", before);
    const link = /心当たりがない場合はこちら: (\S+)/.exec(notice.text)?.[1] as string;
    expect(link).toMatch(/\/login-report\//);
    expect(notice.html).toContain("心当たりがない場合はこちら");

    await page.goto(link);
    await expect(page.getByRole("heading", { name: "心当たりのないログイン" })).toBeVisible();
    await expect(page).toHaveTitle(/^心当たりのないログイン \| /);
    if (test.info().project.use.javaScriptEnabled !== false) {
      await audit(page, "/login-report");
      for (const width of [320, 1280]) await fits(page, width);
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    const beforeReport = await mailIds(request, account.email);
    await page.getByRole("button", { name: "すべての端末からログアウト" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByText(/すべての端末からログアウトし、パスワードを無効にしました。/)).toBeVisible();
    // Both browsers are signed out, the owner's too.
    for (const p of [otherPage, page]) {
      await p.goto("/account");
      await expect(p.getByRole("heading", { name: "ログイン" })).toBeVisible();
    }
    await other.close();
    // The old password is void.
    await login(page, account);
    await expect(page.getByRole("alert")).toContainText("ログインID、メールアドレスまたはパスワードが正しくありません");
    // The contact center is told.
    const staff = await waitForMail(request, "orders@rental.example.jp", `【不正ログインの報告】${account.company}`);
    expect(staff.text).toContain(account.email);
    // The link worked once.
    await page.goto(link);
    await expect(page.getByRole("alert")).toContainText("このURLは無効か、有効期限が切れています");
    await expect(page.getByRole("button", { name: "すべての端末からログアウト" })).toHaveCount(0);

    // The reset mail sets a new password, which signs in.
    const reset = await waitForMail(request, account.email, "パスワード再設定のご案内", beforeReport);
    await page.goto(/https?:\/\/\S+\/reset-password\/\S+/.exec(reset.text)?.[0] as string);
    await page.getByLabel("新パスワード", { exact: true }).fill("Regain-2026x");
    await page.getByLabel("新パスワード(確認用)", { exact: true }).fill("Regain-2026x");
    await page.getByRole("button", { name: "パスワードを再設定" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await signedIn(page, { ...account, password: "Regain-2026x" });
  });

  test("認証アプリ: enrol with the shown key, sign in with its code, then with a recovery code; 解除 with the password @nojs", async ({
    page,
    account,
  }) => {
    const js = test.info().project.use.javaScriptEnabled !== false;
    await signedIn(page, account);
    await page.goto("/account/security");
    const section = page.getByRole("region", { name: "認証アプリ" });
    await section.getByRole("button", { name: "認証アプリを設定" }).click();
    await expect(section.getByRole("img", { name: "認証アプリ設定用のQRコード" })).toBeVisible();
    if (js) await expect(section.getByRole("heading", { name: "認証アプリの設定" })).toBeFocused();
    const key = (
      await section
        .getByRole("definition")
        .filter({ has: page.locator("code") })
        .textContent()
    )?.trim() as string;
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    if (js) {
      await audit(page, "/account/security (認証アプリの設定)");
      for (const width of [320, 1280]) await fits(page, width);
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    // A wrong code is an error beside the field; what was typed stays.
    await page.getByLabel("確認コード", { exact: true }).fill("000000");
    await page.getByRole("button", { name: "登録", exact: true }).click();
    await expect(page.getByText("確認コードが正しくありません。").first()).toBeVisible();
    await expect(page.getByLabel("確認コード", { exact: true })).toHaveValue("000000");
    if (js) await expect(page.getByRole("alert").first()).toBeFocused();
    await page.getByLabel("確認コード", { exact: true }).fill(appCode(key));
    await page.getByRole("button", { name: "登録", exact: true }).click();
    const codes = page.getByRole("region", { name: "リカバリーコード" });
    await expect(codes.getByRole("listitem")).toHaveCount(10);
    if (js) await expect(codes.getByRole("heading", { name: "リカバリーコード" })).toBeFocused();
    const recoveryCodes = (await codes.getByRole("listitem").allInnerTexts()).map((t) => t.trim());
    if (js) {
      await audit(page, "/account/security (リカバリーコード)");
      for (const width of [320, 1280]) await fits(page, width);
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await expect(section.getByText("登録済み")).toBeVisible();

    // Signed out, the password is followed by the app's code (never the same code twice: the next step's).
    await logOut(page);
    await login(page, account);
    await expect(page).toHaveURL(/\/login\/otp/);
    await expect(page.getByRole("link", { name: "リカバリーコードを使用する" })).toBeVisible();
    await expect(page.getByRole("button", { name: "ワンタイムパスワードを再送する" })).toHaveCount(0);
    if (js) await audit(page, "/login/otp (認証アプリ)");
    await page.getByLabel("ワンタイムパスワード", { exact: true }).fill(appCode(key, 1));
    await page.getByRole("button", { name: "送信" }).click();
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();

    // Then with a recovery code, which works once.
    await logOut(page);
    await login(page, account);
    await page.getByRole("link", { name: "リカバリーコードを使用する" }).click();
    await page.getByLabel("リカバリーコード", { exact: true }).fill(recoveryCodes[0] as string);
    await page.getByRole("button", { name: "送信" }).click();
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
    await logOut(page);
    await login(page, account);
    await page.getByRole("link", { name: "リカバリーコードを使用する" }).click();
    await page.getByLabel("リカバリーコード", { exact: true }).fill(recoveryCodes[0] as string);
    await page.getByRole("button", { name: "送信" }).click();
    await expect(page.getByText("リカバリーコードが正しくありません。(あと4回入力できます)").first()).toBeVisible();
    await page.getByLabel("リカバリーコード", { exact: true }).fill(recoveryCodes[1] as string);
    await page.getByRole("button", { name: "送信" }).click();
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();

    // 解除 needs the current password.
    await page.goto("/account/security");
    await expect(section.getByText("8個")).toBeVisible();
    await page.getByRole("button", { name: "認証アプリを解除" }).click();
    await expect(page.getByText("現在のパスワードを入力してください。").first()).toBeVisible();
    await page.getByLabel("現在のパスワード", { exact: true }).fill(account.password);
    await page.getByRole("button", { name: "認証アプリを解除" }).click();
    await expect(page.getByText("認証アプリを解除しました。")).toBeVisible();
    await expect(section.getByRole("button", { name: "認証アプリを設定" })).toBeVisible();
    await logOut(page);
    await signedIn(page, account);
  });

  test("認証アプリ解除 in 顧客管理 (lost phone and codes): the user is signed out and told, and signs in without the app @nojs", async ({
    page,
    account,
    browser,
    request,
  }) => {
    await signedIn(page, account);
    await page.goto("/account/security");
    await page.getByRole("button", { name: "認証アプリを設定" }).click();
    const key = (await page.locator("code.setup-key").textContent())?.trim() as string;
    await page.getByLabel("確認コード", { exact: true }).fill(appCode(key));
    await page.getByRole("button", { name: "登録", exact: true }).click();
    await expect(page.getByRole("region", { name: "リカバリーコード" })).toBeVisible();

    const staffContext = await browser.newContext();
    const staff = await staffContext.newPage();
    await signInAsStaff(staff, request);
    await staff.goto("/admin/accounts");
    await staff.getByLabel("キーワード").fill(account.loginId);
    await staff.getByRole("button", { name: "検索" }).click();
    await staff
      .getByRole("link", { name: new RegExp(account.loginId) })
      .first()
      .click();
    const row = staff.getByRole("row", { name: new RegExp(account.email) });
    await expect(row.getByText("認証アプリ登録済")).toBeVisible();
    await row.getByRole("button", { name: "認証アプリ解除" }).click();
    await expect(staff.getByText("認証アプリの登録を解除しました。")).toBeVisible();
    await expect(row.getByRole("button", { name: "認証アプリ解除" })).toHaveCount(0);
    await staffContext.close();

    await waitForMail(request, account.email, "認証アプリ設定変更のお知らせ");
    await page.goto("/account");
    await expect(page.getByRole("heading", { name: "ログイン" })).toBeVisible();
    // The password alone signs in again (back to the page asked for).
    await login(page, account);
    await expect(page.getByRole("heading", { name: "お客様情報", level: 1 })).toBeVisible();
  });
});
