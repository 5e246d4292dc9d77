// npm run admin -- <command> [options]: operator commands (SPEC §9).
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { importMembers, temporaryPasswordCsv } from "../server/services/backoffice/member-import";
import { DomainError } from "../server/services/errors";
import { createAccount, createStaff } from "../server/services/identity/accounts";
import { removeAuthenticatorForUser } from "../server/services/identity/authenticator";
import { arrangeOrder } from "../server/services/ordering/rentals";
import { cliRuntime } from "./cli-runtime";

const USAGE = `使い方 (usage):
  npm run admin -- create-account --login-id ID --company NAME --email EMAIL [--password TEMP] [--name USER_NAME]
      お客様アカウントと最初の利用者を作成します。--password を指定すると仮パスワードとなり、初回ログイン時に
      変更が必要です。指定しない場合は、利用者にパスワード設定依頼メールを送信します。
  npm run admin -- create-staff --email EMAIL --password PW [--name NAME] [--role admin|operator]
      コンタクトセンタのスタッフを追加します。
  npm run admin -- arrange-order --number O-YYYY-NNNNNN [--number O-YYYY-NNNNNN …]
      受付完了の注文を手配済にし、レンタル中の注文を作成します(バックオフィスの「手配済」と同じ操作)。
      --number を繰り返すと、指定した順に手配します(1件でも失敗すると、そこで止まります)。
  npm run admin -- import-members FILE [--temporary-passwords] [--out RESULT.csv]
      会員データ移行: CSV(列 ログインID, 会社名, メールアドレス, ユーザ名。UTF-8 または Shift_JIS)から顧客と
      利用者を取り込みます。誤りのある行が1つでもあれば何も取り込まず、行・列・理由を表示します。取り込んだ
      利用者にはパスワード設定依頼メールを送ります。--temporary-passwords を指定すると代わりに仮パスワードを
      発行し、結果ファイル(既定: FILE と同じ場所)に一度だけ書き出します。いずれも初回ログイン時に変更が必要です。
  npm run admin -- remove-authenticator --login-id ID --email EMAIL
      認証アプリ(スマートフォン)とリカバリーコードの両方を失った利用者の認証アプリの登録を解除します。ご本人で
      あることを確かめてから実行してください。その利用者はログアウトされ、解除のお知らせメールが送られます。`;

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
let positionals: string[] = [];
try {
  ({ values, positionals } = parseArgs({
    args: rest,
    options: {
      "login-id": { type: "string" },
      company: { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
      name: { type: "string" },
      role: { type: "string" },
      number: { type: "string", multiple: true },
      "temporary-passwords": { type: "boolean" },
      out: { type: "string" },
    },
    strict: true,
    allowPositionals: command === "import-members",
  }) as { values: Record<string, string | undefined>; positionals: string[] });
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
    for (const number of values.number as unknown as string[]) {
      const { contractNo } = await arrangeOrder(deps, number, { type: "system" });
      console.log(`arranged ${number}: rental ${contractNo}`);
    }
  } catch (error) {
    report(error);
  } finally {
    await db.destroy();
  }
} else if (command === "remove-authenticator") {
  required("login-id", "email");
  const { db, deps } = await cliRuntime();
  try {
    await removeAuthenticatorForUser(deps, { loginId: values["login-id"] as string, email: values.email as string });
    console.log(
      `removed the authenticator of ${values.email} (${values["login-id"]}); the user is signed out and told`,
    );
  } catch (error) {
    report(error);
  } finally {
    await db.destroy();
  }
} else if (command === "import-members") {
  const [file, ...extra] = positionals;
  if (!file || extra.length) fail(`取り込むCSVファイルを1つ指定してください。\n\n${USAGE}`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    fail(`ファイルを読めません: ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const temporaryPasswords = !!values["temporary-passwords"];
  const out =
    values.out ??
    path.join(
      path.dirname(file),
      `${path.basename(file, path.extname(file))}-temporary-passwords-${new Date().toISOString().replace(/[:.]/g, "-")}.csv`,
    );
  // The result file is created before the import, so passwords are never issued with nowhere to write them.
  let fd: number | undefined;
  if (temporaryPasswords) {
    try {
      fd = fs.openSync(out, "wx", 0o600);
    } catch (error) {
      fail(
        `結果ファイルを作成できません: ${out} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
  }
  const dropResultFile = () => {
    if (fd === undefined) return;
    fs.closeSync(fd);
    fs.rmSync(out, { force: true });
  };
  const { db, deps } = await cliRuntime();
  try {
    const result = await importMembers(deps, bytes, { type: "system" }, { temporaryPasswords });
    if (!result.ok) {
      dropResultFile();
      fail(
        [
          `取り込めませんでした(何も登録していません)。${result.errors.length}件の誤り:`,
          ...result.errors.map(
            (e) => `  ${e.line}行目${e.column ? ` [${e.column}]` : ""}: ${e.message.replace(/^\d+行目: /, "")}`,
          ),
        ].join("\n"),
      );
    }
    console.log(
      `imported ${file}: ${result.accountsAdded} accounts and ${result.usersAdded} users added, ${result.unchanged} rows already registered`,
    );
    if (temporaryPasswords) {
      // Written once, readable by the operator only; the passwords are nowhere else.
      fs.writeFileSync(fd as number, temporaryPasswordCsv(result.temporaryPasswords ?? []));
      fs.closeSync(fd as number);
      console.log(
        `temporary passwords for ${result.usersAdded} users written to ${out} (hand them over, then delete the file)`,
      );
    } else if (result.usersAdded) {
      console.log(`password set-up mails to ${result.usersAdded} users are queued (sent by the running server)`);
    }
  } catch (error) {
    dropResultFile();
    report(error);
  } finally {
    await db.destroy();
  }
} else {
  fail(`不明なコマンドです: ${command}\n\n${USAGE}`);
}
