import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useActionData } from "@remix-run/react";
import { AppLink } from "~/components/AppLink";
import { CsvUploadForm, ImportErrors, ImportForm } from "~/components/CsvImport";
import { FormAlert } from "~/components/Field";
import { csvImportStep } from "~/utils/csv-upload.server";
import { redirectWithFlash } from "~/utils/flash.server";
import { title } from "~/utils/meta";
import { requireStaff } from "~/utils/staff.server";

export const meta = title("商品CSV取込");

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  return null;
}

/** 確認 then 取込 as 会員データ移行 (csvImportStep); a successful 取込 goes to the list with a flash message. */
export async function action({ context, request }: ActionFunctionArgs) {
  await requireStaff(context, request);
  const api = context.caller.backofficeProducts;
  const step = await csvImportStep(request, {
    preview: (file) => api.previewCsv({ file }),
    run: (file) => api.importCsv({ file }),
  });
  if ("step" in step && step.step === "result" && step.result.ok) {
    const { inserted, updated, unchanged } = step.result;
    return redirectWithFlash(
      "/admin/products",
      `商品CSVを取り込みました。追加: ${inserted}件、更新: ${updated}件、変更なし: ${unchanged}件`,
      context,
    );
  }
  return step;
}

export default function ProductImportPage() {
  const data = useActionData<typeof action>();
  const result = data && "result" in data ? data.result : undefined;
  return (
    <section className="card">
      <p>
        <AppLink to="/admin/products">商品一覧へ戻る</AppLink>
      </p>
      <h1>商品CSV取込</h1>
      <p className="hint">
        列は「型番」「メーカー」「商品名」「カテゴリ」「仕様」「日額」「月額」(UTF-8またはShift_JIS、5MB・10,000件まで)。
        登録済みの型番は内容を更新します(販売終了の商品は販売終了のまま)。まず確認し、エラーがなければ取込で全件を反映します。
      </p>
      <FormAlert message={data?.formError} />
      {result && !result.ok ? <ImportErrors errors={result.errors} /> : null}
      {data?.step === "preview" && result?.ok ? (
        <section aria-labelledby="preview-heading" className="panel">
          <h2 id="preview-heading">確認結果</h2>
          <p>
            追加する商品: {result.inserted}件、更新する商品: {result.updated}件、変更なし: {result.unchanged}件
          </p>
          <ImportForm file={data.file} />
        </section>
      ) : null}

      <CsvUploadForm id="product-csv" errors={data && "fieldErrors" in data ? data.fieldErrors?.file : undefined} />
    </section>
  );
}
