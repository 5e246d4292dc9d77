import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, login, signInAsStaff, test, waitForMail } from "./fixtures";

/** 顧客管理 and 会員データ移行 (SPEC §6): a staff member opens, suspends and resumes accounts, and imports members. */

const GENERIC_LOGIN_FAILURE =
  "ログインID、メールアドレスまたはパスワードが正しくありません。続けて失敗した場合は、しばらく時間をおいてから再度お試しください。";

/** Follows a パスワード設定依頼 mail's link in `page` and sets `password`. */
async function setPasswordFromMail(page: Page, request: APIRequestContext, email: string, password: string) {
  const mail = await waitForMail(request, email, "パスワード設定依頼");
  const path = /(\/setup-password\/\S+)/.exec(mail.text)?.[1] as string;
  expect(path).toBeTruthy();
  await page.goto(path);
  await expect(page.getByRole("heading", { name: "パスワード設定" })).toBeVisible();
  await page.getByLabel("新パスワード", { exact: true }).fill(password);
  await page.getByLabel("新パスワード(確認用)", { exact: true }).fill(password);
  await page.getByRole("button", { name: "パスワードを設定" }).click();
  await expect(page.getByText("パスワードを設定しました。")).toBeVisible();
}

test.describe("顧客管理", () => {
  test("顧客登録 without a password mails the set-up link; 利用停止 refuses the login; 利用再開", async ({
    page,
    browser,
    request,
  }) => {
    await signInAsStaff(page, request);
    await page.getByRole("link", { name: "顧客管理" }).first().click();
    await expect(page.getByRole("heading", { name: "顧客管理" })).toBeVisible();

    const suffix = randomBytes(4).toString("hex");
    const customer = {
      loginId: `bo${suffix}`,
      company: `窓口登録株式会社 ${suffix}`,
      email: `bo.${suffix}@example.jp`,
    };
    await page.getByLabel("ログインID", { exact: true }).fill(customer.loginId);
    await page.getByLabel("会社名", { exact: true }).fill(customer.company);
    await page.getByLabel("メールアドレス", { exact: true }).fill(customer.email);
    await page.getByRole("button", { name: "登録" }).click();
    await expect(
      page.getByText(`顧客 ${customer.loginId} を登録し、パスワード設定依頼メールを送信しました。`),
    ).toBeVisible();
    const userRow = page.getByRole("row").filter({ hasText: customer.email });
    await expect(userRow.getByRole("cell", { name: "設定待ち" })).toBeVisible();
    const accountUrl = page.url();

    // 検索 finds it by its login ID.
    await page.goto("/admin/accounts");
    await page.getByLabel("キーワード", { exact: true }).fill(customer.loginId);
    await page.getByRole("button", { name: "検索" }).click();
    const listRow = page.getByRole("row").filter({ hasText: customer.loginId });
    await expect(listRow).toContainText(customer.company);
    await expect(listRow).toContainText("利用中");

    // The customer sets the password from the mail and logs in.
    const context = await browser.newContext();
    const customerPage = await context.newPage();
    const password = "Kqmzrtw7-26";
    await setPasswordFromMail(customerPage, request, customer.email, password);
    const credentials = { loginId: customer.loginId, email: customer.email, password };
    await customerPage.goto("/login");
    await login(customerPage, credentials);
    await expect(customerPage.getByRole("heading", { name: /ようこそ/ })).toBeVisible();

    // 利用停止: the session ends and the login gets the generic answer.
    await page.goto(accountUrl);
    // A confirmation step first, focused on its heading; キャンセル changes nothing.
    await page.getByRole("button", { name: "利用停止", exact: true }).click();
    await expect(page.getByRole("heading", { name: "利用停止の確認" })).toBeFocused();
    await page.getByRole("link", { name: "キャンセル" }).click();
    await expect(page.getByRole("heading", { name: "利用停止の確認" })).toHaveCount(0);
    await customerPage.goto("/account");
    await expect(customerPage).toHaveURL(/\/account$/);
    await page.getByRole("button", { name: "利用停止", exact: true }).click();
    await expect(page.getByRole("heading", { name: "利用停止の確認" })).toBeFocused();
    await page.getByRole("button", { name: "利用停止する" }).click();
    await expect(page.getByText("顧客を利用停止にしました。")).toBeVisible();
    await expect(page.getByRole("button", { name: "利用再開" })).toBeVisible();
    await customerPage.goto("/account");
    await expect(customerPage).toHaveURL(/\/login/);
    await login(customerPage, credentials);
    await expect(customerPage.getByRole("alert").filter({ hasText: GENERIC_LOGIN_FAILURE })).toBeVisible();

    // 利用再開: the same password works again.
    await page.getByRole("button", { name: "利用再開" }).click();
    await expect(page.getByText("顧客を利用再開しました。")).toBeVisible();
    await customerPage.goto("/login");
    await login(customerPage, credentials);
    await expect(customerPage.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
    await page.reload();
    await expect(userRow.getByRole("cell", { name: "有効" })).toBeVisible();
    await context.close();
  });
});

test.describe("会員データ移行", () => {
  test("a file with a bad row imports nothing; the fixed file is 確認ed and 取込ed; its users set a password", async ({
    page,
    browser,
    request,
  }) => {
    await signInAsStaff(page, request);
    await page.goto("/admin/import");
    await expect(page.getByRole("heading", { name: "会員データ移行" })).toBeVisible();

    const suffix = randomBytes(4).toString("hex");
    const loginId = `mig${suffix}`;
    const first = `one.${suffix}@example.jp`;
    const header = "ログインID,会社名,メールアドレス,ユーザ名\r\n";
    const good = `${header}${loginId},移行商事 ${suffix},${first},移行 一郎\r\n${loginId},移行商事 ${suffix},two.${suffix}@example.jp,移行 二郎\r\n`;
    const bad = `${good}${loginId}x,別会社 ${suffix},not-an-address,三郎\r\n`;
    const upload = (name: string, text: string) =>
      page.getByLabel("CSVファイル", { exact: true }).setInputFiles({
        name,
        mimeType: "text/csv",
        buffer: Buffer.from(`\uFEFF${text}`),
      });

    await upload("members-bad.csv", bad);
    await page.getByRole("button", { name: "確認" }).click();
    const errorRow = page.getByRole("row").filter({ hasText: "メールアドレス" }).filter({ hasText: "4" });
    await expect(errorRow).toBeVisible();
    await expect(page.getByText("何も取り込んでいません。")).toBeVisible();
    await expect(page.getByRole("button", { name: "取込" })).toHaveCount(0);
    await page.goto(`/admin/accounts?keyword=${loginId}`);
    await expect(page.getByText("該当する顧客はありません。")).toBeVisible();

    await page.goto("/admin/import");
    await upload("members.csv", good);
    await page.getByRole("button", { name: "確認" }).click();
    await expect(page.getByText("追加する顧客: 1件、追加する利用者: 2件、変更なし: 0件")).toBeVisible();
    await page.getByRole("button", { name: "取込" }).click();
    await expect(page.getByText("追加した顧客: 1件、追加した利用者: 2件、変更なし: 0件")).toBeVisible();

    // Set-up mail: the imported user must set a password before the first login.
    const context = await browser.newContext();
    const member = await context.newPage();
    const password = "Kqmzrtw7-26";
    await setPasswordFromMail(member, request, first, password);
    await member.goto("/login");
    await login(member, { loginId, email: first, password });
    await expect(member.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
    await context.close();
  });
});

test.describe("会員データ移行 with 初期パスワードを発行する", () => {
  test("the result CSV is downloaded once; an imported user signs in with it and must change it @nojs", async ({
    page,
    browser,
    request,
  }) => {
    await signInAsStaff(page, request);
    await page.goto("/admin/import");
    const suffix = randomBytes(4).toString("hex");
    const loginId = `tmp${suffix}`;
    const email = `tmp.${suffix}@example.jp`;
    const csv = `ログインID,会社名,メールアドレス,ユーザ名\r\n${loginId},仮発行商事 ${suffix},${email},仮 花子\r\n`;
    await page
      .getByLabel("CSVファイル", { exact: true })
      .setInputFiles({ name: "members.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await page.getByRole("button", { name: "確認" }).click();
    await expect(page.getByText("追加する顧客: 1件、追加する利用者: 1件、変更なし: 0件")).toBeVisible();
    await expect(page.getByLabel("初期パスワードを発行する")).not.toBeChecked();
    await page.getByLabel("初期パスワードを発行する").check();
    await page.getByRole("button", { name: "取込" }).click();
    await expect(page.getByText("追加した顧客: 1件、追加した利用者: 1件、変更なし: 0件")).toBeVisible();

    const downloading = page.waitForEvent("download");
    await page.getByRole("link", { name: "初期パスワード一覧をダウンロード(CSV)" }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toMatch(/^member-import-passwords-\d{14}\.csv$/);
    const file = readFileSync(await download.path(), "utf8");
    const [header, row] = file
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(header).toBe("行,ログインID,会社名,メールアドレス,ユーザ名,仮パスワード");
    const fields = (row ?? "").split(",");
    expect(fields.slice(0, 5)).toEqual(["2", loginId, `仮発行商事 ${suffix}`, email, "仮 花子"]);
    const password = fields[5] ?? "";
    expect(password).not.toBe("");
    // Shown once: the page does not show the passwords, and reloading it does not bring the file back.
    await expect(page.getByText(password)).toHaveCount(0);
    await page.goto("/admin/import");
    await expect(page.getByRole("link", { name: "初期パスワード一覧をダウンロード(CSV)" })).toHaveCount(0);

    const context = await browser.newContext();
    const member = await context.newPage();
    await member.goto("/login");
    await login(member, { loginId, email, password });
    await expect(member).toHaveURL(/\/password\/initial$/);
    await expect(member.getByRole("heading", { name: "初回ログイン時のパスワード変更" })).toBeVisible();
    // Nothing else meanwhile: the page asked for waits until after the change.
    await member.goto("/account");
    await expect(member).toHaveURL(/\/password\/initial\?redirectTo=%2Faccount$/);
    await context.close();
  });
});
