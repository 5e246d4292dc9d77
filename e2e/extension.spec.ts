import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { admin, expect, login, signInAsStaff, type TestAccount, test, waitForMail } from "./fixtures";

/** 延長申込 (issue 14 item 2): 延長 → 延長後の返却予定日 → 確認画面へ → 申し込む; staff 延長確認 moves 返却予定日. */

async function signedIn(page: Page, account: TestAccount) {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
}

function tokyoToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
}

function addDays(ymd: string, days: number): string {
  const [y, m, d] = ymd.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

const slash = (ymd: string) => ymd.replaceAll("-", "/");

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"];

async function audit(page: Page, state: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(found, `axe violations on ${state}`).toEqual([]);
}

async function fits(page: Page, width: number) {
  await page.setViewportSize({ width, height: 900 });
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `sideways scroll at ${width}px`).toBeLessThanOrEqual(0);
}

/** Reloads the history until intake has accepted the application. */
async function expectAccepted(page: Page, number: string) {
  await expect(async () => {
    await page.goto("/account/history");
    const row = page.getByRole("row", { name: new RegExp(number) });
    await expect(row.getByRole("cell", { name: "受付完了" })).toBeVisible({ timeout: 5_000 });
  }).toPass();
}

/** An order of these products for 10 days from today, accepted and arranged (admin CLI): its number. */
async function runningRental(page: Page, models = ["DSOX1204G"]): Promise<string> {
  for (const model of models) {
    await page.goto(`/products?q=${encodeURIComponent(model)}`);
    await page.getByRole("link", { name: model, exact: true }).click();
    await page.getByRole("button", { name: "注文に追加" }).click();
    await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();
  }
  await page.getByLabel("会社名").fill("QA計測株式会社");
  await page.getByLabel("担当者名").fill("品質 花子");
  await page.getByLabel("郵便番号").fill("1050011");
  await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
  await page.getByLabel("電話番号").fill("03-1234-5678");
  await page.getByLabel("レンタル開始日").fill(tokyoToday());
  await page.getByLabel("レンタル期間").fill("10");
  await page.getByLabel("単位").selectOption("day");
  await page.getByRole("button", { name: "確認画面へ" }).click();
  await page.getByRole("button", { name: "申し込む" }).click();
  const notice = page.getByText(/申込番号: O-\d{4}-\d{6}/);
  await expect(notice).toBeVisible();
  const number = /O-\d{4}-\d{6}/.exec((await notice.textContent()) ?? "")?.[0] as string;
  await expectAccepted(page, number);
  await admin("arrange-order", "--number", number);
  return number;
}

test.describe("延長", () => {
  test("延長 → 確認画面へ → 申し込む makes E-…; staff 延長確認 moves 返却予定日; mails both ways @nojs", async ({
    page,
    account,
    browser,
    request,
  }) => {
    const js = test.info().project.use.javaScriptEnabled !== false;
    await signedIn(page, account);
    const order = await runningRental(page);
    const contractNo = order.replace(/^O-/, "R-");
    const due = addDays(tokyoToday(), 10);
    const later = addDays(due, 14);

    await page.goto("/rentals");
    await page.getByRole("link", { name: `契約番号 ${contractNo} を延長` }).click();
    await expect(page.getByRole("heading", { name: "延長", exact: true })).toBeVisible();
    await expect(page).toHaveTitle(/^延長 \| /);
    if (js) {
      await audit(page, "/rentals/…/extend");
      for (const width of [320, 1280]) await fits(page, width);
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    // Not later than the current 返却予定日: refused beside the field, what was typed kept.
    await page.getByLabel("延長後の返却予定日").fill(due);
    await page.getByLabel("備考").fill("現場の工期が延びました");
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByLabel("延長後の返却予定日")).toHaveAccessibleDescription(
      new RegExp(`現在の返却予定日\\(${slash(due)}\\)より後の日付を指定してください。`),
    );
    await expect(page.getByLabel("備考")).toHaveValue("現場の工期が延びました");
    if (js) await expect(page.getByRole("alert")).toBeFocused();

    // 延長期間 instead of the date: 14 days after the current 返却予定日.
    await page.getByLabel("延長後の返却予定日").fill("");
    await page.getByLabel("延長期間").fill("14");
    await page.getByLabel("単位").selectOption("day");
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByRole("heading", { name: "延長(確認)" })).toBeVisible();
    await expect(page.getByText(`${slash(later)}(14日間の延長)`)).toBeVisible();
    if (js) await audit(page, "延長(確認)");
    await page.getByRole("button", { name: "申し込む" }).click();
    const notice = page.getByText(/お申し込みを送信しました。申込番号: E-\d{4}-\d{6}/);
    await expect(notice).toBeVisible();
    const number = /E-\d{4}-\d{6}/.exec((await notice.textContent()) ?? "")?.[0] as string;
    await expect(page.getByText(slash(later)).first()).toBeVisible();

    // Waiting for staff: the rental says so and offers no second 延長.
    await page.goto("/rentals");
    await expect(page.getByText(/延長申込中/)).toBeVisible();
    await expect(page.getByRole("link", { name: `契約番号 ${contractNo} を延長` })).toHaveCount(0);
    const staffMail = await waitForMail(request, "orders@rental.example.jp", `【新規申込】${number}`);
    expect(staffMail.text).toContain(`延長後 ${slash(later)}`);
    await expectAccepted(page, number);

    // Staff confirm it in the back office.
    const staffContext = await browser.newContext();
    const staffPage = await staffContext.newPage();
    await signInAsStaff(staffPage, request);
    await staffPage.goto(`/admin/applications/${number}`);
    await expect(staffPage.getByText(slash(later)).first()).toBeVisible();
    await staffPage.getByRole("button", { name: "延長確認" }).click();
    await expect(staffPage.getByText(`延長を確認しました。返却予定日を${slash(later)}に変更しました。`)).toBeVisible();
    await expect(staffPage.getByRole("button", { name: "延長確認" })).toHaveCount(0);
    await staffContext.close();

    const mail = await waitForMail(request, account.email, `延長確認のお知らせ(${number})`);
    expect(mail.text).toContain(`延長後の返却予定日: ${slash(later)}`);
    await page.goto("/rentals");
    const rental = page.getByRole("region", { name: new RegExp(contractNo) });
    await expect(rental.getByText(slash(later))).toBeVisible();
    await expect(rental.getByText(/延長申込中/)).toHaveCount(0);
    await page.goto("/account/history");
    await expect(
      page.getByRole("row", { name: new RegExp(number) }).getByRole("cell", { name: "延長済" }),
    ).toBeVisible();
  });

  test("一部の商品を延長: only the line picked moves; each line shows its own 返却予定日 @nojs", async ({
    page,
    account,
    browser,
    request,
  }) => {
    const js = test.info().project.use.javaScriptEnabled !== false;
    await signedIn(page, account);
    const order = await runningRental(page, ["DSOX1204G", "87V"]);
    const contractNo = order.replace(/^O-/, "R-");
    const due = addDays(tokyoToday(), 10);
    const later = addDays(due, 7);

    await page.goto("/rentals");
    await page.getByRole("link", { name: `契約番号 ${contractNo} を延長` }).click();
    // 一部 with nothing ticked: asked for beside the lines, the choice and the date kept.
    await page.getByLabel("一部の商品を延長").check();
    await page.getByLabel("延長後の返却予定日").fill(later);
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByLabel("DSOX1204G を延長")).toHaveAccessibleDescription("延長する商品を選んでください。");
    await expect(page.getByLabel("一部の商品を延長")).toBeChecked();
    await expect(page.getByLabel("延長後の返却予定日")).toHaveValue(later);
    if (js) {
      await expect(page.getByRole("alert")).toBeFocused();
      await audit(page, "延長 with 延長する商品 missing");
      for (const width of [320, 1280]) {
        await fits(page, width);
        await page.screenshot({ path: test.info().outputPath(`extend-lines-${width}.png`), fullPage: true });
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await page.getByLabel("DSOX1204G を延長").check();
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByRole("heading", { name: "延長(確認)" })).toBeVisible();
    await expect(page.getByText("一部の商品", { exact: true })).toBeVisible();
    await expect(page.getByRole("cell", { name: "DSOX1204G" })).toBeVisible();
    await expect(page.getByRole("cell", { name: "87V" })).toHaveCount(0);
    await page.getByRole("button", { name: "申し込む" }).click();
    const notice = page.getByText(/お申し込みを送信しました。申込番号: E-\d{4}-\d{6}/);
    await expect(notice).toBeVisible();
    const number = /E-\d{4}-\d{6}/.exec((await notice.textContent()) ?? "")?.[0] as string;
    await expectAccepted(page, number);

    const staffContext = await browser.newContext();
    const staffPage = await staffContext.newPage();
    await signInAsStaff(staffPage, request);
    await staffPage.goto(`/admin/applications/${number}`);
    await expect(
      staffPage.getByRole("row", { name: /DSOX1204G/ }).getByRole("cell", { name: slash(due) }),
    ).toBeVisible();
    await expect(staffPage.getByRole("row", { name: /87V/ })).toHaveCount(0);
    await staffPage.getByRole("button", { name: "延長確認" }).click();
    await expect(staffPage.getByText(/延長を確認しました。/)).toBeVisible();
    await staffContext.close();

    const mail = await waitForMail(request, account.email, `延長確認のお知らせ(${number})`);
    expect(mail.text).toContain("延長した商品: DSOX1204G ");
    expect(mail.text).not.toContain("87V");
    await page.goto("/rentals");
    const rental = page.getByRole("region", { name: new RegExp(contractNo) });
    await expect(
      rental.getByRole("row", { name: /DSOX1204G/ }).getByRole("cell", { name: slash(later) }),
    ).toBeVisible();
    await expect(rental.getByRole("row", { name: /87V/ }).getByRole("cell", { name: slash(due) })).toBeVisible();
    // The rental's own 返却予定日 is the earliest of its lines.
    await expect(rental.getByText(/最も早い日/)).toBeVisible();
  });
});
