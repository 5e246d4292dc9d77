import AxeBuilder from "@axe-core/playwright";
import type { Page, TestInfo } from "@playwright/test";
import { admin, expect, login, logOut, signInAsStaff, type TestAccount, test } from "./fixtures";

/**
 * A phone is a first-class screen (issue 12 item 1): every screen at 320, 390 and 1280 px wide has no
 * horizontal page scroll (a wide data table may scroll inside its own box), and every pointer target is at
 * least 24 × 24 px (WCAG 2.2 2.5.8), except a link inside a sentence. Each width is saved as a full-page
 * screenshot in the test's output (and attached to the report). The new states of a phone — the opened
 * メニュー, stacked tables — also pass the axe audit.
 *
 * One test per page set, the widths inside it, to keep the suite short.
 */
const WIDTHS = [320, 390, 1280] as const;
const DESKTOP = { width: 1280, height: 720 };
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"];

/** What is wrong with the layout at the current width: sideways scroll, small targets. */
function layoutProblems(): string[] {
  const problems: string[] = [];
  const name = (el: Element) => {
    const id = el.id ? `#${el.id}` : "";
    const cls = el.classList.length ? `.${[...el.classList].join(".")}` : "";
    const text = (el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 24);
    return `${el.tagName.toLowerCase()}${id}${cls}${text ? ` "${text}"` : ""}`;
  };
  /** Inside a box that scrolls (or clips) sideways on its own: allowed to be wider than the page. */
  const inScroller = (el: Element) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === "auto" || x === "scroll" || x === "hidden") return true;
    }
    return false;
  };
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth > width) {
    const wide = [...document.body.querySelectorAll("*")]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5 && !inScroller(el))
      .slice(-3)
      .map((el) => `${name(el)} to ${Math.round(el.getBoundingClientRect().right)}px`);
    problems.push(`page scrolls sideways: ${document.documentElement.scrollWidth} > ${width} (${wide.join("; ")})`);
  }
  /** The WCAG 2.5.8 "inline" exception: a link in a sentence, sharing its block with other text. */
  const inSentence = (el: Element) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith("inline")) block = block.parentElement;
    const own = (el.textContent ?? "").trim().length;
    return !!block && (block.textContent ?? "").trim().length > own;
  };
  for (const el of document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex='-1'])",
  )) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (!r.width || !r.height || style.visibility === "hidden") continue; // not shown
    if (el.matches(".table-scroll")) continue; // a scroll region, as big as its table
    if (r.width + 0.5 >= 24 && r.height + 0.5 >= 24) continue;
    if (inSentence(el)) continue;
    problems.push(`target ${name(el)} is ${r.width.toFixed(1)} × ${r.height.toFixed(1)} px`);
  }
  return problems;
}

/** Checks the page as it is now at each width, saving a screenshot of each; back to the desktop size after. */
async function checkWidths(page: Page, testInfo: TestInfo, slug: string) {
  const found: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 800 });
    // Measuring forces the new layout: no frame to wait for (and none comes without JavaScript).
    for (const p of await page.evaluate(layoutProblems)) found.push(`${width}px: ${p}`);
    const path = testInfo.outputPath(`${slug}-${width}.png`);
    await page.screenshot({ path, fullPage: true });
    await testInfo.attach(`${slug} at ${width}px`, { path, contentType: "image/png" });
  }
  await page.setViewportSize(DESKTOP);
  expect(found, `layout problems on ${slug}`).toEqual([]);
}

async function visit(page: Page, testInfo: TestInfo, path: string, heading: string | RegExp, slug: string) {
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1, name: heading }).first()).toBeVisible();
  await checkWidths(page, testInfo, slug);
}

/** The axe audit on a phone, with the given menu opened first (its state is new on narrow screens). */
async function auditNarrow(page: Page, state: string, menu?: string) {
  await page.setViewportSize({ width: 390, height: 800 });
  if (menu) {
    const button = page.getByRole("button", { name: menu });
    await button.click();
    await expect(button).toHaveAttribute("aria-expanded", "true");
  }
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(found, `axe violations on ${state} at 390px`).toEqual([]);
  if (menu) await page.getByRole("button", { name: menu }).click();
  await page.setViewportSize(DESKTOP);
}

function tokyoToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
}

async function fillAddress(page: Page) {
  await page.getByLabel("会社名").fill("QA計測株式会社");
  await page.getByLabel("担当者名").fill("品質 花子");
  await page.getByLabel("郵便番号").fill("1050011");
  await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
  await page.getByLabel("電話番号").fill("03-1234-5678");
}

async function fillDelivery(page: Page) {
  await fillAddress(page);
  await page.getByLabel("レンタル開始日").fill(tokyoToday());
}

async function signIn(page: Page, account: TestAccount) {
  await page.setViewportSize(DESKTOP);
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
}

/** DSOX1204G in the order form, 確認画面へ, 申し込む: the application's number. */
async function order(page: Page): Promise<string> {
  await page.goto("/products?q=DSOX");
  await page.getByRole("link", { name: "DSOX1204G" }).click();
  await page.getByRole("button", { name: "注文に追加" }).click();
  await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();
  await fillDelivery(page);
  await page.getByRole("button", { name: "確認画面へ" }).click();
  await page.getByRole("button", { name: "申し込む" }).click();
  const notice = page.getByText(/申込番号: O-\d{4}-\d{6}/);
  await expect(notice).toBeVisible();
  return /O-\d{4}-\d{6}/.exec((await notice.textContent()) ?? "")?.[0] as string;
}

test.describe("every screen at 320, 390 and 1280 px", () => {
  test("before sign-in; 本文へスキップ first, and a focus ring of our own", async ({ page }, testInfo) => {
    await page.setViewportSize(DESKTOP);
    await page.goto("/login");
    await page.keyboard.press("Tab");
    const skip = page.getByRole("link", { name: "本文へスキップ" });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    expect(await skip.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe("solid");
    await page.keyboard.press("Enter");
    await expect(page.locator("main#main")).toBeFocused();
    await page.keyboard.press("Tab");
    await expect(page.getByLabel("ログインID", { exact: true })).toBeFocused();
    await visit(page, testInfo, "/login", "ログイン", "login");
    await page.getByRole("button", { name: "ログイン" }).click();
    await expect(page.getByText("ログインIDを入力してください。")).toBeVisible();
    await checkWidths(page, testInfo, "login-errors");
    await visit(page, testInfo, "/forgot-password", "パスワード再設定", "forgot-password");
    await visit(page, testInfo, "/admin/login", "スタッフログイン", "admin-login");
  });

  test("the customer's screens", async ({ page, account }, testInfo) => {
    await signIn(page, account);
    // An order accepted and arranged: a running rental, a history with a detail.
    const number = await order(page);
    await expect(async () => {
      await page.goto("/account/history");
      const row = page.getByRole("row", { name: new RegExp(number) });
      await expect(row.getByRole("cell", { name: "受付完了" })).toBeVisible({ timeout: 5_000 });
    }).toPass();
    // The home with the order still open (お手続き中のお申し込み has a row), then arranged.
    await visit(page, testInfo, "/", /ようこそ/, "home-open-application");
    await expect(page.getByRole("link", { name: number })).toBeVisible();
    await auditNarrow(page, "the home page with an open application");
    await admin("arrange-order", "--number", number);

    await visit(page, testInfo, "/", /ようこそ/, "home");
    await auditNarrow(page, "the home page with the メニュー open", "メニュー");
    await visit(page, testInfo, "/products?q=DSOX", "商品検索", "products");
    await auditNarrow(page, "the product list, stacked");
    await page.getByRole("link", { name: "DSOX1204G" }).click();
    await expect(page.getByRole("heading", { level: 1, name: /オシロスコープ/ })).toBeVisible();
    await checkWidths(page, testInfo, "product");
    await page.getByRole("button", { name: "見積依頼に追加" }).click();
    await expect(page.getByRole("heading", { name: "見積依頼", exact: true })).toBeVisible();
    await checkWidths(page, testInfo, "quote");
    await page.goto("/products?q=DSOX");
    await page.getByRole("link", { name: "DSOX1204G" }).click();
    await page.getByRole("button", { name: "注文に追加" }).click();
    await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByLabel("会社名")).toHaveAccessibleDescription(/./);
    await checkWidths(page, testInfo, "order-errors");
    await fillDelivery(page);
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByRole("heading", { name: "注文(確認)" })).toBeVisible();
    await checkWidths(page, testInfo, "order-confirm");
    await auditNarrow(page, "the order's confirmation step");

    await visit(page, testInfo, "/rentals", "レンタル中の注文", "rentals");
    await auditNarrow(page, "the rentals, stacked");
    await page.getByRole("link", { name: /を解約$/ }).click();
    await expect(page.getByRole("heading", { level: 1, name: "解約" })).toBeVisible();
    await checkWidths(page, testInfo, "rental-cancel");
    await visit(page, testInfo, "/account", "お客様情報", "account");
    await visit(page, testInfo, "/account/users", "お客様情報", "account-users");
    await visit(page, testInfo, "/account/templates", "お客様情報", "account-templates");
    await page.getByLabel("テンプレート名").fill("本社 開発部");
    await fillAddress(page);
    await page.getByRole("button", { name: "登録" }).click();
    await expect(page.getByText("お届け先テンプレートを登録しました。")).toBeVisible();
    await checkWidths(page, testInfo, "account-templates-one");
    await auditNarrow(page, "the templates, stacked");
    await visit(page, testInfo, "/account/security", "お客様情報", "account-security");
    await auditNarrow(page, "セキュリティ設定, stacked");
    await visit(page, testInfo, "/account/history", "お客様情報", "account-history");
    await page.getByRole("link", { name: number }).click();
    await expect(page.getByRole("heading", { level: 2, name: `申込番号 ${number}` })).toBeVisible();
    await checkWidths(page, testInfo, "account-history-detail");
    await auditNarrow(page, "an application's page, with この内容で再注文");
    await page.getByRole("button", { name: "この内容で再注文" }).click();
    await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();
    await expect(page.getByLabel("会社名")).toHaveValue("QA計測株式会社");
    await checkWidths(page, testInfo, "order-reordered");
    await auditNarrow(page, "the order form filled by この内容で再注文");
  });

  test("the header without JavaScript: the nav shown, no メニュー button, still no sideways scroll @nojs", async ({
    page,
    account,
  }, testInfo) => {
    await signIn(page, account);
    await visit(page, testInfo, "/products?q=DSOX", "商品検索", `products-${testInfo.project.name}`);
    if (testInfo.project.name === "chromium-no-js") {
      await page.setViewportSize({ width: 320, height: 800 });
      await expect(page.getByRole("button", { name: "メニュー" })).toHaveCount(0);
      await expect(
        page.getByRole("navigation", { name: "サイト" }).getByRole("link", { name: "注文", exact: true }),
      ).toBeVisible();
      await expect(page.getByRole("button", { name: "ログアウト" })).toBeVisible();
    }
  });

  test("the back office's screens", async ({ page, request, account }, testInfo) => {
    await signIn(page, account);
    const number = await order(page);
    await logOut(page);
    await page.setViewportSize(DESKTOP);
    await signInAsStaff(page, request);
    await checkWidths(page, testInfo, "admin");
    await auditNarrow(page, "/admin with the 管理メニュー open", "管理メニュー");
    await visit(page, testInfo, "/admin/applications", "申込一覧", "admin-applications");
    await visit(page, testInfo, `/admin/applications/${number}`, new RegExp(number), "admin-application");
    await visit(page, testInfo, "/admin/accounts", "顧客管理", "admin-accounts");
    await visit(page, testInfo, "/admin/products", "商品管理", "admin-products");
    await visit(page, testInfo, "/admin/audit", "操作ログ", "admin-audit");
  });
});
