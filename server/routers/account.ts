import { z } from "zod";
import { formatTokyo } from "../lib/format";
import * as emailChange from "../services/identity/email-change";
import { changePassword } from "../services/identity/passwords";
import { updateProfile } from "../services/identity/profile";
import { customerProcedure, publicProcedure, router, signedInProcedure } from "../trpc/init";
import { token } from "./shared";

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
    const { sessionId } = await changePassword(ctx.deps, { userId: ctx.customer.user.id }, input, "initial", ctx.meta);
    ctx.setSessionCookie(sessionId);
    return { ok: true as const };
  }),

  changePassword: customerProcedure
    .input(z.object({ currentPassword: z.string().max(128, "パスワードが長すぎます。"), ...newPassword }))
    .mutation(async ({ ctx, input }) => {
      const { sessionId } = await changePassword(
        ctx.deps,
        { userId: ctx.customer.user.id },
        input,
        "settings",
        ctx.meta,
      );
      ctx.setSessionCookie(sessionId);
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
    if (ctx.customer?.user.id === userId) ctx.clearSessionCookie();
    return { newEmail, changedAt: formatTokyo(ctx.deps.clock.now()) };
  }),
});
