import { z } from "zod";
import * as documents from "../services/documents/documents";
import { customerProcedure, router } from "../trpc/init";

/**
 * 見積書 / 注文請書 (SPEC §3 Documents, ADR 023) of one of the account's applications, as a PDF. The bytes come
 * back base64-encoded: the answer stays JSON (the same procedure answers at /api/trpc), and the download
 * route turns it back into the file.
 */
export const documentsRouter = router({
  pdf: customerProcedure
    .input(z.object({ number: z.string().max(32), kind: z.enum(["quote", "order"]) }))
    .query(async ({ ctx, input }) => {
      const file = await documents.documentPdf(ctx.deps, ctx.customer.account.id, input.number, input.kind);
      return { filename: file.filename, contentType: file.contentType, base64: file.content.toString("base64") };
    }),
});
