import { randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Page } from "@playwright/test";
import { admin, expect, login, mailIds, test, waitForMail } from "./fixtures";

/**
 * Accessibility audit (issue 12 item 9): axe-core with the WCAG 2.0–2.2 A/AA rules and its best
 * practices, on every screen in each of its states — clean, with errors, a confirmation step — for
 * customers and staff. Zero violations; a failure lists each rule with the elements it found.
 */
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"];

async function audit(page: Page, state: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(found, `axe violations on ${state}`).toEqual([]);
}

async function visit(page: Page, path: string, heading: string | RegExp) {
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1, name: heading }).first()).toBeVisible();
  await audit(page, path);
}

test.describe("axe audit", () => {
  test("pages before sign-in, and their error states", async ({ page }) => {
    await visit(page, "/login", "ログイン");
    await page.getByRole("button", { name: "ログイン" }).click();
    await expect(page.getByText("ログインIDを入力してください。")).toBeVisible();
    await audit(page, "/login with errors");
    await visit(page, "/forgot-password", "パスワード再設定");
    await visit(page, "/reset-password/no-such-token", "新しいパスワードの設定");
    await visit(page, "/admin/login", "スタッフログイン");
    const missing = await page.goto("/no-such-page");
    expect(missing?.status()).toBe(404);
    await expect(page).toHaveTitle(/ページが見つかりません/);
    await audit(page, "404");
  });

  test("the forced password change, clean and with errors", async ({ page, newAccount }) => {
    await page.goto("/login");
    await login(page, newAccount);
    await expect(page.getByRole("heading", { name: "初回ログイン時のパスワード変更" })).toBeVisible();
    await audit(page, "/password/initial");
    await page.getByRole("button", { name: "パスワード変更" }).click();
    await expect(page.getByLabel("新パスワード", { exact: true })).toHaveAccessibleDescription(/./);
    await audit(page, "/password/initial with errors");
  });

  test("the customer's screens, their errors and confirmation steps", async ({ page, account }) => {
    await page.goto("/login");
    await login(page, account);
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
    await audit(page, "/");
    await visit(page, "/products?q=DSOX", "商品検索");
    await page.getByRole("link", { name: "DSOX1204G" }).click();
    await audit(page, "a product");
    await page.getByRole("button", { name: "注文に追加" }).click();
    await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();
    await audit(page, "/order with a line");
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByLabel("会社名")).toHaveAccessibleDescription(/./);
    await audit(page, "/order with errors");
    await page.getByLabel("会社名").fill("QA計測株式会社");
    await page.getByLabel("担当者名").fill("品質 花子");
    await page.getByLabel("郵便番号").fill("1050011");
    await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
    await page.getByLabel("電話番号").fill("03-1234-5678");
    await page
      .getByLabel("レンタル開始日")
      .fill(new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date()));
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByRole("button", { name: "申し込む" })).toBeVisible();
    await audit(page, "/order confirmation step");
    await visit(page, "/quote", "見積依頼");
    await visit(page, "/rentals", "レンタル中の注文");
    await visit(page, "/account/history", "お客様情報");
    await visit(page, "/account/templates", "お客様情報");
    await page.getByRole("button", { name: "登録" }).click();
    await audit(page, "/account/templates with errors");
    await visit(page, "/account", "お客様情報");
    await page.getByRole("button", { name: "パスワード変更" }).click();
    await audit(page, "/account with errors");
    await visit(page, "/account/users", "お客様情報");
    const email = `a11y.${randomBytes(3).toString("hex")}@example.jp`;
    await page.getByLabel("メールアドレス", { exact: true }).fill(email);
    await page.getByRole("button", { name: "追加", exact: true }).click();
    await expect(page.getByRole("button", { name: `${email} を削除` })).toBeVisible();
    await page.getByRole("button", { name: `${email} を削除` }).click();
    await expect(page.getByRole("heading", { name: "利用者の削除" })).toBeVisible();
    await audit(page, "user deletion confirmation step");
    await visit(page, "/account/templates", "お客様情報");
    await page.getByLabel("テンプレート名").fill("監査用");
    await page.getByLabel("会社名").fill("QA計測株式会社");
    await page.getByLabel("担当者名").fill("品質 花子");
    await page.getByLabel("郵便番号").fill("1050011");
    await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
    await page.getByLabel("電話番号").fill("03-1234-5678");
    await page.getByRole("button", { name: "登録" }).click();
    await page.getByRole("button", { name: "監査用 を削除" }).click();
    await expect(page.getByRole("heading", { name: "お届け先テンプレートの削除" })).toBeVisible();
    await audit(page, "template deletion confirmation step");
    await visit(page, "/", /ようこそ/);
    await visit(page, "/rentals", "レンタル中の注文");
  });

  test("the back office's screens", async ({ page, request }) => {
    const email = `a11y.${randomBytes(4).toString("hex")}@example.jp`;
    await admin("create-staff", "--email", email, "--password", "Staff-2026a", "--role", "admin");
    await staffSignIn(page, request, email, "Staff-2026a");
    await audit(page, "/admin");
    await visit(page, "/admin/applications", "申込一覧");
    await page.getByLabel("キーワード").fill("O-");
    await page.getByRole("button", { name: "検索" }).click();
    await audit(page, "/admin/applications searched");
    await visit(page, "/admin/accounts", "顧客管理");
    await visit(page, "/admin/import", "会員データ移行");
    await page.getByRole("button", { name: "確認" }).click();
    await audit(page, "/admin/import with errors");
    await visit(page, "/admin/products", "商品管理");
    await visit(page, "/admin/products/new", "商品登録");
    await page.getByRole("button", { name: "登録" }).click();
    await expect(page.getByLabel("型番")).toHaveAccessibleDescription(/./);
    await audit(page, "/admin/products/new with errors");
    await visit(page, "/admin/products/import", "商品CSV取込");
    await visit(page, "/admin/products?keyword=DSOX", "商品管理");
    await page.getByRole("button", { name: "販売終了" }).first().click();
    await expect(page.getByRole("heading", { level: 1, name: "販売終了の確認" })).toBeVisible();
    await audit(page, "販売終了 confirmation step");
    await visit(page, "/admin/audit", "操作ログ");
    await visit(page, "/admin/staff", "スタッフ管理");
    await visit(page, "/admin/password", "パスワード変更");
    await page.getByRole("button", { name: "パスワード変更" }).click();
    await audit(page, "/admin/password with errors");
  });
});

async function staffSignIn(page: Page, request: APIRequestContext, email: string, password: string) {
  await page.goto("/admin/login");
  const earlier = await mailIds(request, email);
  await page.getByLabel("メールアドレス", { exact: true }).fill(email);
  await page.getByLabel("パスワード", { exact: true }).fill(password);
  await page.getByRole("button", { name: "ログイン" }).click();
  await expect(page).toHaveURL(/\/admin\/login\/otp/);
  await audit(page, "/admin/login/otp");
  const mail = await waitForMail(request, email, "管理画面ワンタイムパスワード通知", earlier);
  await page
    .getByLabel("ワンタイムパスワード", { exact: true })
    .fill(/ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1] as string);
  await page.getByRole("button", { name: "送信" }).click();
  await expect(page).toHaveURL(/\/admin$/);
}
