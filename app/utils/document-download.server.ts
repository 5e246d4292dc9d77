import type { AppLoadContext } from "@remix-run/node";
import { TRPCError } from "@trpc/server";
import { contentDisposition } from "../../server/lib/content-disposition";
import { requireCustomer } from "./auth.server";

/**
 * 見積書PDF / 注文請書PDF of the detail page (SPEC §3 Documents, ADR 023): the file itself, to save (attachment,
 * under its Japanese name), never kept by a cache. Signed out: the login page, and back here after it. No such
 * document (another account's, not yet answered or arranged, another kind): a short Japanese answer, 404.
 */
export async function documentDownload(
  context: AppLoadContext,
  request: Request,
  number: string,
  kind: "quote" | "order",
): Promise<Response> {
  await requireCustomer(context, request);
  let file: { filename: string; contentType: string; base64: string };
  try {
    file = await context.caller.documents.pdf({ number, kind });
  } catch (error) {
    if (error instanceof TRPCError && (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST")) {
      // A number the input check refuses names no application either (a zod error carries its issues).
      const refusedInput = Array.isArray((error.cause as { issues?: unknown } | undefined)?.issues);
      const message = refusedInput ? "指定されたお申し込みは見つかりません。" : error.message;
      throw new Response(message, { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    }
    throw error;
  }
  const bytes = Buffer.from(file.base64, "base64");
  return new Response(bytes, {
    headers: {
      "Content-Type": file.contentType,
      "Content-Length": String(bytes.byteLength),
      "Content-Disposition": contentDisposition(file.filename),
      // The server already says no-store on every page (server/app.ts) and the adapter adds this to it:
      // "no-store, private" — kept by no cache, shared or the browser's.
      "Cache-Control": "private",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
