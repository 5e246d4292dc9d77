import { z } from "zod";
import { formatTokyo } from "../lib/format";
import {
  getAccountForStaff,
  openAccount,
  removeUserAuthenticator,
  requirePasswordChange,
  resendSetupMail,
  resumeAccount,
  searchAccounts,
  suspendAccount,
  unlockUser,
} from "../services/backoffice/accounts";
import { importMembers, previewMemberImport, temporaryPasswordCsv } from "../services/backoffice/member-import";
import { router, staffProcedure } from "../trpc/init";
import { bytes, csvFile, email, id, password } from "./shared";

const accountUser = z.object({ accountId: id, userId: id });

/** 顧客管理 and 会員データ移行 (/admin/accounts, /admin/import): any signed-in staff member. */
export const backofficeAccountsRouter = router({
  search: staffProcedure
    .input(
      z.object({
        keyword: z.string().max(100, "キーワードは100文字以内で入力してください。").optional(),
        cursor: z.string().max(200).nullish(),
      }),
    )
    .query(({ ctx, input }) => searchAccounts(ctx.deps, input.keyword, input.cursor)),

  get: staffProcedure.input(z.object({ accountId: id })).query(async ({ ctx, input }) => {
    const account = await getAccountForStaff(ctx.deps, input.accountId);
    return {
      ...account,
      users: account.users.map((u) => ({
        ...u,
        lastLoginLabel: u.lastLoginAt ? formatTokyo(new Date(u.lastLoginAt)) : null,
      })),
    };
  }),

  /** 顧客登録: without 初期パスワード the first user gets the set-up mail. */
  open: staffProcedure
    .input(
      z.object({
        loginId: z.string("ログインIDを入力してください。").max(32, "ログインIDは32文字以内で入力してください。"),
        companyName: z.string("会社名を入力してください。").max(100, "会社名は100文字以内で入力してください。"),
        email,
        userName: z.string().max(50, "ユーザ名は50文字以内で入力してください。").optional(),
        password: password.optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { accountId } = await openAccount(
        ctx.deps,
        ctx.staff,
        {
          loginId: input.loginId,
          companyName: input.companyName,
          email: input.email,
          userName: input.userName || undefined,
          initialPassword: input.password || undefined,
        },
        ctx.meta,
      );
      return { accountId };
    }),

  unlockUser: staffProcedure.input(accountUser).mutation(async ({ ctx, input }) => {
    await unlockUser(ctx.deps, ctx.staff, input.accountId, input.userId, ctx.meta);
    return { ok: true as const };
  }),

  resendSetupMail: staffProcedure.input(accountUser).mutation(async ({ ctx, input }) => {
    await resendSetupMail(ctx.deps, ctx.staff, input.accountId, input.userId, ctx.meta);
    return { ok: true as const };
  }),

  /** 認証アプリ解除 of a user who lost the phone and the recovery codes. */
  removeAuthenticator: staffProcedure.input(accountUser).mutation(async ({ ctx, input }) => {
    await removeUserAuthenticator(ctx.deps, ctx.staff, input.accountId, input.userId, ctx.meta);
    return { ok: true as const };
  }),

  requirePasswordChange: staffProcedure.input(accountUser).mutation(async ({ ctx, input }) => {
    await requirePasswordChange(ctx.deps, ctx.staff, input.accountId, input.userId, ctx.meta);
    return { ok: true as const };
  }),

  suspend: staffProcedure.input(z.object({ accountId: id })).mutation(async ({ ctx, input }) => {
    await suspendAccount(ctx.deps, ctx.staff, input.accountId, ctx.meta);
    return { ok: true as const };
  }),

  resume: staffProcedure.input(z.object({ accountId: id })).mutation(async ({ ctx, input }) => {
    await resumeAccount(ctx.deps, ctx.staff, input.accountId, ctx.meta);
    return { ok: true as const };
  }),

  /** 確認: writes nothing. */
  previewMemberImport: staffProcedure
    .input(z.object({ file: csvFile }))
    .mutation(({ ctx, input }) => previewMemberImport(ctx.deps, bytes(input.file))),

  /**
   * 取込: all rows or none; imported users get the set-up mail, or with `temporaryPasswords` (初期パスワードを
   * 発行する) a temporary password each, returned once in this answer and stored only as a hash.
   */
  importMembers: staffProcedure
    .input(z.object({ file: csvFile, temporaryPasswords: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      const result = await importMembers(
        ctx.deps,
        bytes(input.file),
        { type: "staff", id: ctx.staff.id },
        { temporaryPasswords: input.temporaryPasswords ?? false },
        ctx.meta,
      );
      if (!result.ok) return { ...result, passwordCsv: null };
      // The result file (the admin CLI writes the same one): only in this answer, never stored.
      const { temporaryPasswords: issued, ...counts } = result;
      return { ...counts, passwordCsv: issued?.length ? temporaryPasswordCsv(issued) : null };
    }),
});
