import type { Browser, Page } from "@playwright/test";
import { expect, login, mailIds, type TestAccount, test, waitForMail } from "./fixtures";

async function signedIn(page: Page, account: Pick<TestAccount, "loginId" | "email" | "password">) {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
}

async function addUser(page: Page, email: string) {
  await page.getByLabel("メールアドレス", { exact: true }).fill(email);
  await page.getByRole("button", { name: "追加", exact: true }).click();
}

/** A second person: their own browser context (cookies), signed in as an added user. */
async function newPerson(browser: Browser, baseURL: string) {
  const context = await browser.newContext({ baseURL, locale: "ja-JP", timezoneId: "Asia/Tokyo" });
  return { context, page: await context.newPage() };
}

test.describe("利用者管理", () => {
  test("add a user → set-up mail → set a password → that user logs in @nojs", async ({
    page,
    account,
    request,
    browser,
    baseURL,
  }) => {
    await signedIn(page, account);
    await page.goto("/account/users");
    await expect(page.getByRole("heading", { name: "利用者追加" })).toBeVisible();
    const email = `added.${account.loginId}@example.jp`;
    await addUser(page, email);
    await expect(page.getByText(`${email} を追加し、パスワード設定依頼メールをお送りしました。`)).toBeVisible();
    const row = page.getByRole("row", { name: new RegExp(email.replace(/\./g, "\\.")) });
    await expect(row.getByRole("cell", { name: "パスワード未設定" })).toBeVisible();

    const mail = await waitForMail(request, email, "パスワード設定依頼");
    const link = /(http:\/\/\S+\/setup-password\/\S+)/.exec(mail.text)?.[1] as string;
    const other = await newPerson(browser, baseURL as string);
    await other.page.goto(link);
    await expect(other.page.getByRole("heading", { name: "パスワード設定" })).toBeVisible();
    await other.page.getByLabel("新パスワード", { exact: true }).fill("Kqmzrtw7");
    await other.page.getByLabel("新パスワード(確認用)", { exact: true }).fill("Kqmzrtw7");
    await other.page.getByRole("button", { name: "パスワードを設定" }).click();
    await expect(other.page.getByText("パスワードを設定しました。")).toBeVisible();
    await login(other.page, { loginId: account.loginId, email, password: "Kqmzrtw7" });
    await expect(other.page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
    await other.context.close();

    await page.reload();
    await expect(row.getByRole("cell", { name: "有効" })).toBeVisible();
  });

  test("the 11th address is refused with the limit message", async ({ page, account }) => {
    await signedIn(page, account);
    await page.goto("/account/users");
    for (let i = 1; i <= 9; i++) {
      await addUser(page, `u${i}.${account.loginId}@example.jp`);
      await expect(page.getByRole("heading", { name: `利用者一覧(${i + 1}/10件)` })).toBeVisible();
    }
    await addUser(page, `u10.${account.loginId}@example.jp`);
    await expect(page.getByLabel("メールアドレス", { exact: true })).toHaveAccessibleDescription(
      "利用者は1つのログインIDにつき10件まで登録できます。",
    );
    await expect(page.getByLabel("メールアドレス", { exact: true })).toHaveValue(`u10.${account.loginId}@example.jp`);
    await expect(page.getByRole("heading", { name: "利用者一覧(10/10件)" })).toBeVisible();

    await addUser(page, account.email.toUpperCase());
    await expect(page.getByLabel("メールアドレス", { exact: true })).toHaveAccessibleDescription(
      "このメールアドレスは既に登録されています。",
    );
  });

  test("deleting a signed-in user sends its browser to login at its next click, and mails it", async ({
    page,
    account,
    request,
    browser,
    baseURL,
  }) => {
    await signedIn(page, account);
    await page.goto("/account/users");
    const email = `leaving.${account.loginId}@example.jp`;
    await addUser(page, email);
    const mail = await waitForMail(request, email, "パスワード設定依頼");
    const other = await newPerson(browser, baseURL as string);
    await other.page.goto(/(http:\/\/\S+\/setup-password\/\S+)/.exec(mail.text)?.[1] as string);
    await other.page.getByLabel("新パスワード", { exact: true }).fill("Kqmzrtw7");
    await other.page.getByLabel("新パスワード(確認用)", { exact: true }).fill("Kqmzrtw7");
    await other.page.getByRole("button", { name: "パスワードを設定" }).click();
    await login(other.page, { loginId: account.loginId, email, password: "Kqmzrtw7" });
    await expect(other.page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();

    await page.reload();
    await page.getByRole("button", { name: `${email} を削除` }).click();
    await expect(page.getByRole("heading", { name: "利用者の削除" })).toBeVisible();
    await page.getByRole("button", { name: "削除する" }).click();
    await expect(page.getByText(`${email} を削除しました。`)).toBeVisible();
    await expect(page.getByRole("cell", { name: email })).toHaveCount(0);

    await other.page.getByRole("link", { name: "お客様情報" }).first().click();
    await expect(other.page).toHaveURL(/\/login/);
    await expect(other.page.getByRole("button", { name: "ログイン" })).toBeVisible();
    await other.context.close();

    const notice = await waitForMail(request, email, "利用者削除のお知らせ");
    expect(notice.text).toContain("コンタクトセンタ");
  });

  test("a user cannot delete themself", async ({ page, account }) => {
    await signedIn(page, account);
    await page.goto("/account/users");
    const self = page.getByRole("row", { name: new RegExp(account.email.replace(/\./g, "\\.")) });
    await expect(self.getByText("ログイン中")).toBeVisible();
    await expect(self.getByRole("button", { name: /削除/ })).toHaveCount(0);
  });
});

test.describe("メールアドレス変更", () => {
  test("request → link in the old mailbox → new address → link in the new mailbox → changed @nojs", async ({
    page,
    account,
    request,
  }) => {
    await signedIn(page, account);
    await page.goto("/account");
    await expect(page.getByText(`現在のメールアドレス: ${account.email}`)).toBeVisible();
    await expect(page.getByText("「利用者管理」からメールアドレスの削除→追加")).toBeVisible();
    const earlier = await mailIds(request, account.email);
    await page.getByLabel("現在のパスワード(メールアドレス変更依頼)").fill(account.password);
    await page.getByRole("button", { name: "メールアドレス変更依頼" }).click();
    await expect(page.getByText("「メールアドレス変更依頼受付」メールをお送りしました")).toBeVisible();

    const request1 = await waitForMail(request, account.email, "メールアドレス変更依頼受付", earlier);
    await page.goto(/(http:\/\/\S+\/email-change\/\S+)/.exec(request1.text)?.[1] as string);
    const newEmail = `moved.${account.loginId}@example.jp`;
    await page.getByLabel("新しいメールアドレス").fill(newEmail);
    await page.getByRole("button", { name: "確認メールを送信" }).click();
    await expect(page.getByText(`${newEmail} 宛に「メールアドレス変更確認」メールをお送りしました。`)).toBeVisible();

    const confirm = await waitForMail(request, newEmail, "メールアドレス変更確認");
    await page.goto(/(http:\/\/\S+\/email-change\/confirm\/\S+)/.exec(confirm.text)?.[1] as string);
    await page.getByRole("button", { name: "メールアドレスを変更する" }).click();
    await expect(page.getByText(`メールアドレスを ${newEmail} に変更しました。`)).toBeVisible();
    await waitForMail(request, account.email, "メールアドレス変更完了のお知らせ", earlier);

    await page.goto("/login");
    await login(page, account);
    await expect(page.getByRole("alert")).toContainText(
      "ログインID、メールアドレスまたはパスワードが正しくありません。",
    );
    await login(page, { ...account, email: newEmail });
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
  });
});
