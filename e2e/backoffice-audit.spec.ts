import { expect, login, signInAsStaff, test } from "./fixtures";

/** 操作ログ (SPEC §6): a customer's failed login and a staff action are in the log, filtered, and in its CSV. */

const GENERIC_LOGIN_FAILURE =
  "ログインID、メールアドレスまたはパスワードが正しくありません。続けて失敗した場合は、しばらく時間をおいてから再度お試しください。";

test("a failed login and a staff ロック解除 appear in 操作ログ; 顧客 and 操作 narrow it; the CSV holds the rows @nojs", async ({
  page,
  browser,
  request,
  account,
}) => {
  // The customer mistypes the password.
  const context = await browser.newContext();
  const customerPage = await context.newPage();
  await customerPage.goto("/login");
  await login(customerPage, { ...account, password: "Wrong-pass-2026" });
  await expect(customerPage.getByRole("alert").filter({ hasText: GENERIC_LOGIN_FAILURE })).toBeVisible();
  await context.close();

  // A staff member lifts the user's lock (a staff action).
  const staff = await signInAsStaff(page, request);
  await page.goto("/admin/accounts");
  await page.getByLabel("キーワード", { exact: true }).fill(account.loginId);
  await page.getByRole("button", { name: "検索" }).click();
  await page.getByRole("link", { name: account.loginId }).click();
  await page.getByRole("row").filter({ hasText: account.email }).getByRole("button", { name: "ロック解除" }).click();
  await expect(page.getByText("ロックを解除しました。")).toBeVisible();

  // 操作ログ, filtered by 顧客: both rows, and only this account's.
  await page.goto("/admin");
  await page.getByRole("link", { name: "操作ログ" }).first().click();
  await expect(page.getByRole("heading", { name: "操作ログ" })).toBeVisible();
  await page.getByLabel("顧客", { exact: true }).fill(account.loginId);
  await page.getByRole("button", { name: "検索" }).click();
  const rows = page.getByRole("table").getByRole("row");
  const failedLogin = rows.filter({ hasText: "ログイン" }).filter({ hasText: "失敗" });
  await expect(failedLogin.first()).toContainText(`${account.loginId} ${account.email}`);
  const unlock = rows.filter({ hasText: "ロック解除" });
  await expect(unlock).toHaveCount(1);
  await expect(unlock).toContainText(staff.email);
  await expect(unlock).toContainText(account.company);
  for (const cell of await page.locator("tbody tr td:nth-child(3)").allTextContents()) {
    expect(cell).toContain(account.loginId);
  }

  // 操作 narrows it to the staff action.
  await page.getByLabel("操作", { exact: true }).selectOption({ label: "ロック解除" });
  await page.getByRole("button", { name: "検索" }).click();
  await expect(page).toHaveURL(/action=user\.unlock/);
  await expect(page.locator("tbody tr")).toHaveCount(1);
  await expect(page.locator("tbody tr")).toContainText(staff.email);

  // An unknown 顧客 is named beside its field, and what was typed stays.
  await page.getByLabel("顧客", { exact: true }).fill("nobody-zz9");
  await page.getByRole("button", { name: "検索" }).click();
  await expect(page.getByText("ログインID「nobody-zz9」の顧客は見つかりません。")).toBeVisible();
  await expect(page.getByLabel("顧客", { exact: true })).toHaveValue("nobody-zz9");

  // CSV of the account's rows (all 操作).
  await page.getByLabel("顧客", { exact: true }).fill(account.loginId);
  await page.getByLabel("操作", { exact: true }).selectOption({ label: "すべて" });
  await page.getByRole("button", { name: "検索" }).click();
  // With JavaScript the search is a client-side navigation: the CSV link follows the new filter once it is done
  // (clicked before, it would still ask for the unknown 顧客's CSV and be sent back to the page).
  await expect(page.getByRole("link", { name: "CSV" })).toHaveAttribute(
    "href",
    new RegExp(`[?&]loginId=${account.loginId}(&|$)`),
  );
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "CSV" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("操作ログ.csv");
  const path = await download.path();
  const fs = await import("node:fs/promises");
  const body = await fs.readFile(path);
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = body.toString("utf8");
  expect(text).toContain('"日時","実行者","ログインID","会社名","操作","対象","結果","IPアドレス","詳細"\r\n');
  expect(text).toMatch(new RegExp(`"${staff.email}","${account.loginId}","[^"]*","ロック解除",`));
  expect(text).toContain(`"${account.loginId} ${account.email}","${account.loginId}"`);
  expect(text).toContain('"ログイン"');
  expect(text).toContain('"失敗"');

  // Signed out, the CSV is not served.
  const anonymous = await browser.newContext();
  const response = await anonymous.request.get(`/admin/audit.csv?loginId=${account.loginId}`, { maxRedirects: 0 });
  expect(response.status()).toBe(302);
  expect(response.headers().location).toContain("/admin/login");
  await anonymous.close();
});

test("操作ログ fits a 320 px screen: the table scrolls inside its box", async ({ page, request }) => {
  await signInAsStaff(page, request);
  await page.setViewportSize({ width: 320, height: 700 });
  await page.goto("/admin/audit");
  await expect(page.getByRole("heading", { name: "操作ログ" })).toBeVisible();
  await expect(page.getByRole("table")).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
