import { z } from "zod";
import { AUDIT_ACTION_LABELS, AUDIT_ACTIONS } from "../services/audit-labels";
import { auditCsvChunk, listAuditEvents } from "../services/backoffice/audit-log";
import { router, staffProcedure } from "../trpc/init";
import { filterDateField } from "./form-values";

/** 操作ログ's filter as the form sends it; the service resolves 実行者 and 顧客 and checks 操作. */
const filter = z.object({
  actor: z.string().max(254, "実行者は254文字以内で入力してください。").optional(),
  loginId: z.string().max(32, "顧客(ログインID)は32文字以内で入力してください。").optional(),
  action: z.string().max(64, "操作は一覧から選択してください。").optional(),
  from: filterDateField("期間(開始)"),
  to: filterDateField("期間(終了)"),
});
const cursor = z.string().max(200).nullish();

/**
 * 操作ログ (/admin/audit, SPEC §6): any signed-in staff member (admins and operators alike: §6 keeps
 * only staff management from operators). Reading is not audited; the CSV export is (audit.export).
 */
export const backofficeAuditRouter = router({
  /** The 操作 select's options, in the labels' order. */
  actions: staffProcedure.query(() => AUDIT_ACTIONS.map((value) => ({ value, label: AUDIT_ACTION_LABELS[value] }))),

  list: staffProcedure
    .input(filter.extend({ cursor }))
    .query(({ ctx, input }) => listAuditEvents(ctx.deps, input, input.cursor)),

  /** One chunk of the CSV file; the first (no cursor) has the BOM and header and records the export. */
  csvChunk: staffProcedure
    .input(filter.extend({ cursor }))
    .query(({ ctx, input }) => auditCsvChunk(ctx.deps, ctx.staff, input, input.cursor ?? null, ctx.meta)),
});
