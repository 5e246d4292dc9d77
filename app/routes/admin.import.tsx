import { type ActionFunctionArgs, json, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { CsvUploadForm, ImportErrors, ImportForm } from "~/components/CsvImport";
import { FormAlert } from "~/components/Field";
import { csvImportStep } from "~/utils/csv-upload.server";
import { text } from "~/utils/forms.server";
import { title } from "~/utils/meta";
import { requireStaff } from "~/utils/staff.server";

export const meta = title("会員データ移行");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  return null;
}

/**
 * The result file of 取込 with 初期パスワードを発行する, as a `data:` link in the one answer to 取込: the
 * passwords exist in clear only in that response (no-store) and the staff member's download; the server
 * keeps only their hashes, so the file cannot be fetched again (docs/decisions/013).
 */
function passwordFileLink(csv: string): { href: string; name: string } {
  const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, "");
  return {
    href: `data:text/csv;charset=utf-8;base64,${Buffer.from(csv, "utf8").toString("base64")}`,
    name: `member-import-passwords-${stamp}.csv`,
  };
}

/**
 * 確認 uploads the file (multipart); its preview carries the file on to 取込 in a hidden field (base64),
 * so the staff member does not pick the file again and 取込 reads exactly the bytes that were checked.
 * 取込 checks every row again itself (all or nothing), so the hidden copy is trusted for nothing.
 */
export async function action({ context, request }: ActionFunctionArgs) {
  await requireStaff(context, request);
  const api = context.caller.backofficeAccounts;
  let temporaryPasswords = false;
  const step = await csvImportStep(request, {
    preview: (file) => api.previewMemberImport({ file }),
    run: (file, form) => {
      temporaryPasswords = text(form, "temporaryPasswords") === "on";
      return api.importMembers({ file, temporaryPasswords });
    },
  });
  // A refused call is already the form's answer (errors); 確認 shows its preview.
  if (!("step" in step) || step.step !== "result") return step;
  const { passwordCsv, ...result } = step.result;
  return json(
    {
      ...step,
      // After a successful 取込 the page no longer carries the file.
      file: result.ok ? "" : step.file,
      result,
      passwordFile: passwordCsv ? passwordFileLink(passwordCsv) : null,
      temporaryPasswords,
    },
    { headers: { "Cache-Control": "no-store" } },
  );
}

export default function ImportPage() {
  const data = useActionData<typeof action>();
  const result = data && "result" in data ? data.result : undefined;
  return (
    <section className="card">
      <h1>会員データ移行</h1>
      <p className="hint">
        列は「ログインID」「会社名」「メールアドレス」「ユーザ名」(UTF-8またはShift_JIS、5MBまで)。取り込んだ利用者には
        パスワード設定依頼メールが届き、初回はパスワードの設定が必要です。「初期パスワードを発行する」を選ぶと、
        メールの代わりに初期パスワードを発行し、一覧を一度だけダウンロードできます(初回ログイン時に変更が必要です)。
      </p>
      <FormAlert message={data?.formError} />
      {data?.step === "result" && result?.ok ? (
        <section aria-labelledby="result-heading" className="panel">
          <h2 id="result-heading">取込結果</h2>
          <p role="status">
            取込が完了しました。追加した顧客: {result.accountsAdded}件、追加した利用者: {result.usersAdded}件、変更なし:{" "}
            {result.unchanged}件
          </p>
          {data.passwordFile ? (
            <>
              <p className="notice">
                発行した初期パスワードの一覧は、この画面で一度だけダウンロードできます。サーバには保存していないため、
                この画面を離れると再表示できません。安全な方法で利用者に伝えてください。
              </p>
              <p className="actions">
                <a className="button" href={data.passwordFile.href} download={data.passwordFile.name}>
                  初期パスワード一覧をダウンロード(CSV)
                </a>
              </p>
            </>
          ) : data.temporaryPasswords ? (
            <p>新たに追加した利用者はいないため、初期パスワードは発行していません。</p>
          ) : null}
        </section>
      ) : null}
      {result && !result.ok ? <ImportErrors errors={result.errors} /> : null}
      {data?.step === "preview" && result?.ok ? (
        <section aria-labelledby="preview-heading" className="panel">
          <h2 id="preview-heading">確認結果</h2>
          <p>
            追加する顧客: {result.accountsAdded}件、追加する利用者: {result.usersAdded}件、変更なし: {result.unchanged}
            件
          </p>
          <ImportForm file={data.file}>
            <div className="field">
              <label className="inline">
                <input name="temporaryPasswords" type="checkbox" aria-describedby="temporary-passwords-hint" />{" "}
                初期パスワードを発行する
              </label>
              <p className="hint" id="temporary-passwords-hint">
                選ばない場合は、パスワード設定依頼メールを送ります。選んだ場合はメールを送らず、初期パスワードの一覧
                (CSV)を取込後に一度だけダウンロードできます。
              </p>
            </div>
          </ImportForm>
        </section>
      ) : null}

      <CsvUploadForm id="member-csv" errors={data && "fieldErrors" in data ? data.fieldErrors?.file : undefined} />
    </section>
  );
}
