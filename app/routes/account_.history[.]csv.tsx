import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireCustomer } from "~/utils/auth.server";

/**
 * 申込履歴 as CSV (UTF-8 with BOM, so that Excel reads it as UTF-8; CRLF), every row the filter matches:
 * streamed a keyset chunk at a time, so a long history is never held whole in memory.
 */
export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  const params = new URL(request.url).searchParams;
  const kind = params.get("kind");
  const result = params.get("result");
  const filter: {
    kind?: "quote" | "order" | "cancellation";
    result?: "accepted" | "failed" | "pending";
    from?: string;
    to?: string;
  } = {
    kind: kind === "quote" || kind === "order" || kind === "cancellation" ? kind : undefined,
    result: result === "accepted" || result === "failed" || result === "pending" ? result : undefined,
    from: params.get("from") || undefined,
    to: params.get("to") || undefined,
  };
  // The first chunk before the answer starts: a refused filter is still an error page, not a broken download.
  const first = await context.caller.history.csvChunk({ ...filter, cursor: null });
  const encoder = new TextEncoder();
  let cursor = first.nextCursor;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(first.text));
      if (!cursor) controller.close();
    },
    async pull(controller) {
      if (!cursor) return;
      const chunk = await context.caller.history.csvChunk({ ...filter, cursor });
      controller.enqueue(encoder.encode(chunk.text));
      cursor = chunk.nextCursor;
      if (!cursor) controller.close();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="history.csv"; filename*=UTF-8''${encodeURIComponent("申込履歴.csv")}`,
      "Cache-Control": "no-store",
    },
  });
}
