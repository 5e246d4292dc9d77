import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireCustomer } from "~/utils/auth.server";
import { csvDownload } from "~/utils/csv-stream.server";

/** 申込履歴 as CSV (UTF-8 with BOM, so that Excel reads it as UTF-8; CRLF), every row the filter matches, streamed. */
export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  const params = new URL(request.url).searchParams;
  const kind = params.get("kind");
  const result = params.get("result");
  const filter: {
    kind?: "quote" | "order" | "cancellation" | "extension";
    result?: "accepted" | "failed" | "pending";
    from?: string;
    to?: string;
  } = {
    kind: kind === "quote" || kind === "order" || kind === "cancellation" || kind === "extension" ? kind : undefined,
    result: result === "accepted" || result === "failed" || result === "pending" ? result : undefined,
    from: params.get("from") || undefined,
    to: params.get("to") || undefined,
  };
  // The first chunk before the answer starts: a refused filter is still an error page, not a broken download.
  const first = await context.caller.history.csvChunk({ ...filter, cursor: null });
  return csvDownload(first, (cursor) => context.caller.history.csvChunk({ ...filter, cursor }), {
    ascii: "history.csv",
    japanese: "申込履歴.csv",
  });
}
