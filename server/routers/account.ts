import { z } from "zod";
import { changePassword } from "../services/passwords";
import { updateProfile } from "../services/profile";
import { customerProcedure, router, signedInProcedure } from "../trpc/init";

const newPassword = {
  newPassword: z.string().max(128, "パスワードが長すぎます。"),
  confirmPassword: z.string().max(128, "パスワードが長すぎます。"),
};

export const accountRouter = router({
  /** お客様情報設定: what the settings page shows. */
  settings: customerProcedure.query(({ ctx }) => ({
    loginId: ctx.customer.account.loginId,
    companyName: ctx.customer.account.companyName,
    email: ctx.customer.user.email,
    name: ctx.customer.user.name,
    mfaEnabled: ctx.customer.user.mfaEnabled,
  })),

  /** 初回ログイン時のパスワード変更: the one thing a flagged user may do. */
  changeInitialPassword: signedInProcedure.input(z.object(newPassword)).mutation(async ({ ctx, input }) => {
    const { cookie } = await changePassword(ctx.deps, { userId: ctx.customer.user.id }, input, "initial", ctx.meta);
    ctx.setCookie(cookie);
    return { ok: true as const };
  }),

  changePassword: customerProcedure
    .input(z.object({ currentPassword: z.string().max(128, "パスワードが長すぎます。"), ...newPassword }))
    .mutation(async ({ ctx, input }) => {
      const { cookie } = await changePassword(ctx.deps, { userId: ctx.customer.user.id }, input, "settings", ctx.meta);
      ctx.setCookie(cookie);
      return { ok: true as const };
    }),

  updateProfile: customerProcedure
    .input(
      z.object({
        name: z.string().max(200, "ユーザ名が長すぎます。"),
        mfaEnabled: z.boolean(),
        currentPassword: z.string().max(128, "パスワードが長すぎます。").optional(),
      }),
    )
    .mutation(({ ctx, input }) => updateProfile(ctx.deps, { userId: ctx.customer.user.id }, input, ctx.meta)),
});
