import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { expect, login, signInAsStaff, type TestAccount, test } from "./fixtures";

/** 商品管理 (SPEC §6): staff run the catalog, customers see each change in 商品検索. */

/** The customer's 商品検索 for `keyword`: the rows it shows. */
async function customerSearch(page: Page, keyword: string) {
  await page.goto("/products");
  await page.getByLabel("キーワード", { exact: true }).fill(keyword);
  await page.getByRole("button", { name: "検索" }).click();
  await expect(page).toHaveURL(/\/products\?/);
  return page.getByRole("row").filter({ hasText: keyword });
}

async function customerPage(browser: import("@playwright/test").Browser, account: TestAccount) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
  return { context, page };
}

test.describe("商品管理", () => {
  test("商品登録 → the customer finds it; 編集 of its price shows; 販売終了 hides it", async ({
    page,
    browser,
    request,
    account,
  }) => {
    await signInAsStaff(page, request);
    await page.getByRole("link", { name: "商品管理" }).first().click();
    await expect(page.getByRole("heading", { name: "商品管理" })).toBeVisible();
    await page.getByRole("link", { name: "商品登録" }).click();
    await expect(page.getByRole("heading", { name: "商品登録" })).toBeVisible();

    const modelNo = `E2E-${randomBytes(3).toString("hex").toUpperCase()}`;
    // A bad price first: its message beside the field, what was typed kept.
    await page.getByLabel("型番", { exact: true }).fill(modelNo);
    await page.getByLabel("メーカー", { exact: true }).fill("テスト計測");
    await page.getByLabel("商品名", { exact: true }).fill("E2E 検証用 電源装置");
    await page.getByLabel("カテゴリ", { exact: true }).fill("電源");
    await page.getByLabel("仕様", { exact: true }).fill("0-30V / 5A");
    await page.getByLabel("日額", { exact: true }).fill("千円");
    await page.getByLabel("月額", { exact: true }).fill("24000");
    await page.getByRole("button", { name: "登録" }).click();
    await expect(page.getByText("日額は0以上99,999,999以下の整数（円）で入力してください。")).toBeVisible();
    // The error summary takes the focus; its link takes the user to the field.
    await expect(page.getByRole("alert")).toBeFocused();
    await page.getByRole("link", { name: "日額の入力内容を確認する" }).click();
    await expect(page.getByLabel("日額", { exact: true })).toBeFocused();
    await expect(page.getByLabel("型番", { exact: true })).toHaveValue(modelNo);
    await page.getByLabel("日額", { exact: true }).fill("2000");
    await page.getByRole("button", { name: "登録" }).click();
    await expect(page.getByText(`商品 ${modelNo} を登録しました。`)).toBeVisible();
    const staffRow = page.getByRole("row").filter({ hasText: modelNo });
    await expect(staffRow).toContainText("2,000円");
    await expect(staffRow).toContainText("販売中");

    // The customer finds it.
    const customer = await customerPage(browser, account);
    await expect(await customerSearch(customer.page, modelNo)).toContainText("2,000円");

    // 編集: a new daily price.
    await staffRow.getByRole("link", { name: "編集" }).click();
    await expect(page.getByRole("heading", { name: "商品の編集" })).toBeVisible();
    await expect(page.getByLabel("日額", { exact: true })).toHaveValue("2000");
    await page.getByLabel("日額", { exact: true }).fill("2500");
    await page.getByRole("button", { name: "保存" }).click();
    await expect(page.getByText(`商品 ${modelNo} を保存しました。`)).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: modelNo })).toContainText("2,500円");
    await expect(await customerSearch(customer.page, modelNo)).toContainText("2,500円");

    // 販売終了, after its confirmation step.
    await page.getByRole("row").filter({ hasText: modelNo }).getByRole("button", { name: "販売終了" }).click();
    await expect(page.getByRole("heading", { name: "販売終了の確認" })).toBeFocused();
    await page.getByRole("button", { name: "販売終了する" }).click();
    await expect(page.getByText(`商品 ${modelNo} を販売終了にしました。`)).toBeVisible();
    const ended = page.getByRole("row").filter({ hasText: modelNo });
    await expect(ended).toContainText("販売終了");
    await expect(ended.getByRole("button", { name: "販売再開" })).toBeVisible();
    await expect(await customerSearch(customer.page, modelNo)).toHaveCount(0);
    await expect(customer.page.getByText("条件に合う商品は見つかりませんでした。")).toBeVisible();

    // The 状態 filter lists it under 販売終了 only.
    await page.goto("/admin/products");
    await page.getByLabel("キーワード", { exact: true }).fill(modelNo.toLowerCase());
    await page.getByLabel("状態", { exact: true }).selectOption({ label: "販売中" });
    await page.getByRole("button", { name: "検索" }).click();
    await expect(page.getByText("該当する商品はありません。")).toBeVisible();
    await page.getByLabel("状態", { exact: true }).selectOption({ label: "販売終了" });
    await page.getByRole("button", { name: "検索" }).click();
    // 販売再開: on sale again, found again.
    await page.getByRole("row").filter({ hasText: modelNo }).getByRole("button", { name: "販売再開" }).click();
    await expect(page.getByText(`商品 ${modelNo} の販売を再開しました。`)).toBeVisible();
    await expect(await customerSearch(customer.page, modelNo)).toContainText("2,500円");
    await customer.context.close();
  });

  test("CSV import: a bad row is reported with its line and nothing is imported; the fixed file is", async ({
    page,
    request,
  }) => {
    await signInAsStaff(page, request);
    await page.goto("/admin/products");
    await page.getByRole("link", { name: "CSVで一括登録・更新" }).click();
    await expect(page.getByRole("heading", { name: "商品CSV取込" })).toBeVisible();

    const suffix = randomBytes(3).toString("hex").toUpperCase();
    const header = "型番,メーカー,商品名,カテゴリ,仕様,日額,月額\r\n";
    const good = `${header}CSV-${suffix}-1,テスト計測,CSV 検証用 ロガー,データロガー,,1500,18000\r\nCSV-${suffix}-2,テスト計測,CSV 検証用 プローブ,アクセサリ,"10:1, 200MHz",300,3600\r\n`;
    const bad = good.replace(",300,3600", ",三百,3600");
    const upload = (name: string, text: string) =>
      page.getByLabel("CSVファイル", { exact: true }).setInputFiles({
        name,
        mimeType: "text/csv",
        buffer: Buffer.from(`\uFEFF${text}`),
      });

    await upload("products-bad.csv", bad);
    await page.getByRole("button", { name: "確認" }).click();
    const errorRow = page.getByRole("row").filter({ hasText: "3行目" });
    await expect(errorRow.getByRole("cell", { name: "3", exact: true })).toBeVisible();
    await expect(errorRow.getByRole("cell", { name: "日額", exact: true })).toBeVisible();
    await expect(errorRow).toContainText("日額は0以上99,999,999以下の整数（円）で入力してください。");
    await expect(page.getByText("何も取り込んでいません。")).toBeVisible();
    await expect(page.getByRole("button", { name: "取込" })).toHaveCount(0);
    await page.goto(`/admin/products?keyword=CSV-${suffix}`);
    await expect(page.getByText("該当する商品はありません。")).toBeVisible();

    await page.goto("/admin/products/import");
    await upload("products.csv", good);
    await page.getByRole("button", { name: "確認" }).click();
    await expect(page.getByText("追加する商品: 2件、更新する商品: 0件、変更なし: 0件")).toBeVisible();
    await page.getByRole("button", { name: "取込" }).click();
    await expect(page.getByText("商品CSVを取り込みました。追加: 2件、更新: 0件、変更なし: 0件")).toBeVisible();
    await page.goto(`/admin/products?keyword=csv-${suffix.toLowerCase()}`);
    await expect(page.getByRole("row").filter({ hasText: `CSV-${suffix}-1` })).toContainText("1,500円");
    await expect(page.getByRole("row").filter({ hasText: `CSV-${suffix}-2` })).toContainText("300円");
  });
});

test("商品管理's screens fit 320 px and 1280 px without scrolling the page sideways", async ({ page, request }) => {
  await signInAsStaff(page, request);
  const pageOverflow = () =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.goto("/admin/products");
  const edit = await page.getByRole("link", { name: "編集" }).first().getAttribute("href");
  const retire = `${edit?.replace(/\/edit$/, "")}/retire`;
  for (const width of [320, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    for (const path of ["/admin/products", "/admin/products/new", edit as string, retire, "/admin/products/import"]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      expect(await pageOverflow(), `${path} at ${width} px`).toBeLessThanOrEqual(0);
    }
  }
});
