import { z } from "zod";
import { serializeCookie, staffChallengeCookieName } from "../auth/cookies";
import { formatTokyo } from "../lib/format";
import { changeOwnStaffPassword } from "../services/backoffice/staff";
import * as staffAuth from "../services/backoffice/staff-sign-in";
import { OTP } from "../services/identity/otp";
import type { Context } from "../trpc/context";
import { publicProcedure, router, staffProcedure } from "../trpc/init";
import { newPassword, password } from "./shared";

/** スタッフログイン (SPEC §6): /admin/login, then always /admin/login/otp. */

const loginInput = z.object({
  email: z.string().trim().min(1, "メールアドレスを入力してください。").max(254, "メールアドレスが長すぎます。"),
  password: z.string().min(1, "パスワードを入力してください。").max(128, "パスワードが長すぎます。"),
});

function challengeCookie(ctx: Context, token: string, maxAgeSeconds: number) {
  const secure = ctx.deps.config.secureCookies;
  ctx.setCookie(serializeCookie(staffChallengeCookieName(secure), token, { secure, maxAge: maxAgeSeconds }));
}

function challengeToken(ctx: Context): string {
  return ctx.cookies[staffChallengeCookieName(ctx.deps.config.secureCookies)] ?? "";
}

export const staffAuthRouter = router({
  /** Step 1: a right password mails a code and starts the challenge; never a session yet. */
  login: publicProcedure.input(loginInput).mutation(async ({ ctx, input }) => {
    const { challengeToken: token, expiresAt } = await staffAuth.staffLogin(ctx.deps, input, ctx.meta);
    challengeCookie(ctx, token, OTP.ttlMs / 1000);
    return { status: "otp_required" as const, expiresAt: expiresAt.toISOString() };
  }),

  /** The open staff one-time-password step of this browser, or null. */
  otpChallenge: publicProcedure.query(async ({ ctx }) => {
    const info = await staffAuth.staffChallengeInfo(ctx.deps, challengeToken(ctx));
    return info ? { expiresAt: info.expiresAt, expiresAtLabel: formatTokyo(new Date(info.expiresAt)) } : null;
  }),

  /** Step 2: the mailed code. On success a new staff session starts (staff cookie) and the challenge goes. */
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
      const { sessionId } = await staffAuth
        .verifyStaffCode(ctx.deps, challengeToken(ctx), input.code, ctx.meta)
        .catch((error) => {
          if (error?.code === "OTP_CHALLENGE_ENDED") challengeCookie(ctx, "", 0);
          throw error;
        });
      challengeCookie(ctx, "", 0);
      ctx.setStaffSessionCookie(sessionId);
      return { ok: true as const };
    }),

  resendOtp: publicProcedure.mutation(async ({ ctx }) => {
    const { expiresAt } = await staffAuth.resendStaffCode(ctx.deps, challengeToken(ctx), ctx.meta);
    challengeCookie(ctx, challengeToken(ctx), OTP.ttlMs / 1000);
    return { expiresAt: expiresAt.toISOString(), expiresAtLabel: formatTokyo(expiresAt) };
  }),

  /** Ends the staff session of this browser (the customer session, if any, stays). */
  logout: publicProcedure.mutation(async ({ ctx }) => {
    if (ctx.staffSession && ctx.staff) {
      await staffAuth.staffLogout(ctx.deps, { sessionId: ctx.staffSession.id, staffId: ctx.staff.id }, ctx.meta);
    }
    ctx.clearStaffSessionCookie();
    return { ok: true as const };
  }),

  /** パスワード変更 (/admin/password): the current password, then a new one; a new session starts. */
  changePassword: staffProcedure
    .input(z.object({ currentPassword: password, ...newPassword }))
    .mutation(async ({ ctx, input }) => {
      const { sessionId } = await changeOwnStaffPassword(ctx.deps, ctx.staff, input, ctx.meta).catch((error) => {
        if (error?.code === "INVALID_CREDENTIALS") ctx.clearStaffSessionCookie();
        throw error;
      });
      ctx.setStaffSessionCookie(sessionId);
      return { ok: true as const };
    }),

  /** The signed-in staff member, or null. */
  me: publicProcedure.query(({ ctx }) => ctx.staff),

  /** Requires a staff session: what every /admin page's loader asks first. */
  requireStaff: staffProcedure.query(({ ctx }) => ctx.staff),
});
