import {
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
} from "@remix-run/node";
import { formFailure, text } from "./forms.server";

/** As server/routers/shared.ts CSV_MAX_BYTES (that module is server-only). */
const CSV_MAX_BYTES = 5 * 1024 * 1024;
const TOO_LARGE = "CSVファイルは5MB以内にしてください。";
const NO_FILE = "CSVファイルを選択してください。";

/** Whether a request is 確認's upload (multipart) rather than 取込's form with the file carried along. */
function isUpload(request: Request): boolean {
  return (request.headers.get("Content-Type") ?? "").startsWith("multipart/form-data");
}

/**
 * The CSV file of an import's 確認 (the multipart field `name`), as base64 so that its bytes reach the
 * server as they are (UTF-8 with or without BOM, Shift_JIS): the file, or why there is none.
 */
export async function readCsvUpload(
  request: Request,
  name = "csv",
): Promise<{ file: string; formError?: undefined } | { file?: undefined; formError: string }> {
  let form: FormData;
  try {
    form = await unstable_parseMultipartFormData(
      request,
      unstable_createMemoryUploadHandler({ maxPartSize: CSV_MAX_BYTES }),
    );
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) return { formError: TOO_LARGE };
    throw error;
  }
  const upload = form.get(name);
  if (!(upload instanceof File) || upload.size === 0) return { formError: NO_FILE };
  return { file: Buffer.from(await upload.arrayBuffer()).toString("base64") };
}

/**
 * The action of an import page (会員データ移行, 商品管理): 確認 uploads the file (multipart) and gets
 * `preview(file)`, which the page shows with the file in a hidden field; 取込 posts that field back (with
 * the page's options) and gets `run(file, form)`. The server checks every row again at 取込 (all or nothing), so the hidden copy is
 * trusted for nothing. A refused call is the form's errors (step "upload").
 */
export async function csvImportStep<P, R>(
  request: Request,
  calls: { preview: (file: string) => Promise<P>; run: (file: string, form: FormData) => Promise<R> },
) {
  try {
    if (!isUpload(request)) {
      // 取込's form: the checked file, and the page's own options (e.g. 初期パスワードを発行する).
      const form = await request.formData();
      const file = text(form, "file");
      return { step: "result" as const, file, result: await calls.run(file, form), formError: "" };
    }
    const { file, formError } = await readCsvUpload(request);
    if (file === undefined) return { step: "upload" as const, formError };
    return { step: "preview" as const, file, result: await calls.preview(file), formError: "" };
  } catch (error) {
    return formFailure(error, {}, { extra: { step: "upload" as const } });
  }
}
