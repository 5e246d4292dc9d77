import { randomBytes } from "node:crypto";
import { z } from "zod";
import { tokyoDateString } from "../lib/format";
import * as applications from "../services/applications";
import * as catalog from "../services/catalog";
import * as drafts from "../services/drafts";
import * as history from "../services/history";
import * as rentals from "../services/rentals";
import * as templates from "../services/templates";
import type { Context } from "../trpc/context";
import { customerProcedure, router } from "../trpc/init";

type CustomerCtx = Context & { customer: NonNullable<Context["customer"]> };
const actor = (ctx: CustomerCtx) => ({ userId: ctx.customer.user.id, accountId: ctx.customer.account.id });

const id = z.string().min(1).max(64);
const kind = z.enum(["quote", "order"]);
const text = (max: number) => z.string().max(max * 4);
const delivery = z.object({
  company: text(100),
  department: text(100),
  person: text(50),
  postalCode: text(8),
  address: text(200),
  building: text(100),
  phone: text(20),
});
const templateInput = delivery.extend({ name: text(40) });
const historyFilter = z.object({
  kind: z.enum(["quote", "order", "cancellation"]).optional(),
  result: z.enum(["pending", "accepted", "failed"]).optional(),
  from: z.string().max(10).optional(),
  to: z.string().max(10).optional(),
});

const applicationInput = z.object({
  kind,
  lines: z.array(z.object({ productId: id, quantity: z.number() })).max(100),
  startDate: z.string().max(10),
  periodUnit: z.enum(["day", "month"]),
  period: z.number(),
  delivery,
  notes: text(1000),
  poNumber: text(50),
  idempotencyKey: z.string().max(64),
});
const cancellationInput = z.object({
  rentalId: id,
  mode: z.enum(["all", "partial"]),
  quantities: z.record(z.string(), z.number()),
  returnDate: z.string().max(10),
  notes: text(1000),
  idempotencyKey: z.string().max(64),
});

/** Catalog, delivery templates, quote requests and orders, 申込履歴 and レンタル中の注文. */
export const orderingRouter = router({
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

  templates: customerProcedure.query(async ({ ctx }) => ({
    templates: await templates.listTemplates(ctx.deps, ctx.customer.account.id),
    max: templates.MAX_TEMPLATES_PER_ACCOUNT,
  })),
  template: customerProcedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => templates.getTemplate(ctx.deps, ctx.customer.account.id, input.id)),
  createTemplate: customerProcedure
    .input(templateInput)
    .mutation(({ ctx, input }) => templates.createTemplate(ctx.deps, actor(ctx), input, ctx.meta)),
  updateTemplate: customerProcedure
    .input(templateInput.extend({ id }))
    .mutation(({ ctx, input }) => templates.updateTemplate(ctx.deps, actor(ctx), input.id, input, ctx.meta)),
  deleteTemplate: customerProcedure
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => templates.deleteTemplate(ctx.deps, actor(ctx), input.id, ctx.meta)),

  draft: customerProcedure
    .input(z.object({ kind }))
    .query(({ ctx, input }) => drafts.getDraft(ctx.deps, ctx.customer.user.id, input.kind)),
  addToDraft: customerProcedure
    .input(z.object({ kind, productId: id, quantity: z.number() }))
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

  /** The confirmation step: every rule checked, nothing stored. */
  checkApplication: customerProcedure.input(applicationInput).query(async ({ ctx, input }) => {
    const v = await applications.validateApplication(ctx.deps, input);
    return { lines: v.lines, delivery: v.delivery };
  }),
  submitApplication: customerProcedure
    .input(applicationInput)
    .mutation(({ ctx, input }) => applications.submitApplication(ctx.deps, actor(ctx), input, ctx.meta)),

  history: customerProcedure
    .input(historyFilter.extend({ cursor: z.string().max(200).optional() }))
    .query(({ ctx, input }) => history.listHistory(ctx.deps, ctx.customer.account.id, input, input.cursor)),
  historyCsv: customerProcedure
    .input(historyFilter)
    .query(({ ctx, input }) => history.historyCsv(ctx.deps, ctx.customer.account.id, input)),
  application: customerProcedure
    .input(z.object({ number: z.string().max(32) }))
    .query(({ ctx, input }) => history.getApplication(ctx.deps, ctx.customer.account.id, input.number)),

  rentals: customerProcedure.query(({ ctx }) => rentals.listRentals(ctx.deps, ctx.customer.account.id)),
  rental: customerProcedure
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
