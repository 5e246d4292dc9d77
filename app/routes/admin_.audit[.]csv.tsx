import { type LoaderFunctionArgs, redirect } from "@remix-run/node";
import { TRPCError } from "@trpc/server";
import { auditFilterOf } from "~/utils/audit.server";
import { csvDownload } from "~/utils/csv-stream.server";
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
  return csvDownload(first, (cursor) => context.caller.backofficeAudit.csvChunk({ ...filter, cursor }), {
    ascii: "audit-log.csv",
    japanese: "操作ログ.csv",
  });
}
