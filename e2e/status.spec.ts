import { expect, holdIntake, login, mailsTo, releaseIntake, test, waitForMail } from "./fixtures";

/**
 * Status tells the truth (#12 item 3): after 申し込む the application's page says 処理中 and turns into
 * 受付完了 by itself once order intake has accepted it, without a reload; the 申込受付 mail is sent then,
 * not before. Intake is the suite's own endpoint (e2e/intake-stub.ts), told to hold this account's
 * applications until the test releases them.
 */

function tokyoToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
}

type Marked = { statusMarker?: string };

test("after 申し込む: 処理中, then 受付完了 on the same page without a reload; 申込受付 mailed only then", async ({
  page,
  account,
  request,
}) => {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
  await holdIntake(account.loginId);

  await page.goto("/products?q=DSOX");
  await page.getByRole("link", { name: "DSOX1204G" }).click();
  await page.getByLabel("数量").fill("1");
  await page.getByRole("button", { name: "注文に追加" }).click();
  await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();
  await page.getByLabel("会社名").fill("QA計測株式会社");
  await page.getByLabel("担当者名").fill("品質 花子");
  await page.getByLabel("郵便番号").fill("1050011");
  await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
  await page.getByLabel("電話番号").fill("03-1234-5678");
  await page.getByLabel("レンタル開始日").fill(tokyoToday());
  await page.getByRole("button", { name: "確認画面へ" }).click();
  await expect(page.getByRole("heading", { name: "注文(確認)" })).toBeVisible();
  await page.getByRole("button", { name: "申し込む" }).click();

  // The page after 申し込む is the application's own: 処理中 while intake holds it.
  await expect(page).toHaveURL(/\/account\/history\/O-\d{4}-\d{6}$/);
  const number = /O-\d{4}-\d{6}/.exec(page.url())?.[0] as string;
  const status = page.getByRole("status").filter({ hasText: /処理中|受付完了|受付失敗/ });
  await expect(status).toHaveText("処理中");
  await expect(page.getByText("受付が済むと自動で表示が変わります")).toBeVisible();
  // A mark on this document: a reload or a navigation would lose it.
  await page.evaluate(() => {
    (window as Marked).statusMarker = "before intake";
  });
  expect((await mailsTo(request, account.email)).filter((m) => m.subject.includes(number))).toEqual([]);

  await releaseIntake(account.loginId);
  await expect(status).toHaveText("受付完了");
  await expect(page.getByText("受付が済むと自動で表示が変わります")).toHaveCount(0);
  expect(await page.evaluate(() => (window as Marked).statusMarker)).toBe("before intake");
  await expect(page).toHaveURL(new RegExp(`/account/history/${number}$`));

  const mail = await waitForMail(request, account.email, `お申し込み受付のお知らせ(${number})`);
  expect(mail.text).toContain("受付完了");
  expect((await mailsTo(request, account.email)).filter((m) => m.subject.includes(number))).toHaveLength(1);
});
