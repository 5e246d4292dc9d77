import { z } from "zod";
import * as catalog from "../services/ordering/catalog";
import { customerProcedure, router } from "../trpc/init";
import { readNumber } from "./form-values";
import { id } from "./shared";

/**
 * Search and paging are never refused: the catalog answers what it can. Text past 100 characters is
 * cut (the search uses its first 8 words anyway); a page that is no number is the first page (the
 * service also keeps it within the pages there are). Full-width text is the service's to normalise.
 */
const searchText = z
  .string()
  .optional()
  .transform((v) => (v === undefined ? v : Array.from(v).slice(0, 100).join("")));
const page = z
  .union([z.string(), z.number()])
  .optional()
  .transform((v) => {
    const read = readNumber(v, "ページ");
    return read.ok ? read.value : undefined;
  });

/** 商品: catalog search and product pages. */
export const catalogRouter = router({
  search: customerProcedure
    .input(
      z.object({
        keyword: searchText,
        category: searchText,
        maker: searchText,
        page,
      }),
    )
    .query(({ ctx, input }) => catalog.searchProducts(ctx.deps, input)),

  product: customerProcedure.input(z.object({ id })).query(({ ctx, input }) => catalog.getProduct(ctx.deps, input.id)),
});
