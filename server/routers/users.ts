import { z } from "zod";
import { formatTokyo } from "../lib/format";
import * as emailChange from "../services/email-change";
import * as users from "../services/user-management";
import type { Context } from "../trpc/context";
import { customerProcedure, publicProcedure, router } from "../trpc/init";

const id = z.string().min(1).max(64);
const token = z.string().max(128);

type CustomerCtx = Context & { customer: NonNullable<Context["customer"]> };
const actor = (ctx: CustomerCtx) => ({ userId: ctx.customer.user.id, accountId: ctx.customer.account.id });

/** 利用者管理 and the links of its mails (set-up, email change). */
export const usersRouter = router({
  list: customerProcedure.query(async ({ ctx }) => ({
    users: await users.listUsers(ctx.deps, actor(ctx)),
    max: users.MAX_USERS_PER_ACCOUNT,
  })),

  get: customerProcedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => users.getUser(ctx.deps, actor(ctx), input.id)),

  add: customerProcedure
    .input(z.object({ email: z.string().max(254, "メールアドレスが長すぎます。") }))
    .mutation(({ ctx, input }) => users.addUser(ctx.deps, actor(ctx), input, ctx.meta)),

  resendSetup: customerProcedure
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => users.resendSetupMail(ctx.deps, actor(ctx), input.id, ctx.meta)),

  remove: customerProcedure
    .input(z.object({ id }))
    .mutation(({ ctx, input }) => users.deleteUser(ctx.deps, actor(ctx), input.id, ctx.meta)),

  setupLink: publicProcedure
    .input(z.object({ token }))
    .query(({ ctx, input }) => users.setupLinkInfo(ctx.deps, input.token)),

  completeSetup: publicProcedure
    .input(z.object({ token, newPassword: z.string().max(128), confirmPassword: z.string().max(128) }))
    .mutation(async ({ ctx, input }) => {
      await users.completeSetup(ctx.deps, input.token, input, ctx.meta);
      return { ok: true as const };
    }),

  /** メールアドレス変更依頼 (step 1): needs the current password. */
  requestEmailChange: customerProcedure
    .input(z.object({ currentPassword: z.string().max(128) }))
    .mutation(async ({ ctx, input }) => {
      await emailChange.requestEmailChange(ctx.deps, { userId: ctx.customer.user.id }, input, ctx.meta);
      return { ok: true as const };
    }),

  emailChangeLink: publicProcedure
    .input(z.object({ token }))
    .query(({ ctx, input }) => emailChange.requestLinkInfo(ctx.deps, input.token)),

  submitNewEmail: publicProcedure
    .input(z.object({ token, newEmail: z.string().max(254, "メールアドレスが長すぎます。") }))
    .mutation(({ ctx, input }) => emailChange.submitNewEmail(ctx.deps, input.token, input, ctx.meta)),

  emailConfirmLink: publicProcedure
    .input(z.object({ token }))
    .query(({ ctx, input }) => emailChange.confirmLinkInfo(ctx.deps, input.token)),

  confirmEmailChange: publicProcedure.input(z.object({ token })).mutation(async ({ ctx, input }) => {
    const { newEmail, userId } = await emailChange.confirmEmailChange(ctx.deps, input.token, ctx.meta);
    // The user's sessions ended with the change: if this browser held one, clear its cookie.
    if (ctx.customer?.user.id === userId) ctx.setCookie(ctx.deps.sessions.blankCookie());
    return { newEmail, changedAt: formatTokyo(ctx.deps.clock.now()) };
  }),
});
