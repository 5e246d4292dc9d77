import type { Page } from "@playwright/test";
import { expect, login, type TestAccount, test, waitForMail } from "./fixtures";

/**
 * Money (SPEC §3): 金額 per line, 小計, 消費税 (10%, once on the total, rounded down) and 合計, marked 概算 for
 * catalog prices, on the order form, its confirmation step and the application's page.
 * DSOX1204G costs 2,500円 a day and 30,000円 a month in the demo catalog.
 */

function tokyoToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
}

async function orderFormWithTwo(page: Page, account: TestAccount) {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
  await page.goto("/products?q=DSOX1204G");
  await page.getByRole("link", { name: "DSOX1204G" }).click();
  await page.getByLabel("数量").fill("2");
  await page.getByRole("button", { name: "注文に追加" }).click();
  await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();
}

async function fillDelivery(page: Page) {
  await page.getByLabel("レンタル開始日").fill(tokyoToday());
  await page.getByLabel("会社名").fill("QA計測株式会社");
  await page.getByLabel("担当者名").fill("品質 花子");
  await page.getByLabel("郵便番号").fill("1050011");
  await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
  await page.getByLabel("電話番号").fill("03-1234-5678");
}

const totals = (page: Page) => ({
  line: page.getByRole("row", { name: /DSOX1204G/ }),
  subtotal: page.getByRole("row", { name: /^小計/ }),
  tax: page.getByRole("row", { name: /^消費税\(10%\)/ }),
  total: page.getByRole("row", { name: /^合計/ }),
});

test.describe("money on an order", () => {
  test("the form's estimate follows what is typed; the confirmation, the application's page and the mail say the same", async ({
    page,
    account,
    request,
  }) => {
    await orderFormWithTwo(page, account);
    const t = totals(page);
    // 1 month (the form's default) × 2 × 30,000円.
    await expect(t.line).toContainText("60,000円");
    await expect(t.total).toContainText("66,000円");
    await expect(t.total).toContainText("概算");

    await page.getByLabel("レンタル期間").fill("3");
    await expect(t.line).toContainText("180,000円");
    await expect(t.subtotal).toContainText("180,000円");
    await expect(t.tax).toContainText("18,000円");
    await expect(t.total).toContainText("198,000円");

    await page.getByLabel("単位").selectOption("day");
    await expect(t.line).toContainText("15,000円");
    await expect(t.total).toContainText("16,500円");
    await page.getByLabel("DSOX1204G の数量").fill("");
    await expect(page.getByText("数量とレンタル期間を入力すると、金額と合計を表示します。")).toBeVisible();
    await page.getByLabel("DSOX1204G の数量").fill("2");
    await page.getByLabel("単位").selectOption("month");
    await expect(t.total).toContainText("198,000円");

    await fillDelivery(page);
    await page.getByRole("button", { name: "確認画面へ" }).click();
    const heading = page.getByRole("heading", { name: "注文(確認)" });
    await expect(heading).toBeFocused();
    await expect(page).toHaveTitle(/^注文\(確認\) \| /);
    await expect(t.line).toContainText("30,000円/月");
    await expect(t.line).toContainText("180,000円");
    await expect(t.tax).toContainText("18,000円");
    await expect(t.total).toContainText("198,000円");
    await expect(t.total).toContainText("概算");

    await page.getByRole("button", { name: "申し込む" }).click();
    await expect(page.getByRole("heading", { name: /^申込番号 O-/ })).toBeVisible();
    await expect(t.line).toContainText("180,000円");
    await expect(t.total).toContainText("198,000円");
    await expect(page.getByText(/最終的な金額は手配時に当社が確定し/)).toBeVisible();

    const number = (await page.getByRole("heading", { name: /^申込番号 O-/ }).textContent())?.replace("申込番号 ", "");
    const mail = await waitForMail(request, account.email, `お申し込み受付のお知らせ(${number})`);
    expect(mail.text).toContain("DSOX1204G デジタル・オシロスコープ 70MHz 4ch 30,000円/月 × 2 = 180,000円");
    expect(mail.text).toContain("小計 180,000円\n消費税(10%) 18,000円\n合計 198,000円(概算)");
  });

  test("without JavaScript the form prices what it shows, and the confirmation what was typed @nojs", async ({
    page,
    account,
  }) => {
    await orderFormWithTwo(page, account);
    const t = totals(page);
    await expect(t.total).toContainText("66,000円");
    await page.getByLabel("レンタル期間").fill("3");
    await fillDelivery(page);
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByRole("heading", { name: "注文(確認)" })).toBeVisible();
    await expect(t.total).toContainText("198,000円");
    await page.getByRole("button", { name: "修正する" }).click();
    await expect(page.getByLabel("レンタル期間")).toHaveValue("3");
    await expect(t.total).toContainText("198,000円");
  });
});
