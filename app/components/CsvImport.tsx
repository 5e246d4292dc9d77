import { Form } from "@remix-run/react";
import { ErrorList, Need } from "./Field";
import { SubmitButton } from "./SubmitButton";
import { TableScroll } from "./TableScroll";

/**
 * The pieces of a CSV import page (会員データ移行, 商品管理), whose action is csvImportStep
 * (app/utils/csv-upload.server.ts): the upload with 確認, the preview's 取込 carrying the checked file,
 * and the per-row error report.
 */

/** `CSVファイル` and `確認` (multipart, so the file's bytes arrive as they are). */
export function CsvUploadForm({ id, errors }: { id: string; errors?: string[] }) {
  return (
    <Form method="post" encType="multipart/form-data" noValidate>
      <div className="field">
        <div className="field-label">
          <label htmlFor={id}>CSVファイル</label>
          <Need required />
        </div>
        <input id={id} name="csv" type="file" accept=".csv,text/csv" required />
        <ErrorList errors={errors} />
      </div>
      <div className="actions">
        <SubmitButton>確認</SubmitButton>
      </div>
    </Form>
  );
}

/** `取込` of the file 確認 checked, carried in a hidden field (base64), with the page's options if any. */
export function ImportForm({ file, children }: { file: string; children?: React.ReactNode }) {
  return (
    <Form method="post">
      <input type="hidden" name="file" value={file} />
      {children}
      <SubmitButton>取込</SubmitButton>
    </Form>
  );
}

/** The per-row report of 確認 or 取込: line, column, reason. */
export function ImportErrors({ errors }: { errors: { line: number; column: string | null; message: string }[] }) {
  return (
    <section aria-labelledby="errors-heading" className="panel">
      <h2 id="errors-heading">エラー</h2>
      <p role="alert">
        {errors.length}
        件のエラーがあります。ファイルを修正して、もう一度確認してください。何も取り込んでいません。
      </p>
      <TableScroll label="エラー一覧">
        <table className="table">
          <caption>エラー一覧</caption>
          <thead>
            <tr>
              <th scope="col">行</th>
              <th scope="col">列</th>
              <th scope="col">内容</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e) => (
              <tr key={`${e.line}-${e.column}-${e.message}`}>
                <td>{e.line || "-"}</td>
                <td>{e.column ?? "-"}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </section>
  );
}
