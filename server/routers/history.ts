import { z } from "zod";
import * as history from "../services/ordering/history";
import { customerProcedure, router } from "../trpc/init";
import { filterDateField } from "./form-values";

const historyFilter = z.object({
  kind: z.enum(["quote", "order", "cancellation", "extension"]).optional(),
  result: z.enum(["pending", "accepted", "failed"]).optional(),
  from: filterDateField("期間(開始)"),
  to: filterDateField("期間(終了)"),
});

/** 申込履歴: the account's applications, newest first, their CSV and one application's details. */
export const historyRouter = router({
  list: customerProcedure
    .input(historyFilter.extend({ cursor: z.string().max(200).optional() }))
    .query(({ ctx, input }) => history.listHistory(ctx.deps, ctx.customer.account.id, input, input.cursor)),
  /** One keyset chunk of the CSV (the first with the BOM and header); the page streams them. */
  csvChunk: customerProcedure
    .input(historyFilter.extend({ cursor: z.string().max(200).nullable() }))
    .query(({ ctx, input }) => history.historyCsvChunk(ctx.deps, ctx.customer.account.id, input, input.cursor)),
  get: customerProcedure
    .input(z.object({ number: z.string().max(32) }))
    .query(({ ctx, input }) => history.getApplication(ctx.deps, ctx.customer.account.id, input.number)),
});
