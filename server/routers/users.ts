import { z } from "zod";
import * as users from "../services/identity/account-users";
import { customerProcedure, publicProcedure, router } from "../trpc/init";
import { actor, email, id, newPassword, token } from "./shared";

/** 利用者管理 and the link of its set-up mail. */
export const usersRouter = router({
  list: customerProcedure.query(async ({ ctx }) => ({
    users: await users.listUsers(ctx.deps, actor(ctx)),
    max: users.MAX_USERS_PER_ACCOUNT,
  })),

  get: customerProcedure
    .input(z.object({ id }))
    .query(({ ctx, input }) => users.getUser(ctx.deps, actor(ctx), input.id)),

  add: customerProcedure
    .input(z.object({ email }))
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

  completeSetup: publicProcedure.input(z.object({ token, ...newPassword })).mutation(async ({ ctx, input }) => {
    await users.completeSetup(ctx.deps, input.token, input, ctx.meta);
    return { ok: true as const };
  }),
});
