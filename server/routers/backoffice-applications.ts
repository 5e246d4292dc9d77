import { z } from "zod";
import * as actions from "../services/backoffice/application-actions";
import * as applications from "../services/backoffice/applications";
import { router, staffProcedure } from "../trpc/init";
import { dateField, filterDateField, readNumber, textField } from "./form-values";

/** An application number as the URL or a form names it (O-2026-000123). */
const number = z.string("申込番号を指定してください。").min(1, "申込番号を指定してください。").max(32);

const CONFIRMATIONS = [
  "unarranged",
  "arranged",
  "unanswered",
  "answered",
  "unreturned",
  "returned",
  "unconfirmed",
  "extended",
] as const;

const filter = z.object({
  kind: z.enum(["quote", "order", "cancellation", "extension"], "種別を選択してください。").optional(),
  result: z.enum(["pending", "accepted", "failed"], "申込結果を選択してください。").optional(),
  confirmation: z.enum(CONFIRMATIONS, "確認状況を選択してください。").optional(),
  from: filterDateField("期間(開始)"),
  to: filterDateField("期間(終了)"),
  keyword: z.string().max(100, "キーワードは100文字以内で入力してください。").optional(),
  cursor: z.string().max(200).optional(),
});

/** The form field of a line's 単価: `price.<applicationLineId>`, as the service keys its messages. */
export const priceField = (lineId: string) => `price.${lineId}`;

/** 単価 per application line id (text, or a number from a program), each beside its own field. */
const unitPrices = z
  .record(z.string().max(64), z.union([z.string(), z.number()]), "単価を入力してください。")
  .transform((byLine, ctx) => {
    const out: [string, number][] = [];
    for (const [lineId, value] of Object.entries(byLine)) {
      const read = readNumber(value, "単価");
      if (read.ok) out.push([lineId, read.value]);
      else
        ctx.addIssue({ code: "custom", message: read.message, path: [lineId], params: { field: priceField(lineId) } });
    }
    return Object.fromEntries(out);
  });

/**
 * 見積回答 as the form sends it: 単価 per line, 有効期限, コメント. A non-number 単価 and a date that is
 * no date are refused here, beside their fields; the service keeps the rules (0〜上限, an integer, every
 * line priced, 有効期限 from today, コメント length).
 */
const quoteAnswer = z.object({
  number,
  unitPrices,
  validUntil: dateField("有効期限"),
  comment: textField({ label: "コメント", max: 1000 }).default(""),
});

/** 申込一覧 of the back office (SPEC §6): any active staff member; the actor is ctx.staff. */
export const backofficeApplicationsRouter = router({
  dashboard: staffProcedure.query(({ ctx }) => applications.countOpen(ctx.deps)),

  list: staffProcedure
    .input(filter)
    .query(({ ctx, input }) => applications.listApplications(ctx.deps, input, input.cursor)),

  get: staffProcedure
    .input(z.object({ number }))
    .query(({ ctx, input }) => applications.getApplicationForStaff(ctx.deps, input.number)),

  arrange: staffProcedure
    .input(z.object({ number }))
    .mutation(({ ctx, input }) =>
      actions.arrangeApplication(ctx.deps, { type: "staff", id: ctx.staff.id }, input.number, ctx.meta),
    ),

  answerQuote: staffProcedure
    .input(quoteAnswer)
    .mutation(({ ctx, input }) =>
      actions.answerQuote(ctx.deps, { type: "staff", id: ctx.staff.id }, input.number, input, ctx.meta),
    ),

  confirmReturn: staffProcedure
    .input(z.object({ number }))
    .mutation(({ ctx, input }) =>
      actions.confirmReturn(ctx.deps, { type: "staff", id: ctx.staff.id }, input.number, ctx.meta),
    ),

  /** 延長確認: the rental's 返却予定日 moves to the extension's date. */
  confirmExtension: staffProcedure
    .input(z.object({ number }))
    .mutation(({ ctx, input }) =>
      actions.confirmExtension(ctx.deps, { type: "staff", id: ctx.staff.id }, input.number, ctx.meta),
    ),

  retryIntake: staffProcedure
    .input(z.object({ number }))
    .mutation(({ ctx, input }) =>
      actions.retryIntake(ctx.deps, { type: "staff", id: ctx.staff.id }, input.number, ctx.meta),
    ),
});
