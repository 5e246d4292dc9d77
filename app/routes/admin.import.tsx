import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { CsvUploadForm, ImportErrors, ImportForm } from "~/components/CsvImport";
import { FormAlert } from "~/components/Field";
import { csvImportStep } from "~/utils/csv-upload.server";
import { title } from "~/utils/meta";
import { requireStaff } from "~/utils/staff.server";

export const meta = title("会員データ移行");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  return null;
}

/**
 * 確認 uploads the file (multipart); its preview carries the file on to 取込 in a hidden field (base64),
 * so the staff member does not pick the file again and 取込 reads exactly the bytes that were checked.
 * 取込 checks every row again itself (all or nothing), so the hidden copy is trusted for nothing.
 */
export async function action({ context, request }: ActionFunctionArgs) {
  await requireStaff(context, request);
  const api = context.caller.backofficeAccounts;
  const step = await csvImportStep(request, {
    preview: (file) => api.previewMemberImport({ file }),
    run: (file) => api.importMembers({ file }),
  });
  // After a successful 取込 the page no longer carries the file.
  return "step" in step && step.step === "result" && step.result.ok ? { ...step, file: "" } : step;
}

export default function ImportPage() {
  const data = useActionData<typeof action>();
  const result = data && "result" in data ? data.result : undefined;
  return (
    <section className="card">
      <h1>会員データ移行</h1>
      <p className="hint">
        列は「ログインID」「会社名」「メールアドレス」「ユーザ名」(UTF-8またはShift_JIS、5MBまで)。取り込んだ利用者には
        パスワード設定依頼メールが届き、初回はパスワードの設定が必要です(仮パスワードでの取込は管理コマンド
        import-members で行えます)。
      </p>
      <FormAlert message={data?.formError} />
      {data?.step === "result" && result?.ok ? (
        <section aria-labelledby="result-heading" className="panel">
          <h2 id="result-heading">取込結果</h2>
          <p role="status">
            取込が完了しました。追加した顧客: {result.accountsAdded}件、追加した利用者: {result.usersAdded}件、変更なし:{" "}
            {result.unchanged}件
          </p>
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
          <ImportForm file={data.file} />
        </section>
      ) : null}

      <CsvUploadForm id="member-csv" errors={data && "fieldErrors" in data ? data.fieldErrors?.file : undefined} />
    </section>
  );
}
