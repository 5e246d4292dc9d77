import { randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { admin, expect, logOut, mailIds, test, waitForMail } from "./fixtures";

/** スタッフログイン (SPEC §6): /admin/login, then always the mailed code at /admin/login/otp. */

interface Staff {
  email: string;
  password: string;
  name: string;
  role: "admin" | "operator";
}

/** A staff member made as the first admin is: `npm run admin -- create-staff`. */
async function createStaff(role: Staff["role"]): Promise<Staff> {
  const suffix = randomBytes(4).toString("hex");
  const staff = { email: `staff.${suffix}@example.jp`, password: "Staff-2026a", name: `スタッフ ${suffix}`, role };
  const out = await admin(
    "create-staff",
    "--email",
    staff.email,
    "--password",
    staff.password,
    "--name",
    staff.name,
    "--role",
    role,
  );
  expect(out).toContain(`created staff ${staff.email}`);
  return staff;
}

async function signIn(page: Page, request: Parameters<typeof mailIds>[0], staff: Staff) {
  // On the sign-in page (after a ログアウト, once its redirect has landed), not on the page before it.
  await expect(page.getByRole("heading", { name: "スタッフログイン" })).toBeVisible();
  const earlier = await mailIds(request, staff.email);
  await page.getByLabel("メールアドレス", { exact: true }).fill(staff.email);
  await page.getByLabel("パスワード", { exact: true }).fill(staff.password);
  await page.getByRole("button", { name: "ログイン" }).click();
  await expect(page).toHaveURL(/\/admin\/login\/otp/);
  const mail = await waitForMail(request, staff.email, "管理画面ワンタイムパスワード通知", earlier);
  const code = /ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1] as string;
  expect(code).toMatch(/^\d{6}$/);
  await page.getByLabel("ワンタイムパスワード", { exact: true }).fill(code);
  await page.getByRole("button", { name: "送信" }).click();
  await expect(page).toHaveURL(/\/admin$/);
}

test.describe("staff sign-in", () => {
  test("an admin signs in with the mailed code, reaches /admin and logs out @nojs", async ({ page, request }) => {
    const staff = await createStaff("admin");
    await page.goto("/admin");
    await expect(page).toHaveURL(/\/admin\/login$/);
    await expect(page.getByRole("heading", { name: "スタッフログイン" })).toBeVisible();

    await signIn(page, request, staff);
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByRole("heading", { name: "管理画面" })).toBeVisible();
    await expect(page.getByText(staff.email)).toBeVisible();
    await expect(page.getByText("管理者", { exact: true })).toBeVisible();
    await expect(page.getByRole("link", { name: "スタッフ管理" }).first()).toBeVisible();
    // Staff are no customers: the customer pages still ask for a customer login.
    await page.goto("/account");
    await expect(page).toHaveURL(/\/login\?redirectTo=%2Faccount$/);

    await page.goto("/admin");
    await logOut(page);
    await expect(page).toHaveURL(/\/admin\/login$/);
    await page.goto("/admin/staff");
    await expect(page).toHaveURL(/\/admin\/login\?redirectTo=%2Fadmin%2Fstaff$/);
  });

  test("a wrong password and an unknown address get the same answer, and no code", async ({ page, request }) => {
    const staff = await createStaff("operator");
    const generic = "メールアドレスまたはパスワードが正しくありません。";
    for (const attempt of [
      { email: staff.email, password: "Wrong-2026a" },
      { email: `x${staff.email}`, password: staff.password },
    ]) {
      await page.goto("/admin/login");
      await page.getByLabel("メールアドレス", { exact: true }).fill(attempt.email);
      await page.getByLabel("パスワード", { exact: true }).fill(attempt.password);
      await page.getByRole("button", { name: "ログイン" }).click();
      await expect(page.getByRole("alert").filter({ hasText: generic })).toBeVisible();
      await expect(page).toHaveURL(/\/admin\/login$/);
    }
    expect(await mailIds(request, staff.email)).toEqual([]);
  });

  test("an operator is refused /admin/staff; an admin adds a staff member there", async ({ page, request }) => {
    const operator = await createStaff("operator");
    await page.goto("/admin/login");
    await signIn(page, request, operator);
    await expect(page.getByText("オペレーター", { exact: true })).toBeVisible();
    await expect(page.getByRole("link", { name: "スタッフ管理" })).toHaveCount(0);
    const refused = await page.goto("/admin/staff");
    expect(refused?.status()).toBe(403);
    await expect(page.getByText("この画面は管理者のみ利用できます。")).toBeVisible();
    await logOut(page);

    const boss = await createStaff("admin");
    await signIn(page, request, boss);
    await page.getByRole("link", { name: "スタッフ管理" }).first().click();
    await expect(page.getByRole("heading", { name: "スタッフ管理" })).toBeVisible();
    const newcomer = `new.${randomBytes(4).toString("hex")}@example.jp`;
    await page.getByLabel("メールアドレス", { exact: true }).fill(newcomer);
    await page.getByLabel("氏名", { exact: true }).fill("新人 三郎");
    await page.getByLabel("役割", { exact: true }).selectOption("operator");
    await page.getByLabel("初期パスワード", { exact: true }).fill("Staff-2026c");
    await page.getByRole("button", { name: "追加" }).click();
    await expect(page.getByText(`スタッフ ${newcomer} を追加しました。`)).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: newcomer })).toContainText("オペレーター");
  });

  test("an admin sets a new password for a staff member who lost theirs; they change it themselves", async ({
    page,
    request,
  }) => {
    const operator = await createStaff("operator");
    const boss = await createStaff("admin");
    await page.goto("/admin/login");
    await signIn(page, request, boss);
    await page.goto("/admin/staff");
    await page.getByRole("link", { name: `${operator.email} のパスワード再設定` }).click();
    await expect(page.getByRole("heading", { name: "パスワード再設定" })).toBeVisible();
    await page.getByLabel("新パスワード", { exact: true }).fill("Staff-2026r");
    await page.getByLabel("新パスワード(確認用)", { exact: true }).fill("Staff-2026x");
    await page.getByRole("button", { name: "再設定" }).click();
    // Refused next to its field, nothing changed.
    await expect(page.getByText("新パスワードと新パスワード(確認用)が一致しません。")).toBeVisible();
    await page.getByLabel("新パスワード", { exact: true }).fill("Staff-2026r");
    await page.getByLabel("新パスワード(確認用)", { exact: true }).fill("Staff-2026r");
    await page.getByRole("button", { name: "再設定" }).click();
    await expect(page.getByText("パスワードを再設定しました。")).toBeVisible();
    await logOut(page);

    await signIn(page, request, { ...operator, password: "Staff-2026r" });
    await expect(page).toHaveURL(/\/admin$/);
    await page.getByRole("link", { name: "パスワード変更" }).click();
    await page.getByLabel("現パスワード", { exact: true }).fill("Staff-2026r");
    await page.getByLabel("新パスワード", { exact: true }).fill("Staff-2026m");
    await page.getByLabel("新パスワード(確認用)", { exact: true }).fill("Staff-2026m");
    await page.getByRole("button", { name: "パスワード変更" }).click();
    await expect(page.getByText("パスワードを変更しました。")).toBeVisible();
    await logOut(page);
    await signIn(page, request, { ...operator, password: "Staff-2026m" });
    await expect(page).toHaveURL(/\/admin$/);
  });
});
