import { expect, login, mailIds, test, waitForMail } from "./fixtures";

const GENERIC =
  "ログインID、メールアドレスまたはパスワードが正しくありません。続けて失敗した場合は、しばらく時間をおいてから再度お試しください。";

test.describe("first login", () => {
  test("a deep link survives the login and the forced password change @nojs", async ({ page, newAccount }) => {
    await page.goto("/account/history?kind=order");
    await expect(page).toHaveURL(/\/login\?redirectTo=/);
    await login(page, newAccount);
    await expect(page).toHaveURL(/\/password\/initial\?redirectTo=%2Faccount%2Fhistory%3Fkind%3Dorder$/);
    await page.getByLabel("新パスワード", { exact: true }).fill("Kqmzrtw7");
    await page.getByLabel("新パスワード(確認用)", { exact: true }).fill("Kqmzrtw7");
    await page.getByRole("button", { name: "パスワード変更" }).click();
    await expect(page).toHaveURL(/\/account\/history\?kind=order$/);
    await expect(page.getByText("パスワードを変更しました。")).toBeVisible();
  });

  test("forces the password change before anything else @nojs", async ({ page, newAccount, request }) => {
    await page.goto("/login");
    await login(page, newAccount);
    await expect(page).toHaveURL(/\/password\/initial$/);
    await expect(page.getByRole("heading", { name: "初回ログイン時のパスワード変更" })).toBeVisible();
    await expect(page.getByRole("heading", { name: "パスワード入力の注意事項" })).toBeVisible();

    // Nothing else is reachable meanwhile, and the page offers no links that would bounce back.
    await expect(page.getByRole("navigation", { name: "サイト" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "お客様情報" })).toHaveCount(0);
    await page.goto("/");
    await expect(page).toHaveURL(/\/password\/initial$/);
    await page.goto("/account");
    await expect(page).toHaveURL(/\/password\/initial\?redirectTo=%2Faccount$/);
    await page.goto("/password/initial");

    await page.getByLabel("新パスワード", { exact: true }).fill("Kqmzrtw7");
    await page.getByLabel("新パスワード(確認用)", { exact: true }).fill("Kqmzrtw8");
    await page.getByRole("button", { name: "パスワード変更" }).click();
    await expect(page.getByLabel("新パスワード(確認用)", { exact: true })).toHaveAccessibleDescription(
      "新パスワード(確認用)が新パスワードと一致しません。",
    );

    await page.getByLabel("新パスワード", { exact: true }).fill(newAccount.password);
    await page.getByLabel("新パスワード(確認用)", { exact: true }).fill(newAccount.password);
    await page.getByRole("button", { name: "パスワード変更" }).click();
    await expect(page.getByText("現在のパスワードと異なるパスワードを設定してください。")).toBeVisible();

    const earlier = await mailIds(request, newAccount.email);
    await page.getByLabel("新パスワード", { exact: true }).fill("Kqmzrtw7");
    await page.getByLabel("新パスワード(確認用)", { exact: true }).fill("Kqmzrtw7");
    await page.getByRole("button", { name: "パスワード変更" }).click();
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
    await expect(page.getByText("パスワードを変更しました。")).toBeVisible();
    await waitForMail(request, newAccount.email, "パスワード変更のお知らせ", earlier);

    await page.getByRole("button", { name: "ログアウト" }).click();
    await login(page, { ...newAccount, password: "Kqmzrtw7" });
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
  });
});

test.describe("multi-factor authentication", () => {
  test("turned on in お客様情報設定, then every login asks for the mailed code", async ({ page, account, request }) => {
    await page.goto("/login");
    await login(page, account);
    await page.getByRole("link", { name: "お客様情報" }).first().click();
    await expect(page.getByRole("heading", { name: "お客様情報", exact: true })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "お客様情報" }).getByText("お客様情報設定")).toBeVisible();

    await page.getByRole("radio", { name: "利用する" }).check();
    await page.getByRole("button", { name: "登録情報変更" }).click();
    await expect(page.getByText("多要素認証の設定を変更するには、現在のパスワードを入力してください。")).toBeVisible();
    await expect(page.getByRole("radio", { name: "利用する" })).toBeChecked();
    await page.getByLabel("現在のパスワード(多要素認証の設定を変更する場合)").fill(account.password);
    await page.getByRole("button", { name: "登録情報変更" }).click();
    await expect(page.getByText("登録情報を変更しました。")).toBeVisible();
    await expect(page.getByRole("radio", { name: "利用する" })).toBeChecked();
    await waitForMail(request, account.email, "多要素認証設定変更のお知らせ");

    await page.getByRole("button", { name: "ログアウト" }).click();
    const earlier = await mailIds(request, account.email);
    await login(page, account);
    await expect(page.getByRole("heading", { name: "ワンタイムパスワード認証" })).toBeVisible();
    await expect(page.getByText(/有効期限: \d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} \(日本時間\)/)).toBeVisible();
    const mail = await waitForMail(request, account.email, "ワンタイムパスワード通知", earlier);
    const code = /ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);
    // No login notice before the code is accepted.
    expect((await mailIds(request, account.email)).length).toBe(earlier.length + 1);

    await page.getByLabel("ワンタイムパスワード").fill(code === "000000" ? "111111" : "000000");
    await page.getByRole("button", { name: "送信" }).click();
    await expect(page.getByLabel("ワンタイムパスワード")).toHaveAccessibleDescription(
      "ワンタイムパスワードが正しくありません。(あと4回入力できます)",
    );
    await expect(page.getByLabel("ワンタイムパスワード")).toHaveValue("");

    await page.getByLabel("ワンタイムパスワード").fill(code);
    await page.getByRole("button", { name: "送信" }).click();
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
    await waitForMail(request, account.email, "ログイン通知", earlier);
  });

  test("the code step works without JavaScript, and a resend within a minute is refused @nojs", async ({
    page,
    account,
    request,
  }) => {
    await page.goto("/login");
    await login(page, account);
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
    await page.goto("/account");
    await page.getByRole("radio", { name: "利用する" }).check();
    await page.getByLabel("現在のパスワード(多要素認証の設定を変更する場合)").fill(account.password);
    await page.getByRole("button", { name: "登録情報変更" }).click();
    await expect(page.getByText("登録情報を変更しました。")).toBeVisible();
    await page.getByRole("button", { name: "ログアウト" }).click();

    const earlier = await mailIds(request, account.email);
    await login(page, account);
    await page.getByRole("button", { name: "ワンタイムパスワードを再送する" }).click();
    await expect(page.getByRole("alert")).toHaveText("ワンタイムパスワードの再送は、1分以上あけてから行ってください。");
    const mail = await waitForMail(request, account.email, "ワンタイムパスワード通知", earlier);
    await page.getByLabel("ワンタイムパスワード").fill(/ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1] as string);
    await page.getByRole("button", { name: "送信" }).click();
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
  });
});

test.describe("forgotten password", () => {
  test("resets the password from the mailed link @nojs", async ({ page, account, request }) => {
    await page.goto("/login");
    await page.getByRole("link", { name: "パスワードをお忘れの方はこちら" }).click();
    await expect(page.getByRole("heading", { name: "パスワード再設定" })).toBeVisible();
    const earlier = await mailIds(request, account.email);
    await page.getByLabel("ログインID", { exact: true }).fill(account.loginId);
    await page.getByLabel("メールアドレス", { exact: true }).fill(account.email);
    await page.getByRole("button", { name: "再設定メールを送信" }).click();
    const answer = "入力されたログインIDとメールアドレスが登録されている場合";
    await expect(page.getByText(answer)).toBeVisible();

    const mail = await waitForMail(request, account.email, "パスワード再設定のご案内", earlier);
    const link = /(http:\/\/\S+\/reset-password\/\S+)/.exec(mail.text)?.[1] as string;
    await page.goto(link);
    await expect(page.getByRole("heading", { name: "新しいパスワードの設定" })).toBeVisible();
    await page.getByLabel("新パスワード", { exact: true }).fill("Zxqvnm-48");
    await page.getByLabel("新パスワード(確認用)", { exact: true }).fill("Zxqvnm-48");
    await page.getByRole("button", { name: "パスワードを再設定" }).click();
    await expect(page).toHaveURL(/\/login$/);
    // A flash message in the live region, shown once: a reload does not show it again.
    const done = "パスワードを再設定しました。新しいパスワードでログインしてください。";
    await expect(page.getByRole("status")).toHaveText(done);
    await page.reload();
    await expect(page.getByRole("heading", { name: "ログイン" })).toBeVisible();
    await expect(page.getByText(done)).toHaveCount(0);
    await waitForMail(request, account.email, "パスワード変更のお知らせ", earlier);

    // The link worked once.
    await page.goto(link);
    await expect(page.getByRole("alert")).toContainText("このURLは無効か、有効期限が切れています");

    await page.goto("/login");
    await login(page, { ...account, password: "Zxqvnm-48" });
    await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
  });

  test("answers an unknown login ID exactly like a known one", async ({ page }) => {
    await page.goto("/forgot-password");
    await page.getByLabel("ログインID", { exact: true }).fill("nobody-here");
    await page.getByLabel("メールアドレス", { exact: true }).fill("nobody@example.jp");
    await page.getByRole("button", { name: "再設定メールを送信" }).click();
    await expect(page.getByText("入力されたログインIDとメールアドレスが登録されている場合")).toBeVisible();
  });
});

test.describe("lockout", () => {
  test("after 10 wrong passwords even the right one gets the generic message", async ({ page, account }) => {
    await page.goto("/login");
    const attempt = async (password: string) => {
      // The same message comes back every time: wait for each answer, not just for the text.
      const answered = page.waitForResponse((r) => r.request().method() === "POST");
      await login(page, { ...account, password });
      await answered;
      await expect(page.getByRole("alert")).toHaveText(GENERIC);
      await expect(page.getByLabel("パスワード", { exact: true })).toHaveValue("");
    };
    for (let i = 0; i < 10; i++) await attempt(`Wrong-${i}abcX`);
    await attempt(account.password);
    await expect(page).toHaveURL(/\/login$/);
  });
});
