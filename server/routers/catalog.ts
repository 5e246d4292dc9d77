import { z } from "zod";
import * as catalog from "../services/ordering/catalog";
import { customerProcedure, router } from "../trpc/init";
import { id } from "./shared";

/** 商品: catalog search and product pages. */
export const catalogRouter = router({
  search: customerProcedure
    .input(
      z.object({
        keyword: z.string().max(100).optional(),
        category: z.string().max(100).optional(),
        maker: z.string().max(100).optional(),
        page: z.number().int().min(1).max(10_000).optional(),
      }),
    )
    .query(async ({ ctx, input }) => ({
      ...(await catalog.searchProducts(ctx.deps, input)),
      facets: await catalog.catalogFacets(ctx.deps),
    })),

  product: customerProcedure.input(z.object({ id })).query(({ ctx, input }) => catalog.getProduct(ctx.deps, input.id)),
});
