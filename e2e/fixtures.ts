import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { type APIRequestContext, test as base, expect, type Page } from "@playwright/test";

const run = promisify(execFile);

export interface Mail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  createdAt: string;
}

export interface TestAccount {
  loginId: string;
  company: string;
  email: string;
  password: string;
}

/** Runs `npm run admin -- …` against the e2e server's database, as a QA script would. */
export async function admin(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL, PEPPER: process.env.E2E_PEPPER },
  });
  return stdout;
}

/** Opens an account the way a QA script does: through the admin CLI. */
async function createAccountWithCli(): Promise<TestAccount> {
  const suffix = randomBytes(4).toString("hex");
  const account = {
    loginId: `qa${suffix}`,
    company: `QA計測株式会社 ${suffix}`,
    email: `qa.${suffix}@example.jp`,
    password: "Start-2026a",
  };
  await run(
    process.execPath,
    [
      "--import",
      "tsx",
      "scripts/admin.ts",
      "create-account",
      "--login-id",
      account.loginId,
      "--company",
      account.company,
      "--email",
      account.email,
      "--password",
      account.password,
    ],
    { env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL, PEPPER: process.env.E2E_PEPPER } },
  );
  return account;
}

/** Reads the dev mailbox JSON like a QA suite would. */
export async function mailsTo(request: APIRequestContext, to: string): Promise<Mail[]> {
  const res = await request.get(`/dev/mailbox/messages.json?to=${encodeURIComponent(to)}`);
  expect(res.ok()).toBe(true);
  return ((await res.json()) as { messages: Mail[] }).messages;
}

/**
 * Waits for a mail with that subject to arrive (the outbox worker delivers it in the background),
 * newer than the mails already there when `since` was taken (see `mailCount`).
 */
export async function waitForMail(
  request: APIRequestContext,
  to: string,
  subject: RegExp | string,
  since: string[] = [],
): Promise<Mail> {
  let found: Mail | undefined;
  await expect
    .poll(
      async () => {
        found = (await mailsTo(request, to)).find(
          (m) =>
            !since.includes(m.id) &&
            (typeof subject === "string" ? m.subject.includes(subject) : subject.test(m.subject)),
        );
        return found !== undefined;
      },
      // Bounded by the expect timeout (playwright.config.ts): the worker may be slow, never wrong.
      { message: `mail "${subject}" to ${to}` },
    )
    .toBe(true);
  return found as Mail;
}

/** The ids of the mails an address has now, to wait for newer ones. */
export async function mailIds(request: APIRequestContext, to: string): Promise<string[]> {
  return (await mailsTo(request, to)).map((m) => m.id);
}

/**
 * Order intake holds (or, released, answers) the applications of a login ID: e2e/intake-stub.ts. A held
 * application stays 処理中 until `releaseIntake`.
 */
async function intakeControl(action: "hold" | "release", loginId: string): Promise<void> {
  const res = await fetch(`${process.env.E2E_INTAKE_URL}/${action}/${encodeURIComponent(loginId)}`, { method: "POST" });
  expect(res.status, `intake stub ${action}`).toBe(204);
}
export const holdIntake = (loginId: string) => intakeControl("hold", loginId);
export const releaseIntake = (loginId: string) => intakeControl("release", loginId);

export async function login(page: Page, account: Pick<TestAccount, "loginId" | "email" | "password">) {
  await page.getByLabel("ログインID", { exact: true }).fill(account.loginId);
  await page.getByLabel("メールアドレス", { exact: true }).fill(account.email);
  await page.getByLabel("パスワード", { exact: true }).fill(account.password);
  await page.getByRole("button", { name: "ログイン" }).click();
}

/**
 * Does the forced first-login password change over HTTP, as the browser would post the form, so a test
 * can start with a user who is free to use the site.
 */
async function completeFirstLogin(
  request: APIRequestContext,
  baseURL: string,
  account: TestAccount,
): Promise<TestAccount> {
  const headers = { Origin: baseURL };
  const login = await request.post("/login", {
    form: { loginId: account.loginId, email: account.email, password: account.password },
    headers,
    maxRedirects: 0,
  });
  expect(login.headers().location).toBe("/password/initial");
  const password = "Ready-2026x";
  const change = await request.post("/password/initial", {
    form: { newPassword: password, confirmPassword: password },
    headers,
    maxRedirects: 0,
  });
  expect(change.status()).toBe(302);
  await request.post("/logout", { headers, maxRedirects: 0 });
  // Let the mails of this set-up arrive, so a test sees only the mails it causes.
  await waitForMail(request, account.email, "パスワード変更のお知らせ");
  await waitForMail(request, account.email, "ログイン通知");
  return { ...account, password };
}

/** An operator made with `npm run admin -- create-staff`, signed in with the mailed code. */
export async function signInAsStaff(page: Page, request: APIRequestContext): Promise<{ email: string }> {
  const suffix = randomBytes(4).toString("hex");
  const staff = { email: `ops.${suffix}@example.jp`, password: "Staff-2026a" };
  const out = await admin("create-staff", "--email", staff.email, "--password", staff.password, "--role", "operator");
  expect(out).toContain(`created staff ${staff.email}`);
  await page.goto("/admin/login");
  const earlier = await mailIds(request, staff.email);
  await page.getByLabel("メールアドレス", { exact: true }).fill(staff.email);
  await page.getByLabel("パスワード", { exact: true }).fill(staff.password);
  await page.getByRole("button", { name: "ログイン" }).click();
  await expect(page).toHaveURL(/\/admin\/login\/otp/);
  const mail = await waitForMail(request, staff.email, "管理画面ワンタイムパスワード通知", earlier);
  const code = /ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1] as string;
  await page.getByLabel("ワンタイムパスワード", { exact: true }).fill(code);
  await page.getByRole("button", { name: "送信" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  return { email: staff.email };
}

/**
 * React's production errors of a failed hydration (#418 the markup differs, #423 the root re-rendered on the
 * client, #425 a text differs): the server's page and the browser's first render disagreed.
 */
const HYDRATION_ERROR = /Minified React error #(418|423|425)\b|[Hh]ydrat/;

export const test = base.extend<{ newAccount: TestAccount; account: TestAccount; hydrationChecked: undefined }>({
  /** Every test's page: a hydration that failed fails the test, even when the page went on working. */
  hydrationChecked: [
    async ({ page }, use) => {
      const failures: string[] = [];
      page.on("pageerror", (error) => {
        if (HYDRATION_ERROR.test(error.message)) failures.push(`${page.url()}: ${error.message}`);
      });
      page.on("console", (message) => {
        if (message.type() === "error" && HYDRATION_ERROR.test(message.text())) {
          failures.push(`${page.url()}: ${message.text()}`);
        }
      });
      await use(undefined);
      expect(failures, "hydration errors").toEqual([]);
    },
    { auto: true },
  ],
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  baseURL: async ({}, use) => {
    await use(process.env.E2E_BASE_URL);
  },
  /** Just opened with the admin CLI: its user must change the temporary password at first login. */
  // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
  newAccount: async ({}, use) => {
    await use(await createAccountWithCli());
  },
  /** Opened with the admin CLI, first-login change done: ready to use the site. */
  account: async ({ playwright }, use) => {
    const baseURL = process.env.E2E_BASE_URL as string;
    const request = await playwright.request.newContext({ baseURL });
    const account = await completeFirstLogin(request, baseURL, await createAccountWithCli());
    await request.dispose();
    await use(account);
  },
});

/**
 * ログアウト (the first such button: the page's own), waiting until its redirect has landed on a login page,
 * so that a navigation right after it cannot cancel the logout and leave the session alive.
 */
export async function logOut(page: Page) {
  await page.getByRole("button", { name: "ログアウト" }).first().click();
  await expect(page).toHaveURL(/\/(admin\/)?login(\?.*)?$/);
}

export { expect };
