import type { Page } from "@playwright/test";
import { expect, login, type TestAccount, test } from "./fixtures";

/** Forms that guide (issue 12 item 4): empty after success, a confirmation before 削除, fields that apply. */

async function signedIn(page: Page, account: TestAccount) {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
}

test.describe("forms guide", () => {
  test("a template: the form is empty after 登録; 削除 asks first, focused, and 戻る keeps it @nojs", async ({
    page,
    account,
    javaScriptEnabled,
  }) => {
    await signedIn(page, account);
    await page.goto("/account/templates");
    await page.getByLabel("テンプレート名").fill("第二倉庫");
    await page.getByLabel("会社名").fill("QA計測株式会社");
    await page.getByLabel("担当者名").fill("品質 花子");
    await page.getByLabel("郵便番号").fill("1050011");
    await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
    await page.getByLabel("電話番号").fill("03-1234-5678");
    await page.getByRole("button", { name: "登録" }).click();
    await expect(page.getByText("お届け先テンプレートを登録しました。")).toBeVisible();
    await expect(page.getByRole("cell", { name: "第二倉庫", exact: true })).toBeVisible();
    // Nothing left to register twice.
    await expect(page.getByLabel("テンプレート名")).toHaveValue("");
    await expect(page.getByLabel("会社名")).toHaveValue("");

    await page.getByRole("button", { name: "第二倉庫 を削除" }).click();
    await expect(page.getByRole("heading", { name: "お届け先テンプレートの削除" })).toBeVisible();
    if (javaScriptEnabled)
      await expect(page.getByRole("heading", { name: "お届け先テンプレートの削除" })).toBeFocused();
    await page.getByRole("link", { name: "戻る" }).click();
    await expect(page.getByRole("cell", { name: "第二倉庫", exact: true })).toBeVisible();

    await page.getByRole("button", { name: "第二倉庫 を削除" }).click();
    await page.getByRole("button", { name: "削除する" }).click();
    await expect(page.getByText("お届け先テンプレート「第二倉庫」を削除しました。")).toBeVisible();
    await expect(page.getByRole("cell", { name: "第二倉庫", exact: true })).toHaveCount(0);
  });

  test("利用者追加 is empty again after a user was added, and keeps what was typed when refused", async ({
    page,
    account,
  }) => {
    await signedIn(page, account);
    await page.goto("/account/users");
    const email = `added.${account.loginId}@example.jp`;
    await page.getByLabel("メールアドレス", { exact: true }).fill(email);
    await page.getByRole("button", { name: "追加", exact: true }).click();
    await expect(page.getByRole("button", { name: `${email} を削除` })).toBeVisible();
    await expect(page.getByLabel("メールアドレス", { exact: true })).toHaveValue("");
    await page.getByLabel("メールアドレス", { exact: true }).fill(email);
    await page.getByRole("button", { name: "追加", exact: true }).click();
    await expect(page.getByLabel("メールアドレス", { exact: true })).toHaveAccessibleDescription(
      "このメールアドレスは既に登録されています。",
    );
    await expect(page.getByLabel("メールアドレス", { exact: true })).toHaveValue(email);
  });

  test("a refused order: the summary takes the focus and links to each field; a corrected field stops saying it is wrong", async ({
    page,
    account,
  }) => {
    await signedIn(page, account);
    await page.goto("/products?q=DSOX1204G");
    await page.getByRole("link", { name: "DSOX1204G" }).click();
    await page.getByRole("button", { name: "注文に追加" }).click();
    await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();

    // 必須 / 任意 beside the labels, outside them (the accessible names stay the screen's labels).
    const need = (label: string) =>
      page.locator(".field-label").filter({ has: page.getByText(label, { exact: true }) });
    await expect(need("会社名")).toContainText("必須");
    await expect(need("部署名")).toContainText("任意");
    await expect(need("備考")).toContainText("任意");
    await expect(page.getByLabel("会社名")).toHaveAttribute("required", "");

    await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
    await page.getByRole("button", { name: "確認画面へ" }).click();
    const summary = page.getByRole("alert");
    await expect(summary).toBeFocused();
    await expect(summary).toContainText("入力内容をご確認ください。");
    const toCompany = summary.getByRole("link", { name: "会社名の入力内容を確認する" });
    await expect(toCompany).toBeVisible();
    await expect(summary.getByRole("link", { name: "住所の入力内容を確認する" })).toHaveCount(0);
    await toCompany.click();
    await expect(page.getByLabel("会社名")).toBeFocused();
    await expect(page.getByLabel("会社名")).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("住所")).toHaveValue("東京都港区芝公園4-2-8");

    await page.getByLabel("会社名").fill("QA計測株式会社");
    await expect(page.getByLabel("会社名")).not.toHaveAttribute("aria-invalid", "true");
    await expect(page.getByLabel("会社名")).toHaveAccessibleDescription("");
    // Still wrong ones keep their message, and a second refusal brings the focus back to the summary.
    await expect(page.getByLabel("担当者名")).toHaveAttribute("aria-invalid", "true");
    await page.getByLabel("担当者名").focus();
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(summary).toBeFocused();
    await expect(summary.getByRole("link", { name: "会社名の入力内容を確認する" })).toHaveCount(0);
    await expect(summary.getByRole("link", { name: "担当者名の入力内容を確認する" })).toBeVisible();
  });
});
