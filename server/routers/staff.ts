import { z } from "zod";
import { formatTokyo } from "../lib/format";
import { createStaff, listStaff, resetStaffPassword, setStaffStatus } from "../services/backoffice/staff";
import { adminProcedure, router } from "../trpc/init";
import { email, id, newPassword, password } from "./shared";

/** スタッフ管理 (/admin/staff): admins only. */
export const staffRouter = router({
  list: adminProcedure.query(async ({ ctx }) =>
    (await listStaff(ctx.deps.db)).map((s) => ({ ...s, createdAtLabel: formatTokyo(new Date(s.createdAt)) })),
  ),

  add: adminProcedure
    .input(
      z.object({
        email,
        name: z.string().max(50, "氏名は50文字以内で入力してください。").optional(),
        role: z.enum(["admin", "operator"], "役割を選択してください。"),
        password,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const { staffId } = await createStaff(ctx.deps, input, { type: "staff", id: ctx.staff.id }, ctx.meta);
      return { id: staffId };
    }),

  setStatus: adminProcedure
    .input(z.object({ id, status: z.enum(["active", "disabled"]) }))
    .mutation(async ({ ctx, input }) => {
      await setStaffStatus(ctx.deps, ctx.staff, input.id, input.status, ctx.meta);
      return { ok: true as const };
    }),

  /** パスワード再設定 of another staff member who lost theirs: their sessions end, their lockout lifts. */
  resetPassword: adminProcedure.input(z.object({ id, ...newPassword })).mutation(async ({ ctx, input }) => {
    await resetStaffPassword(ctx.deps, ctx.staff, input.id, input, ctx.meta);
    return { ok: true as const };
  }),
});
