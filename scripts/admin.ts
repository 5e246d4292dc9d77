// npm run admin -- <command> [options]: operator commands (SPEC §9).
import { parseArgs } from "node:util";
import { DomainError } from "../server/services/errors";
import { createAccount, createStaff } from "../server/services/identity/accounts";
import { arrangeOrder } from "../server/services/ordering/rentals";
import { cliRuntime } from "./cli-runtime";

const USAGE = `使い方 (usage):
  npm run admin -- create-account --login-id ID --company NAME --email EMAIL [--password TEMP] [--name USER_NAME]
      お客様アカウントと最初の利用者を作成します。--password を指定すると仮パスワードとなり、初回ログイン時に
      変更が必要です。指定しない場合は、利用者にパスワード設定依頼メールを送信します。
  npm run admin -- create-staff --email EMAIL --password PW [--name NAME] [--role admin|operator]
      コンタクトセンタのスタッフを追加します。
  npm run admin -- arrange-order --number O-YYYY-NNNNNN
      受付完了の注文を手配済にし、レンタル中の注文を作成します(バックオフィスの「手配済」と同じ操作)。`;

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

const [command, ...rest] = process.argv.slice(2);
if (!command || command === "help" || command === "--help") {
  console.log(USAGE);
  process.exit(command ? 0 : 1);
}

let values: Record<string, string | undefined>;
try {
  values = parseArgs({
    args: rest,
    options: {
      "login-id": { type: "string" },
      company: { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
      number: { type: "string" },
    },
    strict: true,
  }).values as Record<string, string | undefined>;
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`);
}

function required(...names: string[]) {
  const missing = names.filter((n) => !values[n]);
  if (missing.length) fail(`必須のオプションがありません: ${missing.map((n) => `--${n}`).join(", ")}\n\n${USAGE}`);
}

function report(error: unknown): never {
  if (error instanceof DomainError) {
    const details = Object.entries(error.fieldErrors).flatMap(([field, messages]) =>
      messages.map((m) => `  --${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${m}`),
    );
    fail([`エラー: ${error.message}`, ...details].join("\n"));
  }
  throw error;
}

if (command === "create-account") {
  required("login-id", "company", "email");
  const { db, deps } = await cliRuntime();
  try {
    const { accountId } = await createAccount(deps, {
      loginId: values["login-id"] as string,
      companyName: values.company as string,
      email: values.email as string,
      userName: values.name,
      temporaryPassword: values.password,
    });
    console.log(
      values.password
        ? `created account ${values["login-id"]} (${accountId}); first user ${values.email} must change the password at first login`
        : `created account ${values["login-id"]} (${accountId}); a password set-up mail to ${values.email} is queued (sent by the running server)`,
    );
  } catch (error) {
    report(error);
  } finally {
    await db.destroy();
  }
} else if (command === "create-staff") {
  required("email", "password");
  if (values.role && values.role !== "admin" && values.role !== "operator") fail("--role は admin か operator です。");
  const { db, deps } = await cliRuntime();
  try {
    const { staffId } = await createStaff(deps, {
      email: values.email as string,
      password: values.password as string,
      name: values.name,
      role: values.role as "admin" | "operator" | undefined,
    });
    console.log(`created staff ${values.email} (${staffId})`);
  } catch (error) {
    report(error);
  } finally {
    await db.destroy();
  }
} else if (command === "arrange-order") {
  required("number");
  const { db, deps } = await cliRuntime();
  try {
    const { contractNo } = await arrangeOrder(deps, values.number as string, { type: "system" });
    console.log(`arranged ${values.number}: rental ${contractNo}`);
  } catch (error) {
    report(error);
  } finally {
    await db.destroy();
  }
} else {
  fail(`不明なコマンドです: ${command}\n\n${USAGE}`);
}
