import { z } from "zod";
import * as auth from "../services/auth";
import { customerProcedure, publicProcedure, router } from "../trpc/init";

const loginInput = z.object({
  loginId: z.string().trim().min(1, "ログインIDを入力してください。").max(64, "ログインIDが長すぎます。"),
  email: z.string().trim().min(1, "メールアドレスを入力してください。").max(254, "メールアドレスが長すぎます。"),
  password: z.string().min(1, "パスワードを入力してください。").max(128, "パスワードが長すぎます。"),
});

export const authRouter = router({
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const result = await auth.login(ctx.deps, input, ctx.meta);
    ctx.setCookie(result.cookie);
    return { mustChangePassword: result.mustChangePassword };
  }),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.session && ctx.customer) {
      await auth.logout(
        ctx.deps,
        { sessionId: ctx.session.id, userId: ctx.customer.user.id, accountId: ctx.customer.account.id },
        ctx.meta,
      );
    }
    ctx.setCookie(ctx.deps.sessions.blankCookie());
    return { ok: true as const };
  }),

  /** The signed-in customer, or null. */
  me: publicProcedure.query(({ ctx }) => ctx.customer),

  /** Requires a session; for pages that only signed-in users may see. */
  requireCustomer: customerProcedure.query(({ ctx }) => ctx.customer),
});
