import type { Page } from "@playwright/test";
import { admin, expect, login, mailsTo, type TestAccount, test, waitForMail } from "./fixtures";

async function signedIn(page: Page, account: TestAccount) {
  await page.goto("/login");
  await login(page, account);
  await expect(page.getByRole("heading", { name: /ようこそ/ })).toBeVisible();
}

function tokyoToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo" }).format(new Date());
}

async function makeTemplate(page: Page) {
  await page.goto("/account/templates");
  await page.getByLabel("テンプレート名").fill("本社 開発部");
  await page.getByLabel("会社名").fill("QA計測株式会社");
  await page.getByLabel("部署名").fill("開発部");
  await page.getByLabel("担当者名").fill("品質 花子");
  await page.getByLabel("郵便番号").fill("1050011");
  await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
  await page.getByLabel("建物名").fill("QAビル 3F");
  await page.getByLabel("電話番号").fill("03-1234-5678");
  await page.getByRole("button", { name: "登録" }).click();
  await expect(page.getByText("お届け先テンプレートを登録しました。")).toBeVisible();
  await expect(page.getByRole("cell", { name: "本社 開発部", exact: true })).toBeVisible();
}

/** Search → product → 注文に追加 → template → 届先情報へ反映 → 確認画面へ → 申し込む. Returns the number. */
async function placeOrder(page: Page): Promise<string> {
  await page.goto("/products");
  await page.getByLabel("キーワード").fill("DSOX");
  await page.getByRole("button", { name: "検索" }).click();
  await page.getByRole("link", { name: "DSOX1204G" }).click();
  await expect(page.getByRole("heading", { name: /オシロスコープ/ })).toBeVisible();
  await page.getByLabel("数量").fill("2");
  await page.getByRole("button", { name: "注文に追加" }).click();
  await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name: "DSOX1204G" })).toBeVisible();

  await page.getByLabel("お届け先").selectOption({ label: "本社 開発部" });
  await page.getByRole("button", { name: "届先情報へ反映" }).click();
  await expect(page.getByLabel("会社名")).toHaveValue("QA計測株式会社");
  await expect(page.getByLabel("郵便番号")).toHaveValue("105-0011");
  await expect(page.getByLabel("電話番号")).toHaveValue("03-1234-5678");

  await page.getByLabel("レンタル開始日").fill(tokyoToday());
  await page.getByLabel("レンタル期間").fill("3");
  await page.getByLabel("備考").fill("搬入は午前中希望");
  await page.getByLabel("注文番号(PO)").fill("PO-778");
  await page.getByRole("button", { name: "確認画面へ" }).click();
  await expect(page.getByRole("heading", { name: "注文(確認)" })).toBeVisible();
  await expect(page.getByText("QA計測株式会社", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "申し込む" }).click();
  const notice = page.getByText(/お申し込みを送信しました。申込番号: O-\d{4}-\d{6}/);
  await expect(notice).toBeVisible();
  return /O-\d{4}-\d{6}/.exec((await notice.textContent()) ?? "")?.[0] as string;
}

/** Reloads the history until the intake worker has accepted the order (bounded by expect.toPass in the config). */
async function expectAccepted(page: Page, number: string) {
  await expect(async () => {
    await page.goto("/account/history");
    const row = page.getByRole("row", { name: new RegExp(number) });
    await expect(row.getByRole("cell", { name: "受付完了" })).toBeVisible({ timeout: 5_000 });
  }).toPass();
}

test.describe("ordering", () => {
  test("template → order with 届先情報へ反映 → confirm → 申込履歴 shows 受付完了 @nojs", async ({ page, account }) => {
    await signedIn(page, account);
    await makeTemplate(page);
    const number = await placeOrder(page);
    await expectAccepted(page, number);
    // The columns QA selects by first, then what a company needs: who applied, what, its PO.
    await expect(page.getByRole("columnheader")).toHaveText([
      "申込日時",
      "申込番号",
      "種別",
      "申込結果",
      "確認結果",
      "申込者",
      "商品",
      "注文番号(PO)",
    ]);
    await expect(page.getByRole("row", { name: new RegExp(number) }).getByRole("cell")).toHaveText([
      /\d/,
      number,
      "注文",
      "受付完了",
      "",
      account.email, // the user has no ユーザ名: shown by email
      "DSOX1204G",
      "PO-778",
    ]);
    // The CSV download opens in Excel as UTF-8: it starts with a BOM.
    const csv = await page.request.get("/account/history.csv");
    expect(csv.headers()["content-type"]).toBe("text/csv; charset=utf-8");
    const body = await csv.body();
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(body.toString("utf8")).toContain(`"${number}","注文","受付完了","","${account.email}","DSOX1204G","PO-778"`);
    await page.getByRole("link", { name: number }).click();
    await expect(page.getByText("品質 花子")).toBeVisible();
    // The application's page: its number in the title, 申込履歴 still the current tab.
    await expect(page).toHaveTitle(new RegExp(`^申込詳細 ${number} \\| `));
    const tabs = page.getByRole("navigation", { name: "お客様情報" });
    await expect(tabs.getByRole("link", { name: "申込履歴" })).toHaveAttribute("aria-current", "page");
    await expect(tabs.getByRole("link", { name: "お客様情報設定" })).not.toHaveAttribute("aria-current", "page");
  });

  test("この内容で再注文 opens the order form with the order's products, delivery and period; it orders anew @nojs", async ({
    page,
    account,
  }) => {
    await signedIn(page, account);
    await makeTemplate(page);
    const first = await placeOrder(page);
    await page.goto(`/account/history/${first}`);
    await page.getByRole("button", { name: "この内容で再注文" }).click();
    await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();
    await expect(page.getByText(`${first} と同じ内容を注文フォームに反映しました。`)).toBeVisible();
    await expect(page.getByRole("cell", { name: "DSOX1204G" })).toBeVisible();
    await expect(page.getByLabel("DSOX1204G の数量")).toHaveValue("2");
    await expect(page.getByLabel("会社名")).toHaveValue("QA計測株式会社");
    await expect(page.getByLabel("建物名")).toHaveValue("QAビル 3F");
    await expect(page.getByLabel("レンタル期間")).toHaveValue("3");
    // The start date is chosen again; the rest goes as it was.
    await expect(page.getByLabel("レンタル開始日")).toHaveValue("");
    await page.getByLabel("レンタル開始日").fill(tokyoToday());
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByRole("heading", { name: "注文(確認)" })).toBeVisible();
    await page.getByRole("button", { name: "申し込む" }).click();
    const notice = page.getByText(/お申し込みを送信しました。申込番号: O-\d{4}-\d{6}/);
    await expect(notice).toBeVisible();
    const second = /O-\d{4}-\d{6}/.exec((await notice.textContent()) ?? "")?.[0];
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    await expectAccepted(page, second as string);
    await page.getByRole("link", { name: second as string }).click();
    await expect(page.getByText("品質 花子")).toBeVisible();
  });

  test("返却予定のお知らせ: a rental due back in 3 days is mailed to the orderer once", async ({
    page,
    account,
    request,
  }) => {
    await signedIn(page, account);
    await page.goto("/products?q=DSOX");
    await page.getByRole("link", { name: "DSOX1204G" }).click();
    await page.getByRole("button", { name: "注文に追加" }).click();
    await expect(page.getByRole("heading", { name: "注文", exact: true })).toBeVisible();
    await page.getByLabel("会社名").fill("QA計測株式会社");
    await page.getByLabel("担当者名").fill("品質 花子");
    await page.getByLabel("郵便番号").fill("1050011");
    await page.getByLabel("住所").fill("東京都港区芝公園4-2-8");
    await page.getByLabel("電話番号").fill("03-1234-5678");
    await page.getByLabel("レンタル開始日").fill(tokyoToday());
    await page.getByLabel("レンタル期間").fill("3");
    await page.getByLabel("単位").selectOption("day");
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await page.getByRole("button", { name: "申し込む" }).click();
    const notice = page.getByText(/申込番号: O-\d{4}-\d{6}/);
    await expect(notice).toBeVisible();
    const number = /O-\d{4}-\d{6}/.exec((await notice.textContent()) ?? "")?.[0] as string;
    await expectAccepted(page, number);
    await admin("arrange-order", "--number", number);

    const contractNo = number.replace(/^O-/, "R-");
    const mail = await waitForMail(request, account.email, `返却予定のお知らせ(${contractNo})`);
    expect(mail.text).toContain("あと3日");
    expect(mail.text).toContain("DSOX1204G");
    // Once: the job runs every 200 ms here; a while later there is still one.
    await page.waitForTimeout(1_000);
    const all = await mailsTo(request, account.email);
    expect(all.filter((m) => m.subject.includes("返却予定のお知らせ"))).toHaveLength(1);
  });

  test("a quote request is numbered Q-… and a resent confirmation makes no second application", async ({
    page,
    account,
  }) => {
    await signedIn(page, account);
    await makeTemplate(page);
    await page.goto("/products?q=87V");
    await page.getByRole("link", { name: "87V", exact: true }).click();
    await page.getByRole("button", { name: "見積依頼に追加" }).click();
    await expect(page.getByRole("heading", { name: "見積依頼", exact: true })).toBeVisible();
    await page.getByLabel("お届け先").selectOption({ label: "本社 開発部" });
    await page.getByRole("button", { name: "届先情報へ反映" }).click();
    await page.getByLabel("レンタル開始日").fill(tokyoToday());
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByRole("heading", { name: "見積依頼(確認)" })).toBeVisible();
    // The browser's back-and-resubmit: the same form posted twice. Two clicks race the button going
    // busy and away (whether the second one posts depends on the machine's speed), so the one post is
    // sent twice on the wire: a first copy, then the browser's own, whose answer the page shows.
    await page.route(
      (url) => url.pathname === "/quote",
      async (route) => {
        if (route.request().method() === "POST") await route.fetch({ maxRedirects: 0 });
        await route.continue();
      },
    );
    await page.getByRole("button", { name: "申し込む" }).click();
    await expect(page.getByText(/申込番号: Q-\d{4}-\d{6}/)).toBeVisible();
    await page.goto("/account/history?kind=quote");
    await expect(page.getByRole("row")).toHaveCount(2);
  });

  test("partial cancellation of a running rental, end to end", async ({ page, account }) => {
    await signedIn(page, account);
    await makeTemplate(page);
    const number = await placeOrder(page);
    await expectAccepted(page, number);
    await admin("arrange-order", "--number", number);
    await page.goto("/account/history");
    await expect(
      page.getByRole("row", { name: new RegExp(number) }).getByRole("cell", { name: "手配済" }),
    ).toBeVisible();

    await page.goto("/rentals");
    await expect(page.getByRole("heading", { name: "レンタル中の注文" })).toBeVisible();
    await page.getByRole("link", { name: /を解約$/ }).click();
    // 解約数量 applies to 一部の商品を解約 only: disabled while 全ての商品を解約 is chosen.
    await expect(page.getByRole("radio", { name: "全ての商品を解約" })).toBeChecked();
    await expect(page.getByLabel("DSOX1204G の解約数量")).toBeDisabled();
    await expect(page.getByRole("link", { name: "戻る" })).toHaveAttribute("href", "/rentals");
    await page.getByRole("radio", { name: "一部の商品を解約" }).check();
    await expect(page.getByLabel("DSOX1204G の解約数量")).toBeEnabled();
    await page.getByLabel("DSOX1204G の解約数量").fill("1");
    await page.getByLabel("返却希望日").fill(tokyoToday());
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByRole("heading", { name: "解約(確認)" })).toBeVisible();
    await page.getByRole("button", { name: "申し込む" }).click();
    await expect(page.getByText(/お申し込みを送信しました。申込番号: C-\d{4}-\d{6}/)).toBeVisible();
    await expect(
      page.getByRole("cell", { name: "解約数量" }).or(page.getByRole("columnheader", { name: "解約数量" })),
    ).toBeVisible();

    await page.goto("/rentals");
    const row = page.getByRole("row", { name: /DSOX1204G/ });
    await expect(row.getByRole("cell")).toHaveText(["DSOX1204G", /オシロスコープ/, "2", "1", "0", "1"]);

    // Asking for more than is still on rent is refused next to the field.
    await page.getByRole("link", { name: /を解約$/ }).click();
    await page.getByRole("radio", { name: "一部の商品を解約" }).check();
    await page.getByLabel("DSOX1204G の解約数量").fill("2");
    await page.getByLabel("返却希望日").fill(tokyoToday());
    await page.getByRole("button", { name: "確認画面へ" }).click();
    await expect(page.getByLabel("DSOX1204G の解約数量")).toHaveAccessibleDescription(
      "解約数量はレンタル中の数量(1)以下にしてください。",
    );
  });

  test("レンタル中の注文 shows 20 rentals a page: 次へ, then 最新へ", async ({ page, account }) => {
    test.slow();
    await signedIn(page, account);
    // 21 orders through the site's own API (as a client of /api/trpc would), accepted by intake, then
    // arranged by staff (the admin CLI) in one go.
    await page.goto("/products?q=DSOX1204G");
    const href = await page.getByRole("link", { name: "DSOX1204G" }).getAttribute("href");
    const productId = (href ?? "").split("/").pop() as string;
    const origin = new URL(page.url()).origin;
    const numbers: string[] = [];
    for (let i = 0; i < 21; i++) {
      const res = await page.request.post("/api/trpc/applications.submit", {
        headers: { Origin: origin },
        data: {
          kind: "order",
          lines: [{ productId, quantity: 1 }],
          startDate: tokyoToday(),
          periodUnit: "month",
          period: 1,
          delivery: {
            company: "QA計測株式会社",
            department: "",
            person: "山田 太郎",
            postalCode: "1050011",
            address: "東京都港区芝公園4-2-8",
            building: "",
            phone: "03-1234-5678",
          },
          notes: "",
          poNumber: "",
          idempotencyKey: `rentals-page-${account.loginId}-${i}`,
        },
      });
      expect(res.status(), await res.text()).toBe(200);
      numbers.push(((await res.json()) as { result: { data: { number: string } } }).result.data.number);
    }
    type HistoryPage = { rows: { number: string; intakeStatus: string }[]; nextCursor: string | null };
    const accepted = async () => {
      const statuses = new Map<string, string>();
      let cursor: string | null = null;
      do {
        const input: string = encodeURIComponent(JSON.stringify(cursor ? { cursor } : {}));
        const res = await page.request.get(`/api/trpc/history.list?input=${input}`);
        const data = ((await res.json()) as { result: { data: HistoryPage } }).result.data;
        for (const r of data.rows) statuses.set(r.number, r.intakeStatus);
        cursor = data.nextCursor;
      } while (cursor);
      return numbers.filter((n) => statuses.get(n) === "accepted").length;
    };
    await expect.poll(accepted, { timeout: 60_000 }).toBe(21);
    await admin("arrange-order", ...numbers.flatMap((n) => ["--number", n]));

    const rentals = page.getByRole("heading", { level: 2, name: /^契約番号/ });
    const shown = async () => (await rentals.allTextContents()).map((t) => /注文 (O-\d{4}-\d{6})/.exec(t)?.[1]);
    await page.goto("/rentals");
    await expect(page.getByText("全21件を新しい順に表示しています。")).toBeVisible();
    await expect(rentals).toHaveCount(20);
    const first = await shown();
    await expect(page.getByRole("link", { name: "最新へ" })).toHaveCount(0);
    await page.getByRole("navigation", { name: "ページ" }).getByRole("link", { name: "次へ" }).click();
    await expect(rentals).toHaveCount(1);
    const second = await shown();
    await expect(page.getByRole("link", { name: "次へ" })).toHaveCount(0);
    // Every rental once, on one page or the other.
    expect([...first, ...second].sort()).toEqual([...numbers].sort());
    await page.getByRole("link", { name: "最新へ" }).click();
    await expect(rentals).toHaveCount(20);
    await expect(page).toHaveURL(/\/rentals$/);
  });
});
