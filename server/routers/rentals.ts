import { z } from "zod";
import * as rentals from "../services/ordering/rentals";
import { customerProcedure, router } from "../trpc/init";
import { cancellationInput } from "./ordering-inputs";
import { actor, id } from "./shared";

/** レンタル中の注文 and their cancellation (解約 / 一部解約). */
export const rentalsRouter = router({
  /** One page of the running rentals, newest first; `nextCursor` reads the next. */
  list: customerProcedure
    .input(z.object({ cursor: z.string().max(200).optional() }))
    .query(({ ctx, input }) => rentals.rentalsPage(ctx.deps, ctx.customer.account.id, input.cursor)),
  get: customerProcedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => rentals.getRental(ctx.deps, ctx.customer.account.id, input.id)),
  checkCancellation: customerProcedure.input(cancellationInput).query(async ({ ctx, input }) => {
    const v = await rentals.validateCancellation(ctx.deps, ctx.customer.account.id, input);
    return v.lines.map(({ line, quantity }) => ({ ...line, quantity }));
  }),
  requestCancellation: customerProcedure
    .input(cancellationInput)
    .mutation(({ ctx, input }) => rentals.requestCancellation(ctx.deps, actor(ctx), input, ctx.meta)),
});
