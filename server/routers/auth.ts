import { z } from "zod";
import { challengeCookieName, serializeCookie } from "../auth/cookies";
import { formatTokyo } from "../lib/format";
import { loginReportInfo, reportLogin } from "../services/identity/login-report";
import { challengeInfo, OTP, resendLoginCode } from "../services/identity/otp";
import { isResetTokenValid, requestPasswordReset, resetPassword } from "../services/identity/password-reset";
import * as auth from "../services/identity/sign-in";
import { recipient } from "../services/identity/user-records";
import type { Context } from "../trpc/context";
import { customerProcedure, publicProcedure, router } from "../trpc/init";
import { newPassword, token } from "./shared";

const loginInput = z.object({
  // Login IDs are half-width: one typed in full-width is the same ID.
  loginId: z
    .string()
    .normalize("NFKC")
    .trim()
    .min(1, "ログインIDを入力してください。")
    .max(64, "ログインIDが長すぎます。"),
  email: z.string().trim().min(1, "メールアドレスを入力してください。").max(254, "メールアドレスが長すぎます。"),
  password: z.string().min(1, "パスワードを入力してください。").max(128, "パスワードが長すぎます。"),
});

const newPasswordInput = z.object(newPassword);

function challengeCookie(ctx: Context, token: string, maxAgeSeconds: number) {
  const secure = ctx.deps.config.secureCookies;
  ctx.setCookie(serializeCookie(challengeCookieName(secure), token, { secure, maxAge: maxAgeSeconds }));
}

function challengeToken(ctx: Context): string {
  return ctx.cookies[challengeCookieName(ctx.deps.config.secureCookies)] ?? "";
}

export const authRouter = router({
  /** Step 1. Either signs in, or (MFA on) starts the one-time-password step without a session. */
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const result = await auth.login(ctx.deps, input, ctx.meta);
    if (result.status === "otp_required") {
      challengeCookie(ctx, result.challengeToken, OTP.ttlMs / 1000);
      return { status: "otp_required" as const, expiresAt: result.expiresAt.toISOString() };
    }
    ctx.setSessionCookie(result.sessionId);
    return { status: "signed_in" as const, mustChangePassword: result.mustChangePassword };
  }),

  /** The open one-time-password step of this browser, or null. */
  otpChallenge: publicProcedure.query(async ({ ctx }) => {
    const info = await challengeInfo(ctx.deps, challengeToken(ctx));
    return info
      ? { expiresAt: info.expiresAt, expiresAtLabel: formatTokyo(new Date(info.expiresAt)), method: info.method }
      : null;
  }),

  /** Step 2 (MFA): the mailed code. On success a new session starts and the challenge cookie goes. */
  verifyOtp: publicProcedure
    .input(
      z.object({
        code: z
          .string()
          .normalize("NFKC")
          .trim()
          .min(1, "ワンタイムパスワードを入力してください。")
          .regex(/^\d{6}$/, "ワンタイムパスワードは6桁の数字で入力してください。"),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await auth.loginWithCode(ctx.deps, challengeToken(ctx), input.code, ctx.meta).catch((error) => {
        if (error?.code === "OTP_CHALLENGE_ENDED") challengeCookie(ctx, "", 0);
        throw error;
      });
      challengeCookie(ctx, "", 0);
      ctx.setSessionCookie(result.sessionId);
      return { mustChangePassword: result.mustChangePassword };
    }),

  /** Step 2 with an authenticator app: リカバリーコードを使用する instead of the app's code (used up). */
  verifyRecoveryCode: publicProcedure
    .input(
      z.object({
        recoveryCode: z
          .string()
          .normalize("NFKC")
          .trim()
          .min(1, "リカバリーコードを入力してください。")
          .max(32, "リカバリーコードが長すぎます。"),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const result = await auth
        .loginWithRecoveryCode(ctx.deps, challengeToken(ctx), input.recoveryCode, ctx.meta)
        .catch((error) => {
          if (error?.code === "OTP_CHALLENGE_ENDED") challengeCookie(ctx, "", 0);
          throw error;
        });
      challengeCookie(ctx, "", 0);
      ctx.setSessionCookie(result.sessionId);
      return { mustChangePassword: result.mustChangePassword };
    }),

  resendOtp: publicProcedure.mutation(async ({ ctx }) => {
    const { expiresAt } = await resendLoginCode(
      ctx.deps,
      challengeToken(ctx),
      (id) => recipient(ctx.deps.db, id),
      ctx.meta,
    );
    challengeCookie(ctx, challengeToken(ctx), OTP.ttlMs / 1000);
    return { expiresAt: expiresAt.toISOString(), expiresAtLabel: formatTokyo(expiresAt) };
  }),

  logout: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.session && ctx.customer) {
      await auth.logout(
        ctx.deps,
        { sessionId: ctx.session.id, userId: ctx.customer.user.id, accountId: ctx.customer.account.id },
        ctx.meta,
      );
    }
    ctx.clearSessionCookie();
    return { ok: true as const };
  }),

  /** The signed-in customer, or null. */
  me: publicProcedure.query(({ ctx }) => ctx.customer),

  /** Requires a session free to use the site. */
  requireCustomer: customerProcedure.query(({ ctx }) => ctx.customer),

  /** パスワードをお忘れの方: the same answer whether or not the pair exists. */
  requestPasswordReset: publicProcedure
    .input(loginInput.pick({ loginId: true, email: true }))
    .mutation(async ({ ctx, input }) => {
      await requestPasswordReset(ctx.deps, input, ctx.meta);
      return { ok: true as const };
    }),

  resetTokenValid: publicProcedure
    .input(z.object({ token }))
    .query(({ ctx, input }) => isResetTokenValid(ctx.deps, input.token)),

  resetPassword: publicProcedure.input(newPasswordInput.extend({ token })).mutation(async ({ ctx, input }) => {
    await resetPassword(ctx.deps, input.token, input, ctx.meta);
    // Any session this browser had is gone with the others.
    if (ctx.session) ctx.clearSessionCookie();
    return { ok: true as const };
  }),

  /** 心当たりがない場合: the sign-in a ログイン通知's link reports, or null when the link cannot be used. */
  loginReportInfo: publicProcedure
    .input(z.object({ token }))
    .query(({ ctx, input }) => loginReportInfo(ctx.deps, input.token)),

  /** すべての端末からログアウト from that link (a POST: opening the page uses nothing). */
  reportLogin: publicProcedure.input(z.object({ token })).mutation(async ({ ctx, input }) => {
    await reportLogin(ctx.deps, input.token, ctx.meta);
    if (ctx.session) ctx.clearSessionCookie();
    return { ok: true as const };
  }),
});
