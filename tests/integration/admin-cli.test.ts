import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../db";
import { freshDatabase, type TestDatabase } from "../support/test-db";

const run = promisify(execFile);
let database: TestDatabase;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  database = await freshDatabase();
  env = { ...process.env, DATABASE_URL: database.url, PEPPER: "cli-test-pepper-0123456789abcdefghij" };
});
afterAll(() => database.drop());

async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("npm run admin", () => {
  it("create-account opens an account whose user must change the password", async () => {
    const r = await admin(
      "create-account",
      "--login-id",
      "qa001",
      "--company",
      "QA株式会社",
      "--email",
      "qa@example.jp",
      "--password",
      "Temp-2026a",
    );
    expect(r.code).toBe(0);
    const db = createDb(env.DATABASE_URL as string);
    const user = await db.selectFrom("users").selectAll().executeTakeFirstOrThrow();
    expect(user.must_change_password).toBe(1);
    await db.destroy();
  });

  it.each([
    [
      ["--login-id", "qa002", "--company", "QA", "--email", "bad-email", "--password", "Temp-2026a"],
      /メールアドレスの形式が正しくありません/,
    ],
    [
      ["--login-id", "qa001", "--company", "QA", "--email", "qa@example.jp", "--password", "Temp-2026a"],
      /既に使われています/,
    ],
    [
      ["--login-id", "qa003", "--company", "QA", "--email", "qa@example.jp", "--password", "weak"],
      /--password: パスワードは8文字以上/,
    ],
  ])("create-account %j fails with a clear message and status 1", async (args, message) => {
    const r = await admin("create-account", ...args);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it("create-account without --password queues a set-up mail for the first user", async () => {
    const r = await admin("create-account", "--login-id", "qa005", "--company", "QA", "--email", "setup@example.jp");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("set-up mail");
    const db = createDb(env.DATABASE_URL as string);
    const mail = await db
      .selectFrom("mail_outbox")
      .innerJoin("mail_bodies", "mail_bodies.outbox_id", "mail_outbox.id")
      .select(["subject", "text"])
      .where("to_address", "=", "setup@example.jp")
      .executeTakeFirstOrThrow();
    expect(mail.subject).toContain("パスワード設定依頼");
    expect(mail.text).toMatch(/\/setup-password\/[a-z0-9]+/);
    await db.destroy();
  });

  it("create-account refuses a missing option", async () => {
    const r = await admin("create-account", "--login-id", "qa006", "--company", "QA");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--email");
  });

  it("create-staff adds a staff member, and refuses a weak password", async () => {
    expect((await admin("create-staff", "--email", "ops@example.jp", "--password", "Staff-2026a")).code).toBe(0);
    const weak = await admin("create-staff", "--email", "ops2@example.jp", "--password", "staff");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/英大文字/);
  });

  it("remove-authenticator ends a lost authenticator, its codes and the user's sessions, and tells the user", async () => {
    expect(
      (
        await admin(
          "create-account",
          "--login-id",
          "qa020",
          "--company",
          "QA",
          "--email",
          "lost@example.jp",
          "--password",
          "Temp-2026a",
        )
      ).code,
    ).toBe(0);
    const db = createDb(env.DATABASE_URL as string);
    try {
      const user = await db
        .selectFrom("users")
        .select("id")
        .where("email_normalized", "=", "lost@example.jp")
        .executeTakeFirstOrThrow();
      const now = new Date().toISOString();
      await db
        .insertInto("user_totp")
        .values({ user_id: user.id, secret_sealed: "v1:x", confirmed_at: now, last_step: 1, created_at: now })
        .execute();
      await db
        .insertInto("recovery_codes")
        .values({ id: "rc-lost", user_id: user.id, code_hash: "h", used_at: null, created_at: now })
        .execute();
      await db
        .insertInto("sessions")
        .values({
          id: "s-lost",
          user_id: user.id,
          kind: "customer",
          expires_at: "2999-01-01T00:00:00.000Z",
          absolute_expires_at: "2999-01-01T00:00:00.000Z",
          ip: null,
          user_agent: null,
          created_at: now,
        })
        .execute();

      const unknown = await admin("remove-authenticator", "--login-id", "qa020", "--email", "nobody@example.jp");
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("そのログインIDとメールアドレスの利用者はいません。");
      const r = await admin("remove-authenticator", "--login-id", "qa020", "--email", "Lost@Example.jp");
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("removed the authenticator of");
      expect(await db.selectFrom("user_totp").select("user_id").where("user_id", "=", user.id).execute()).toEqual([]);
      expect(await db.selectFrom("recovery_codes").select("id").where("user_id", "=", user.id).execute()).toEqual([]);
      expect(await db.selectFrom("sessions").select("id").where("user_id", "=", user.id).execute()).toEqual([]);
      const mail = await db
        .selectFrom("mail_outbox")
        .select("subject")
        .where("to_address", "=", "lost@example.jp")
        .where("template", "=", "authenticator-changed")
        .execute();
      expect(mail).toHaveLength(1);
      const again = await admin("remove-authenticator", "--login-id", "qa020", "--email", "lost@example.jp");
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("認証アプリは登録されていません。");
    } finally {
      await db.destroy();
    }
  });

  it("an unknown command prints the usage and fails", async () => {
    const r = await admin("drop-everything");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("使い方");
  });
});
