import { expect, login, mailIds, test, waitForMail } from "./fixtures";

const GENERIC =
  "ログインID、メールアドレスまたはパスワードが正しくありません。続けて失敗した場合は、しばらく時間をおいてから再度お試しください。";

/** "2026/04/01 12:04:05 (日本時間)" → the instant it names. */
function parseTokyo(text: string): number {
  const m = /(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2}) \(日本時間\)/.exec(text);
  if (!m) throw new Error(`no Tokyo time in: ${text}`);
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return Date.UTC(y as number, (mo as number) - 1, d, (h as number) - 9, mi, s);
}

test.describe("login", () => {
  test("signs in with the three labelled fields and mails a login notice @nojs", async ({ page, account, request }) => {
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "ログイン" })).toBeVisible();
    const earlier = await mailIds(request, account.email);
    const before = Date.now();
    await login(page, account);
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
    await expect(page.getByText(account.company).first()).toBeVisible();

    const mail = await waitForMail(request, account.email, "ログイン通知", earlier);
    expect(mail.to).toBe(account.email);
    expect(mail.text).toContain("IPアドレス: 127.0.0.1");
    expect(mail.text).toContain(`ログインID: ${account.loginId}`);
    expect(mail.text).toMatch(/ブラウザ: .*Chrome/);
    const at = parseTokyo(mail.text);
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
    expect(mail.html).toContain("127.0.0.1");
  });

  test("gives one message whichever field is wrong, and keeps what was typed", async ({ page, account, request }) => {
    const earlier = await mailIds(request, account.email);
    const wrong = [
      { ...account, loginId: `${account.loginId}x` },
      { ...account, email: `x${account.email}` },
      { ...account, password: "Wrong-2026a" },
    ];
    for (const attempt of wrong) {
      await page.goto("/login");
      await login(page, attempt);
      await expect(page.getByRole("alert")).toHaveText(GENERIC);
      await expect(page.getByLabel("ログインID", { exact: true })).toHaveValue(attempt.loginId);
      await expect(page.getByLabel("メールアドレス", { exact: true })).toHaveValue(attempt.email);
      await expect(page.getByLabel("パスワード", { exact: true })).toHaveValue("");
    }
    expect(await mailIds(request, account.email)).toEqual(earlier);
  });

  test("asks for every empty field next to it @nojs", async ({ page }) => {
    await page.goto("/login");
    await page.getByRole("button", { name: "ログイン" }).click();
    // Each message is shown with its field and is the field's accessible description.
    for (const [label, message] of [
      ["ログインID", "ログインIDを入力してください。"],
      ["メールアドレス", "メールアドレスを入力してください。"],
      ["パスワード", "パスワードを入力してください。"],
    ] as const) {
      const field = page.getByLabel(label, { exact: true });
      await expect(field).toHaveAccessibleDescription(message);
      await expect(field).toHaveAttribute("aria-invalid", "true");
      await expect(page.getByText(message, { exact: true })).toBeVisible();
    }
  });

  test("logs out, and the signed-in page is closed again @nojs", async ({ page, account }) => {
    await page.goto("/login");
    await login(page, account);
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
    await page.getByRole("button", { name: "ログアウト" }).click();
    await expect(page).toHaveURL(/\/login$/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole("button", { name: "ログイン" })).toBeVisible();
  });

  test("brings the visitor back to the page asked for after login", async ({ page, account }) => {
    await page.goto("/?from=bookmark");
    await expect(page).toHaveURL(/\/login\?redirectTo=%2F%3Ffrom%3Dbookmark$/);
    await login(page, account);
    await expect(page).toHaveURL(/\/\?from=bookmark$/);
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
  });

  test("never redirects off-site after login", async ({ page, account }) => {
    await page.goto("/login?redirectTo=//evil.example/");
    await login(page, account);
    await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  test("the demo account of the README signs in", async ({ page }) => {
    await page.goto("/login");
    await login(page, { loginId: "demo", email: "demo@example.com", password: "Sample-2026" });
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
  });
});
