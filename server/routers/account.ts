import { z } from "zod";
import { formatTokyo } from "../lib/format";
import { describeUserAgent } from "../lib/user-agent";
import {
  authenticatorState,
  cancelEnrolment,
  confirmEnrolment,
  regenerateRecoveryCodes,
  removeAuthenticator,
  startEnrolment,
} from "../services/identity/authenticator";
import * as emailChange from "../services/identity/email-change";
import { changePassword, SignedOutAfterGuesses } from "../services/identity/passwords";
import { previousLogin, USER_NAME_MAX, updateProfile } from "../services/identity/profile";
import * as security from "../services/identity/security";
import { openApplications } from "../services/ordering/history";
import { rentalsDueFirst } from "../services/ordering/rentals";
import type { Context } from "../trpc/context";
import { customerProcedure, publicProcedure, router, signedInProcedure } from "../trpc/init";
import { textField } from "./form-values";
import { email, newPassword, password, token } from "./shared";

/** Too many wrong current passwords ended the user's sessions: this browser's cookie goes at once. */
function clearCookieWhenSignedOut(ctx: Context) {
  return (error: unknown): never => {
    if (error instanceof SignedOutAfterGuesses) ctx.clearSessionCookie();
    throw error;
  };
}

/** The signed-in user and the session of the request, for セキュリティ設定. */
function securityActor(ctx: { customer: { user: { id: string }; account: { id: string } }; session: { id: string } }) {
  return { userId: ctx.customer.user.id, accountId: ctx.customer.account.id, sessionId: ctx.session.id };
}

/** How many of the newest open applications the home page shows (the rest are in 申込履歴). */
const HOME_APPLICATIONS = 5;
/** How many rentals the home page shows: those due back soonest. */
const HOME_RENTALS = 5;

export const accountRouter = router({
  /**
   * The home page: the sign-in before this one ("not you?"), the newest applications still open (not
   * 手配済 / 回答済 / 返却済), and the rentals with their 返却予定日.
   */
  home: customerProcedure.query(async ({ ctx }) => {
    const accountId = ctx.customer.account.id;
    const [last, open, due] = await Promise.all([
      previousLogin(ctx.deps, ctx.customer.user.id),
      openApplications(ctx.deps, accountId, HOME_APPLICATIONS),
      rentalsDueFirst(ctx.deps, accountId, HOME_RENTALS),
    ]);
    return {
      previousLogin: last
        ? { atLabel: formatTokyo(new Date(last.at)), ip: last.ip ?? "不明", browser: describeUserAgent(last.userAgent) }
        : null,
      openApplications: open,
      /** The rentals due back soonest; all of them (rentalCount) are under レンタル中の注文. */
      rentals: due.rentals,
      rentalCount: due.total,
    };
  }),

  /** セキュリティ設定: the user's ログイン履歴 and ログイン中の端末 (this one marked). */
  security: customerProcedure.query(async ({ ctx }) => {
    const [history, devices, authenticator] = await Promise.all([
      security.loginHistory(ctx.deps, ctx.customer.user.id),
      security.devices(ctx.deps, ctx.customer.user.id, ctx.session.id),
      authenticatorState(ctx.deps, ctx.customer.user.id),
    ]);
    return { history, devices, authenticator };
  }),
  /** 認証アプリを設定: a new key waits for its first code (shown by `security`). */
  startAuthenticator: customerProcedure.mutation(async ({ ctx }) => {
    await startEnrolment(ctx.deps, ctx.customer.user.id);
    return { ok: true as const };
  }),
  /** 中止 of a waiting enrolment. */
  cancelAuthenticator: customerProcedure.mutation(async ({ ctx }) => {
    await cancelEnrolment(ctx.deps, ctx.customer.user.id);
    return { ok: true as const };
  }),
  /** 登録 with the 確認コード: the ten リカバリーコード, shown this once. */
  confirmAuthenticator: customerProcedure
    .input(z.object({ code: z.string().max(32) }))
    .mutation(({ ctx, input }) => confirmEnrolment(ctx.deps, ctx.customer.user.id, input.code, ctx.meta)),
  /** リカバリーコードを再発行 (current password): ten new codes, shown this once. */
  regenerateRecoveryCodes: customerProcedure
    .input(z.object({ currentPassword: password }))
    .mutation(({ ctx, input }) =>
      regenerateRecoveryCodes(ctx.deps, ctx.customer.user.id, input.currentPassword, ctx.meta).catch(
        clearCookieWhenSignedOut(ctx),
      ),
    ),
  /** 認証アプリを解除 (current password). */
  removeAuthenticator: customerProcedure
    .input(z.object({ currentPassword: password }))
    .mutation(async ({ ctx, input }) => {
      await removeAuthenticator(ctx.deps, ctx.customer.user.id, input.currentPassword, ctx.meta).catch(
        clearCookieWhenSignedOut(ctx),
      );
      return { ok: true as const };
    }),
  /** ログアウト of another device of the user's (ログイン中の端末); `ended` false when it had already ended. */
  endSession: customerProcedure.input(z.object({ handle: z.string().max(128) })).mutation(async ({ ctx, input }) => ({
    ended: await security.endSession(ctx.deps, securityActor(ctx), input.handle, ctx.meta),
  })),
  /** 他の端末をすべてログアウト: how many other sessions ended. */
  endOtherSessions: customerProcedure.mutation(async ({ ctx }) => ({
    ended: await security.endOtherSessions(ctx.deps, securityActor(ctx), ctx.meta),
  })),

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
    .input(z.object({ currentPassword: password, ...newPassword }))
    .mutation(async ({ ctx, input }) => {
      const { sessionId } = await changePassword(
        ctx.deps,
        { userId: ctx.customer.user.id },
        input,
        "settings",
        ctx.meta,
      ).catch(clearCookieWhenSignedOut(ctx));
      ctx.setSessionCookie(sessionId);
      return { ok: true as const };
    }),

  updateProfile: customerProcedure
    .input(
      z.object({
        name: textField({ label: "ユーザ名", max: USER_NAME_MAX }),
        mfaEnabled: z.boolean(),
        currentPassword: password.optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      updateProfile(ctx.deps, { userId: ctx.customer.user.id }, input, ctx.meta).catch(clearCookieWhenSignedOut(ctx)),
    ),

  /** メールアドレス変更依頼 (step 1): needs the current password. */
  requestEmailChange: customerProcedure
    .input(z.object({ currentPassword: password }))
    .mutation(async ({ ctx, input }) => {
      await emailChange
        .requestEmailChange(ctx.deps, { userId: ctx.customer.user.id }, input, ctx.meta)
        .catch(clearCookieWhenSignedOut(ctx));
      return { ok: true as const };
    }),

  emailChangeLink: publicProcedure
    .input(z.object({ token }))
    .query(({ ctx, input }) => emailChange.requestLinkInfo(ctx.deps, input.token)),

  submitNewEmail: publicProcedure
    .input(z.object({ token, newEmail: email }))
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
