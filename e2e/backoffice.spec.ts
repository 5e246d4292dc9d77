import type { Page } from "@playwright/test";
import { expect, login, logOut, signInAsStaff, type TestAccount, test, waitForMail } from "./fixtures";

/** 申込一覧 of the back office (SPEC §6): a customer's order, arranged by staff, seen by the customer. */

function tokyoToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
}

async function customerSignIn(page: Page, account: TestAccount) {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
}

/** Signs in, puts DSOX1204G × `quantity` in the order (or quote) form, fills the delivery and sends it: the number. */
async function apply(page: Page, account: TestAccount, kind: "order" | "quote", quantity = 1): Promise<string> {
  await customerSignIn(page, account);
  await page.goto("/products?q=DSOX");
  await page.getByRole("link", { name: "DSOX1204G" }).click();
  await page.getByLabel("数量").fill(String(quantity));
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
  await logOut(page);
  return number;
}

/** On 申込履歴: the application's 確認結果 cell shows `label`. */
async function expectConfirmation(page: Page, number: string, label: string) {
  await page.goto("/account/history");
  await expect(
    page.getByRole("row", { name: new RegExp(number) }).getByRole("cell", { name: label, exact: true }),
  ).toBeVisible();
}

/** Staff open a cancellation and click 返却確認: the flash says `done`, and the button is gone. */
async function confirmReturn(page: Page, number: string, done: string) {
  await page.goto(`/admin/applications/${number}`);
  await expect(page.getByRole("heading", { name: `申込 ${number}` })).toBeVisible();
  await page.getByRole("button", { name: "返却確認" }).click();
  await expect(page.getByText(done, { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "返却確認" })).toHaveCount(0);
  await logOut(page);
}

function rentalHeading(page: Page, order: string) {
  return page.getByRole("heading", { name: new RegExp(`注文 ${order}`) });
}

function rentalRow(page: Page) {
  return page.getByRole("row", { name: /DSOX1204G/ }).getByRole("cell");
}

/** On レンタル中の注文: 解約 of the order's rental, all or `quantity` of DSOX1204G; waits for 受付完了: the number. */
async function cancelOnRentals(
  page: Page,
  order: string,
  what: { mode: "all" } | { mode: "partial"; quantity: number },
): Promise<string> {
  await page.goto("/rentals");
  await page.getByRole("link", { name: /を解約$/ }).click();
  if (what.mode === "partial") {
    await page.getByRole("radio", { name: "一部の商品を解約" }).check();
    await page.getByLabel("DSOX1204G の解約数量").fill(String(what.quantity));
  } else {
    await page.getByRole("radio", { name: "全ての商品を解約" }).check();
  }
  await page.getByLabel("返却希望日").fill(tokyoToday());
  await page.getByRole("button", { name: "確認画面へ" }).click();
  await expect(page.getByRole("heading", { name: "解約(確認)" })).toBeVisible();
  await page.getByRole("button", { name: "申し込む" }).click();
  const notice = page.getByText(/申込番号: C-\d{4}-\d{6}/);
  await expect(notice).toBeVisible();
  const number = /C-\d{4}-\d{6}/.exec((await notice.textContent()) ?? "")?.[0] as string;
  await expect(async () => {
    await page.goto("/account/history");
    const row = page.getByRole("row", { name: new RegExp(number) });
    await expect(row.getByRole("cell", { name: "受付完了" })).toBeVisible({ timeout: 5_000 });
  }).toPass();
  await page.goto("/rentals");
  await expect(rentalHeading(page, order)).toBeVisible();
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
    await logOut(page);

    await customerSignIn(page, account);
    await expectConfirmation(page, number, "手配済");
    await page.goto("/rentals");
    await expect(page.getByRole("heading", { name: new RegExp(`注文 ${number}`) })).toBeVisible();
  });

  test("the whole cycle: order → 手配済 → part cancelled → 返却確認 → what is left → the rest → the rental ends", async ({
    page,
    request,
    account,
  }) => {
    const order = await apply(page, account, "order", 3);

    await signInAsStaff(page, request);
    await page.goto(`/admin/applications/${order}`);
    await page.getByRole("button", { name: "手配済にする" }).click();
    await expect(page.getByText(/手配済にしました。契約番号: /)).toBeVisible();
    await logOut(page);

    // The customer sees 手配済 and the rental, and cancels part of it.
    await customerSignIn(page, account);
    await expectConfirmation(page, order, "手配済");
    const first = await cancelOnRentals(page, order, { mode: "partial", quantity: 1 });
    await expect(rentalRow(page)).toHaveText(["DSOX1204G", /オシロスコープ/, "3", "1", "0", "2"]);
    await logOut(page);

    // Staff find it under 未処理の解約 and confirm the return.
    await signInAsStaff(page, request);
    await page.getByRole("link", { name: /未処理の解約/ }).click();
    await expect(page.getByRole("row", { name: new RegExp(first) }).getByRole("link", { name: first })).toBeVisible();
    await confirmReturn(page, first, "返却を確認しました。");

    // The customer: 返却済 (and a mail saying what came back), and the rental shows what is left.
    const returned = await waitForMail(request, account.email, `返却確認のお知らせ(${first})`);
    expect(returned.text).toContain("1. DSOX1204G");
    expect(returned.text).toContain("レンタル: 継続中です");
    await customerSignIn(page, account);
    await expectConfirmation(page, first, "返却済");
    await page.goto("/rentals");
    await expect(rentalHeading(page, order)).toBeVisible();
    await expect(rentalRow(page)).toHaveText(["DSOX1204G", /オシロスコープ/, "3", "1", "1", "2"]);

    // The rest: all cancelled, returned, and the rental ends.
    const rest = await cancelOnRentals(page, order, { mode: "all" });
    await expect(rentalRow(page)).toHaveText(["DSOX1204G", /オシロスコープ/, "3", "3", "1", "0"]);
    await logOut(page);
    await signInAsStaff(page, request);
    await confirmReturn(page, rest, "返却を確認しました。レンタルは終了しました。");
    const ended = await waitForMail(request, account.email, `返却確認のお知らせ(${rest})`);
    expect(ended.text).toContain("レンタル: 終了しました");

    await customerSignIn(page, account);
    await expectConfirmation(page, rest, "返却済");
    await page.goto("/rentals");
    await expect(page.getByRole("heading", { name: "レンタル中の注文" })).toBeVisible();
    await expect(rentalHeading(page, order)).toHaveCount(0);
    await expect(page.getByText("レンタル中の注文はありません。")).toBeVisible();
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
    await page.getByLabel("コメント").fill("ご検討ください。\n納期は別途ご連絡します。");
    await page.getByRole("button", { name: "見積回答" }).click();
    await expect(page.getByText(/見積を回答しました。/)).toBeVisible();
    await logOut(page);

    await customerSignIn(page, account);
    await expectConfirmation(page, number, "回答済");
  });
});
