import { expect, login, test } from "./fixtures";

/** Forms send what the user typed; refusals come back in Japanese beside the field (server/routers/form-values.ts). */
test.describe("form values", () => {
  test("a blank 数量 or レンタル期間 is asked for in Japanese beside the field @nojs", async ({ page, account }) => {
    await page.goto("/login");
    await login(page, account);
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();

    await page.goto("/products?q=87V");
    await page.getByRole("link", { name: "87V", exact: true }).click();
    await page.getByLabel("数量").fill("");
    await page.getByRole("button", { name: "注文に追加" }).click();
    await expect(page.getByLabel("数量")).toHaveAccessibleDescription("数量を入力してください。");
    await page.getByLabel("数量").fill("2");
    await page.getByRole("button", { name: "注文に追加" }).click();
    await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();

    await page.getByLabel("87V の数量").fill("");
    await page.getByLabel("レンタル期間").fill("");
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByLabel("87V の数量")).toHaveAccessibleDescription("数量を入力してください。");
    await expect(page.getByLabel("レンタル期間")).toHaveAccessibleDescription("レンタル期間を入力してください。");
    await expect(page.getByText(/Invalid|expected|received|NaN/)).toHaveCount(0);
  });

  test("a 申込履歴 period that is no date is refused beside its field", async ({ page, account }) => {
    await page.goto("/login");
    await login(page, account);
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
    await page.goto("/account/history?from=2026-13-01");
    await expect(page.getByLabel("期間(開始)")).toHaveAccessibleDescription(
      "期間(開始)に正しい日付を入力してください。",
    );
  });
});
