import { z } from "zod";
import * as extensions from "../services/ordering/extensions";
import * as rentals from "../services/ordering/rentals";
import { customerProcedure, router } from "../trpc/init";
import { cancellationInput, extensionInput } from "./ordering-inputs";
import { actor, id } from "./shared";

/** レンタル中の注文, their cancellation (解約 / 一部解約) and extension (延長). */
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
  /** 延長: the rental (with its open extension, if any) and the latest date that may be asked for. */
  extension: customerProcedure.input(z.object({ id })).query(async ({ ctx, input }) => {
    const rental = await rentals.getRental(ctx.deps, ctx.customer.account.id, input.id);
    return { rental, latestEndDate: extensions.latestEndDate(rental.startDate) };
  }),
  /** 確認画面へ: the extension checked as it would be submitted. */
  checkExtension: customerProcedure.input(extensionInput).query(async ({ ctx, input }) => {
    const checked = await extensions.validateExtension(ctx.deps, ctx.customer.account.id, input);
    return {
      lines: checked.lines,
      partial: checked.partial,
      currentEndDate: checked.currentEndDate,
      endDate: checked.endDate,
      currentEndDateLabel: checked.currentEndDateLabel,
      endDateLabel: checked.endDateLabel,
      addedDays: checked.addedDays,
    };
  }),
  requestExtension: customerProcedure
    .input(extensionInput)
    .mutation(({ ctx, input }) => extensions.requestExtension(ctx.deps, actor(ctx), input, ctx.meta)),
});
