import { z } from "zod";
import * as templates from "../services/ordering/templates";
import { customerProcedure, router } from "../trpc/init";
import { delivery, templateName } from "./ordering-inputs";
import { actor, id } from "./shared";

const templateInput = delivery.extend({ name: templateName });

/** お届け先テンプレート管理: at most five per account, shared by its users. */
export const templatesRouter = router({
  list: customerProcedure.query(async ({ ctx }) => ({
    templates: await templates.listTemplates(ctx.deps, ctx.customer.account.id),
    max: templates.MAX_TEMPLATES_PER_ACCOUNT,
  })),
  get: customerProcedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => templates.getTemplate(ctx.deps, ctx.customer.account.id, input.id)),
  create: customerProcedure
    .input(templateInput)
    .mutation(({ ctx, input }) => templates.createTemplate(ctx.deps, actor(ctx), input, ctx.meta)),
  update: customerProcedure
    .input(templateInput.extend({ id }))
    .mutation(({ ctx, input }) => templates.updateTemplate(ctx.deps, actor(ctx), input.id, input, ctx.meta)),
  remove: customerProcedure
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => templates.deleteTemplate(ctx.deps, actor(ctx), input.id, ctx.meta)),
});
