import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Page } from "@playwright/test";
import { pdfText } from "../tests/support/pdf-text";
import { admin, expect, login, logOut, signInAsStaff, type TestAccount, test, waitForMail } from "./fixtures";

/**
 * Documents (SPEC §3, ADR 023): 見積書PDF on an answered quote's page, 注文請書PDF on an arranged order's, each
 * downloaded and read as a QA suite would (the PDF's text, by pdf.js); the same file attached to the status mail,
 * fetched through the dev mailbox's JSON; and the page printed as the document.
 * The e2e server runs in local mode without COMPANY_* settings: the sample address and 登録番号 T0000000000000.
 */

const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"];
const flat = (s: string) => s.replace(/\s+/g, "");

function tokyoToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
}

async function customerSignIn(page: Page, account: TestAccount) {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
}

/** DSOX1204G × 2 for 3 months, as a 見積依頼 or a 注文; returns its number once 受付完了. */
async function apply(page: Page, kind: "quote" | "order"): Promise<string> {
  await page.goto("/products?q=DSOX1204G");
  await page.getByRole("link", { name: "DSOX1204G", exact: true }).click();
  await page.getByLabel("数量").fill("2");
  await page.getByRole("button", { name: kind === "quote" ? "見積依頼に追加" : "注文に追加" }).click();
  await page.getByLabel("レンタル開始日").fill(tokyoToday());
  await page.getByLabel("レンタル期間").fill("3");
  await page.getByLabel("単位").selectOption("month");
  await page.getByLabel("会社名").fill("QA計測株式会社");
  await page.getByLabel("担当者名").fill("書類 花子");
  await page.getByLabel("郵便番号").fill("1050011");
  await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
  await page.getByLabel("電話番号").fill("03-1234-5678");
  if (kind === "order") await page.getByLabel("注文番号(PO)").fill("PO-DOC-1");
  await page.getByRole("button", { name: "確認画面へ" }).click();
  await page.getByRole("button", { name: "申し込む" }).click();
  const notice = page.getByText(/申込番号: [QO]-\d{4}-\d{6}/);
  await expect(notice).toBeVisible();
  const number = /[QO]-\d{4}-\d{6}/.exec((await notice.textContent()) ?? "")?.[0] as string;
  await expect(async () => {
    await page.goto("/account/history");
    const row = page.getByRole("row", { name: new RegExp(number) });
    await expect(row.getByRole("cell", { name: "受付完了" })).toBeVisible({ timeout: 5_000 });
  }).toPass();
  return number;
}

/** Clicks the link and reads the downloaded file: its suggested name and its text. */
async function download(page: Page, link: string) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: link }).click()]);
  const path = await file.path();
  const bytes = fs.readFileSync(path);
  return { name: file.suggestedFilename(), bytes, text: flat((await pdfText(bytes)).text) };
}

/** The status mail's attachment, as a QA suite gets it: the mailbox JSON's `attachments[].url`. */
async function attachmentOf(request: APIRequestContext, to: string, subject: string) {
  const mail = (await waitForMail(request, to, subject)) as unknown as {
    attachments: { filename: string; contentType: string; size: number; url: string }[];
  };
  expect(mail.attachments).toHaveLength(1);
  const [file] = mail.attachments;
  if (!file) throw new Error("no attachment");
  const res = await request.get(file.url);
  expect(res.ok()).toBe(true);
  const bytes = await res.body();
  expect(bytes.byteLength).toBe(file.size);
  return { ...file, text: flat((await pdfText(bytes)).text) };
}

/** The page's 合計 cell: what the document must say too. */
async function pageTotal(page: Page): Promise<string> {
  return ((await page.getByRole("row", { name: /^合計/ }).getByRole("cell").textContent()) ?? "").replace(/概算/, "");
}

test("見積書PDF of an answered quote: downloaded, read, the same as the mail's attachment; printed as the document", async ({
  page,
  request,
  account,
}) => {
  await customerSignIn(page, account);
  const quote = await apply(page, "quote");
  await page.goto(`/account/history/${quote}`);
  await expect(page.getByRole("link", { name: "見積書PDF" })).toHaveCount(0);
  await logOut(page);

  await signInAsStaff(page, request);
  await page.goto(`/admin/applications/${quote}`);
  await page.getByLabel("単価").fill("12345");
  await page.getByLabel("有効期限").fill(tokyoToday());
  await page.getByLabel("コメント").fill("送料込みの価格です");
  await page.getByRole("button", { name: "見積回答" }).click();
  await expect(page.getByText("見積を回答しました。")).toBeVisible();
  await logOut(page);

  await customerSignIn(page, account);
  await page.goto(`/account/history/${quote}`);
  await expect(page.getByRole("link", { name: "注文請書PDF" })).toHaveCount(0);
  const total = await pageTotal(page);
  expect(total).toBe("27,159円"); // 12,345 × 2 = 24,690円 + 消費税 2,469円
  const pdf = await download(page, "見積書PDF");
  expect(pdf.name).toBe(`見積書_${quote}.pdf`);
  for (const part of [
    "見積書",
    `No.${quote}`,
    `${account.company}御中`.replace(/\s+/g, ""),
    "サンプルレンタル株式会社",
    "登録番号T0000000000000",
    "DSOX1204G",
    "212,345円24,690円10%",
    "小計24,690円",
    "消費税(10%)2,469円",
    `合計${total}`,
    `有効期限${tokyoToday().replaceAll("-", "/")}`,
    "送料込みの価格です",
  ]) {
    expect(pdf.text).toContain(part);
  }

  // The mail carries the same document.
  const attached = await attachmentOf(request, account.email, `見積回答のお知らせ(${quote})`);
  expect(attached).toMatchObject({ filename: `見積書_${quote}.pdf`, contentType: "application/pdf" });
  expect(attached.text).toBe(pdf.text);

  // The page passes the audit with its links, and prints as the document: no site chrome, the issuer's block.
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)).toEqual([]);
  await page.emulateMedia({ media: "print" });
  await expect(page.getByText("登録番号 T0000000000000")).toBeVisible();
  await expect(page.getByText(`${account.company} 御中`)).toBeVisible();
  await expect(page.getByRole("navigation", { name: "サイト" })).toBeHidden();
  await expect(page.getByRole("button", { name: "この見積で注文する" })).toBeHidden();
  await expect(page.getByRole("link", { name: "見積書PDF" })).toBeHidden();
  await page.emulateMedia({ media: "screen" });
  await expect(page.getByText("登録番号 T0000000000000")).toBeHidden();
});

test("注文請書PDF of an arranged order, at 320 px too; the 手配完了のお知らせ attaches it", async ({
  page,
  request,
  account,
}) => {
  await customerSignIn(page, account);
  const order = await apply(page, "order");
  await page.goto(`/account/history/${order}`);
  await expect(page.getByRole("link", { name: "注文請書PDF" })).toHaveCount(0);
  await admin("arrange-order", "--number", order);

  await page.goto(`/account/history/${order}`);
  await expect(page.getByText(/^手配済/)).toBeVisible();
  await expect(page.getByRole("link", { name: "見積書PDF" })).toHaveCount(0);
  const total = await pageTotal(page);
  await page.setViewportSize({ width: 320, height: 800 });
  const pdf = await download(page, "注文請書PDF");
  await page.setViewportSize({ width: 1280, height: 800 });
  expect(pdf.name).toBe(`注文請書_${order}.pdf`);
  for (const part of [
    "注文請書",
    `No.${order}`,
    "下記のとおりご注文をお請けいたします。",
    `契約番号${order.replace(/^O-/, "R-")}`,
    "貴社注文番号PO-DOC-1",
    "DSOX1204G",
    `合計(概算)${total}`,
    "登録番号T0000000000000",
  ]) {
    expect(pdf.text).toContain(part);
  }
  const attached = await attachmentOf(request, account.email, `手配完了のお知らせ(${order})`);
  expect(attached.filename).toBe(`注文請書_${order}.pdf`);
  expect(attached.text).toBe(pdf.text);
});
