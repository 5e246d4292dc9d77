import { type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { TRPCError } from "@trpc/server";
import { auditFilterOf } from "~/utils/audit.server";
import { requireStaff } from "~/utils/staff.server";

/**
 * 操作ログ as CSV (UTF-8 with BOM, CRLF), every row the filter matches: streamed a keyset chunk at a
 * time, so a long log is never held whole. A filter the page would refuse sends the staff member back
 * to the page, which shows why.
 */
export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireStaff(context, request);
  const url = new URL(request.url);
  const filter = auditFilterOf(url.searchParams);
  let first: { text: string; nextCursor: string | null };
  try {
    first = await context.caller.backofficeAudit.csvChunk({ ...filter, cursor: null });
  } catch (error) {
    if (error instanceof TRPCError && error.code === "BAD_REQUEST") throw redirect(`/admin/audit${url.search}`);
    throw error;
  }
  const encoder = new TextEncoder();
  let cursor = first.nextCursor;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(first.text));
      if (!cursor) controller.close();
    },
    async pull(controller) {
      if (!cursor) return;
      const chunk = await context.caller.backofficeAudit.csvChunk({ ...filter, cursor });
      controller.enqueue(encoder.encode(chunk.text));
      cursor = chunk.nextCursor;
      if (!cursor) controller.close();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-log.csv"; filename*=UTF-8''${encodeURIComponent("操作ログ.csv")}`,
      "Cache-Control": "no-store",
    },
  });
}
