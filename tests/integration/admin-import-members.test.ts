import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb } from "../../db";
import { freshDatabase, type TestDatabase } from "../support/test-db";

const run = promisify(execFile);
let database: TestDatabase;
let env: NodeJS.ProcessEnv;
let dir: string;

beforeAll(async () => {
  database = await freshDatabase();
  env = { ...process.env, DATABASE_URL: database.url, PEPPER: "cli-test-pepper-0123456789abcdefghij" };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-import-"));
});
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  await database.drop();
});

async function admin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "scripts/admin.ts", ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function file(name: string, text: string): string {
  const at = path.join(dir, name);
  fs.writeFileSync(at, text);
  return at;
}

const HEADER = "ログインID,会社名,メールアドレス,ユーザ名";

describe("npm run admin -- import-members", () => {
  it("prints each bad row's line, column and reason, exits 1 and imports nothing", async () => {
    const bad = file("bad.csv", `${HEADER}\nok001,会社,a@example.jp,\nok002,会社,not-an-address,\n`);
    const r = await admin("import-members", bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("取り込めませんでした(何も登録していません)。1件の誤り:");
    expect(r.stderr).toContain("3行目 [メールアドレス]: メールアドレスの形式が正しくありません。");
    const db = createDb(database.url);
    expect(await db.selectFrom("accounts").selectAll().execute()).toEqual([]);
    await db.destroy();
  });

  it("imports with set-up mails, then the same file again adds nothing", async () => {
    const good = file(
      "members.csv",
      `${HEADER}\r\ncli001,CLI商事,c1@example.jp,一郎\r\ncli001,CLI商事,c2@example.jp,二郎\r\n`,
    );
    const first = await admin("import-members", good);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("1 accounts and 2 users added, 0 rows already registered");
    expect(first.stdout).toContain("password set-up mails to 2 users are queued");
    const again = await admin("import-members", good);
    expect(again.stdout).toContain("0 accounts and 0 users added, 2 rows already registered");
  });

  it("--temporary-passwords writes the passwords once to the result file (--out), never to the terminal", async () => {
    const good = file("temp.csv", `${HEADER}\ntmp001,仮パス工業,t@example.jp,\n`);
    const out = path.join(dir, "result.csv");
    const r = await admin("import-members", good, "--temporary-passwords", "--out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`temporary passwords for 1 users written to ${out}`);
    const lines = fs.readFileSync(out, "utf8").split("\r\n");
    expect(lines[0]).toBe("\uFEFF行,ログインID,会社名,メールアドレス,ユーザ名,仮パスワード");
    const password = lines[1]?.split(",")[5] ?? "";
    expect(password).toMatch(/^[A-Za-z2-9]{12}$/);
    expect(r.stdout + r.stderr).not.toContain(password);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    // An existing result file is never overwritten.
    const twice = await admin("import-members", good, "--temporary-passwords", "--out", out);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain("結果ファイルを作成できません");
  });
});
