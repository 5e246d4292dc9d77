import type { Page } from "@playwright/test";
import { expect, login, logOut, signInAsStaff, type TestAccount, test, waitForMail } from "./fixtures";

/**
 * この見積で注文する (SPEC §6) across both sides: a customer asks for a quote, staff answer it (単価, 有効期限,
 * コメント), the customer sees the prices and orders from the quote; the order names the quote, for the customer
 * and for staff; the company's address (STAFF_NOTIFY_EMAIL, e2e/global-setup.ts) gets 【新規申込】 mails.
 */

const NOTIFY = "orders@rental.example.jp";

function tokyoToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
}

async function customerSignIn(page: Page, account: TestAccount) {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
}

/** At 320 px the page does not scroll sideways (a wide table scrolls inside its wrapper); then back to 1280 px. */
async function expectNoPageScrollAt320(page: Page) {
  const sideways = () =>
    page.evaluate(() => {
      window.scrollTo(10_000, window.scrollY);
      const x = window.scrollX;
      window.scrollTo(0, window.scrollY);
      return x;
    });
  await page.setViewportSize({ width: 320, height: 800 });
  await expect.poll(sideways).toBe(0);
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect.poll(sideways).toBe(0);
}

async function addToQuote(page: Page, modelNo: string) {
  await page.goto(`/products?q=${modelNo}`);
  await page.getByRole("link", { name: modelNo, exact: true }).click();
  await page.getByRole("button", { name: "見積依頼に追加" }).click();
  await expect(page.getByRole("heading", { name: "見積依頼", exact: true })).toBeVisible();
}

test("a quote answered by staff becomes an order with この見積で注文する @nojs", async ({ page, request, account }) => {
  // The customer asks for a quote: DSOX1204G × 2 and DSOX1102G × 1, for 3 months.
  await customerSignIn(page, account);
  await addToQuote(page, "DSOX1204G");
  await addToQuote(page, "DSOX1102G");
  await page.getByLabel("DSOX1204G の数量").fill("2");
  await page.getByLabel("レンタル開始日").fill(tokyoToday());
  await page.getByLabel("レンタル期間").fill("3");
  await page.getByLabel("単位").selectOption("month");
  await page.getByLabel("会社名").fill("QA計測株式会社");
  await page.getByLabel("担当者名").fill("見積 花子");
  await page.getByLabel("郵便番号").fill("1050011");
  await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
  await page.getByLabel("電話番号").fill("03-1234-5678");
  await page.getByRole("button", { name: "確認画面へ" }).click();
  await page.getByRole("button", { name: "申し込む" }).click();
  const notice = page.getByText(/申込番号: Q-\d{4}-\d{6}/);
  await expect(notice).toBeVisible();
  const quote = /Q-\d{4}-\d{6}/.exec((await notice.textContent()) ?? "")?.[0] as string;

  // The company hears of it, with a link to the back office.
  const newQuote = await waitForMail(request, NOTIFY, `【新規申込】${quote} ${account.company}`);
  expect(newQuote.text).toContain(`ログインID: ${account.loginId}`);
  expect(newQuote.text).toContain("DSOX1204G デジタル・オシロスコープ 70MHz 4ch × 2");
  expect(newQuote.text).toContain(`/admin/applications/${quote}`);

  await expect(async () => {
    await page.goto("/account/history");
    const row = page.getByRole("row", { name: new RegExp(quote) });
    await expect(row.getByRole("cell", { name: "受付完了" })).toBeVisible({ timeout: 5_000 });
  }).toPass();
  await logOut(page);

  // Staff answer it: 単価 per line, 有効期限 (today), コメント.
  await signInAsStaff(page, request);
  await page.goto(`/admin/applications/${quote}`);
  await page.getByLabel("単価").nth(0).fill("12000");
  await page.getByLabel("単価").nth(1).fill("8000");
  await page.getByLabel("有効期限").fill(tokyoToday());
  await page.getByLabel("コメント").fill("送料込みの価格です");
  await page.getByRole("button", { name: "見積回答" }).click();
  await expect(page.getByText("見積を回答しました。合計 32,000円")).toBeVisible();
  await logOut(page);

  // The customer sees 回答済, the prices, the total, 有効期限 and コメント, and orders from the quote.
  await customerSignIn(page, account);
  await page.goto(`/account/history/${quote}`);
  await expect(page.getByText(/^回答済/)).toBeVisible();
  const line = page.getByRole("row", { name: /DSOX1204G/ });
  await expect(line.getByRole("cell", { name: "12,000円" })).toBeVisible();
  await expect(line.getByRole("cell", { name: "24,000円" })).toBeVisible();
  // Quoted prices are final: 小計, 消費税 (10%, on the total) and 合計, not marked 概算.
  await expect(page.getByRole("row", { name: /^小計/ }).getByRole("cell", { name: "32,000円" })).toBeVisible();
  await expect(page.getByRole("row", { name: /^消費税/ }).getByRole("cell", { name: "3,200円" })).toBeVisible();
  await expect(page.getByRole("row", { name: /^合計/ }).getByRole("cell", { name: "35,200円" })).toBeVisible();
  await expect(page.getByRole("row", { name: /^合計/ })).not.toContainText("概算");
  await expect(page.getByText("送料込みの価格です")).toBeVisible();
  await expectNoPageScrollAt320(page);
  await page.getByRole("button", { name: "この見積で注文する" }).click();

  // The order form holds the quote's lines, quantities, period and delivery.
  await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();
  await expect(page.getByText(`見積 ${quote} の商品を注文フォームに反映しました。`)).toBeVisible();
  await expect(page.getByLabel("DSOX1204G の数量")).toHaveValue("2");
  await expect(page.getByLabel("DSOX1102G の数量")).toHaveValue("1");
  await expect(page.getByLabel("レンタル期間")).toHaveValue("3");
  await expect(page.getByLabel("単位")).toHaveValue("month");
  await expect(page.getByLabel("担当者名")).toHaveValue("見積 花子");
  // The form prices the lines at the quote's 単価.
  await expect(page.getByRole("row", { name: /DSOX1204G/ })).toContainText("24,000円");
  await expect(page.getByRole("row", { name: /^合計/ })).toContainText("35,200円");
  await expectNoPageScrollAt320(page);
  await page.getByLabel("レンタル開始日").fill(tokyoToday());
  await page.getByRole("button", { name: "確認画面へ" }).click();
  await expect(page.getByText(quote, { exact: true })).toBeVisible();
  await expect(page.getByRole("row", { name: /^合計/ })).toContainText("35,200円");
  await page.getByRole("button", { name: "申し込む" }).click();
  const placed = page.getByText(/申込番号: O-\d{4}-\d{6}/);
  await expect(placed).toBeVisible();
  const order = /O-\d{4}-\d{6}/.exec((await placed.textContent()) ?? "")?.[0] as string;
  await expect(page.getByRole("heading", { name: `申込番号 ${order}` })).toBeVisible();
  await expect(page.getByRole("link", { name: quote })).toBeVisible();

  const newOrder = await waitForMail(request, NOTIFY, `【新規申込】${order} ${account.company}`);
  expect(newOrder.text).toContain("種別: 注文");
  await logOut(page);

  // Staff see which quote the order came from, with its prices.
  await signInAsStaff(page, request);
  await page.goto(`/admin/applications/${order}`);
  await expect(page.getByRole("link", { name: quote })).toBeVisible();
  await expect(page.getByRole("row", { name: /DSOX1204G/ }).getByRole("cell", { name: "12,000円" })).toBeVisible();
  await expectNoPageScrollAt320(page);
});
