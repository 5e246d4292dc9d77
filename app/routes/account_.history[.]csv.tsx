import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireCustomer } from "~/utils/auth.server";

/** 申込履歴 as CSV (UTF-8 with BOM, so that Excel reads it as UTF-8). */
export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  const params = new URL(request.url).searchParams;
  const kind = params.get("kind");
  const result = params.get("result");
  const csv = await context.caller.history.csv({
    kind: kind === "quote" || kind === "order" || kind === "cancellation" ? kind : undefined,
    result: result === "accepted" || result === "failed" || result === "pending" ? result : undefined,
    from: params.get("from") || undefined,
    to: params.get("to") || undefined,
  });
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="history.csv"; filename*=UTF-8''${encodeURIComponent("申込履歴.csv")}`,
    },
  });
}
