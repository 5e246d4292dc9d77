import type { Page } from "@playwright/test";
import { expect, login, signInAsStaff, type TestAccount, test } from "./fixtures";

/** 申込一覧 of the back office (SPEC §6): a customer's order, arranged by staff, seen by the customer. */

function tokyoToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
}

async function customerSignIn(page: Page, account: TestAccount) {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
}

/** Signs in, puts DSOX1204G × 1 in the order (or quote) form, fills the delivery and sends it: the number. */
async function apply(page: Page, account: TestAccount, kind: "order" | "quote"): Promise<string> {
  await customerSignIn(page, account);
  await page.goto("/products?q=DSOX");
  await page.getByRole("link", { name: "DSOX1204G" }).click();
  await page.getByRole("button", { name: kind === "order" ? "注文に追加" : "見積依頼に追加" }).click();
  await expect(page.getByRole("heading", { name: kind === "order" ? "注文" : "見積依頼", exact: true })).toBeVisible();
  await page.getByLabel("会社名").fill("QA計測株式会社");
  await page.getByLabel("担当者名").fill("品質 花子");
  await page.getByLabel("郵便番号").fill("1050011");
  await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
  await page.getByLabel("電話番号").fill("03-1234-5678");
  await page.getByLabel("レンタル開始日").fill(tokyoToday());
  await page.getByRole("button", { name: "確認画面へ" }).click();
  await page.getByRole("button", { name: "申し込む" }).click();
  const notice = page.getByText(/申込番号: [OQ]-\d{4}-\d{6}/);
  await expect(notice).toBeVisible();
  const number = /[OQ]-\d{4}-\d{6}/.exec((await notice.textContent()) ?? "")?.[0] as string;
  // The intake worker accepts it in the background.
  await expect(async () => {
    await page.goto("/account/history");
    const row = page.getByRole("row", { name: new RegExp(number) });
    await expect(row.getByRole("cell", { name: "受付完了" })).toBeVisible({ timeout: 5_000 });
  }).toPass();
  await page.getByRole("button", { name: "ログアウト" }).first().click();
  return number;
}

test.describe("back office: 申込一覧", () => {
  test("an order → ダッシュボード → 未手配の注文 → 手配済にする → the customer's 手配済 and rental @nojs", async ({
    page,
    request,
    account,
  }) => {
    const number = await apply(page, account, "order");

    await signInAsStaff(page, request);
    await expect(page.getByRole("heading", { name: "ダッシュボード" })).toBeVisible();
    await page.getByRole("link", { name: /未手配の注文/ }).click();
    await expect(page.getByRole("heading", { name: "申込一覧" })).toBeVisible();
    await expect(page.getByLabel("確認状況")).toHaveValue("unarranged");
    const row = page.getByRole("row", { name: new RegExp(number) });
    await expect(row.getByRole("cell", { name: account.loginId, exact: true })).toBeVisible();
    await expect(row.getByRole("cell", { name: "未手配", exact: true })).toBeVisible();
    await row.getByRole("link", { name: number }).click();
    await expect(page.getByRole("heading", { name: `申込 ${number}` })).toBeVisible();
    await page.getByRole("button", { name: "手配済にする" }).click();
    await expect(page.getByText(/手配済にしました。契約番号: /)).toBeVisible();
    await expect(page.getByRole("button", { name: "手配済にする" })).toHaveCount(0);

    // The keyword finds it by number, now 手配済.
    await page.goto("/admin/applications");
    await page.getByLabel("キーワード").fill(number);
    await page.getByRole("button", { name: "検索" }).click();
    await expect(
      page.getByRole("row", { name: new RegExp(number) }).getByRole("cell", { name: "手配済", exact: true }),
    ).toBeVisible();
    await page.getByRole("button", { name: "ログアウト" }).first().click();

    await customerSignIn(page, account);
    await page.goto("/account/history");
    await expect(
      page.getByRole("row", { name: new RegExp(number) }).getByRole("cell", { name: "手配済", exact: true }),
    ).toBeVisible();
    await page.goto("/rentals");
    await expect(page.getByRole("heading", { name: new RegExp(`注文 ${number}`) })).toBeVisible();
  });

  test("a quote request answered with 単価, 有効期限 and コメント shows 回答済 to the customer", async ({
    page,
    request,
    account,
  }) => {
    const number = await apply(page, account, "quote");

    await signInAsStaff(page, request);
    await page.getByRole("link", { name: /未回答の見積/ }).click();
    await page
      .getByRole("row", { name: new RegExp(number) })
      .getByRole("link", { name: number })
      .click();
    await page.getByRole("button", { name: "見積回答" }).click();
    await expect(page.getByText("単価を入力してください。")).toBeVisible();
    await page.getByLabel("単価").first().fill("12000");
    await page.getByLabel("有効期限").fill(tokyoToday());
    await page.getByLabel("コメント").fill("ご検討ください");
    await page.getByRole("button", { name: "見積回答" }).click();
    await expect(page.getByText(/見積を回答しました。/)).toBeVisible();
    await page.getByRole("button", { name: "ログアウト" }).first().click();

    await customerSignIn(page, account);
    await page.goto("/account/history");
    await expect(
      page.getByRole("row", { name: new RegExp(number) }).getByRole("cell", { name: "回答済", exact: true }),
    ).toBeVisible();
  });
});
