import { randomBytes } from "node:crypto";
import { z } from "zod";
import { tokyoDateString } from "../lib/format";
import * as applications from "../services/ordering/applications";
import * as drafts from "../services/ordering/drafts";
import * as quoteOrders from "../services/ordering/quote-orders";
import * as reorders from "../services/ordering/reorders";
import { customerProcedure, router } from "../trpc/init";
import { numberField } from "./form-values";
import { applicationInput, kind } from "./ordering-inputs";
import { actor, id } from "./shared";

/** 見積依頼 / 注文: the draft lines of each form, the confirmation step and the submission. */
export const applicationsRouter = router({
  draft: customerProcedure
    .input(z.object({ kind }))
    .query(({ ctx, input }) => drafts.getDraft(ctx.deps, ctx.customer.user.id, input.kind)),
  addToDraft: customerProcedure
    .input(z.object({ kind, productId: id, quantity: numberField("数量") }))
    .mutation(({ ctx, input }) =>
      drafts.addToDraft(ctx.deps, ctx.customer.user.id, input.kind, input.productId, input.quantity),
    ),
  removeFromDraft: customerProcedure
    .input(z.object({ kind, productId: id }))
    .mutation(({ ctx, input }) => drafts.removeFromDraft(ctx.deps, ctx.customer.user.id, input.kind, input.productId)),

  /** A fresh key for a form about to be shown (idempotent submission), and today in Japan. */
  newForm: customerProcedure.query(({ ctx }) => ({
    key: randomBytes(18).toString("base64url"),
    today: tokyoDateString(ctx.deps.clock.now()),
  })),

  /** The confirmation step: every rule checked, nothing stored; the values as they will be stored. */
  check: customerProcedure.input(applicationInput).query(async ({ ctx, input }) => {
    const v = await applications.validateApplication(ctx.deps, actor(ctx), input);
    return { lines: v.lines, money: v.money, delivery: v.delivery, startDate: input.startDate, period: input.period };
  }),
  submit: customerProcedure
    .input(applicationInput)
    .mutation(({ ctx, input }) => applications.submitApplication(ctx.deps, actor(ctx), input, ctx.meta)),

  /** この見積で注文する: the order form (draft) filled with an answered quote's lines, until 有効期限. */
  orderFromQuote: customerProcedure
    .input(z.object({ number: z.string().max(32) }))
    .mutation(({ ctx, input }) => quoteOrders.orderFromQuote(ctx.deps, actor(ctx), input.number)),
  /** The quote the order form was filled from (its period, delivery and prices), or null. */
  draftQuote: customerProcedure.query(({ ctx }) => quoteOrders.draftQuote(ctx.deps, actor(ctx))),

  /** この内容で再注文: the order form (draft) filled with an order's or quote's lines, at today's prices. */
  reorder: customerProcedure
    .input(z.object({ number: z.string().max(32) }))
    .mutation(({ ctx, input }) => reorders.reorder(ctx.deps, actor(ctx), input.number)),
  /** The order or quote この内容で再注文 filled the order form from (its delivery and period), or null. */
  draftSource: customerProcedure.query(({ ctx }) => reorders.draftSource(ctx.deps, actor(ctx))),
});
