import { z } from "zod";
import {
  createProduct,
  editProduct,
  getProductForStaff,
  listProductsForStaff,
  setProductOnSale,
} from "../services/backoffice/products";
import { importProducts, previewProductImport } from "../services/ordering/product-import";
import { router, staffProcedure } from "../trpc/init";
import { bytes, csvFile, id } from "./shared";

/**
 * A product form's fields as typed (text; prices too, as the CSV gives them): the service's
 * validateProduct reads them (full-width digits, 12,000) and words every rule; this only caps the size.
 */
const field = (label: string) => z.string(`${label}を入力してください。`).max(1000, `${label}が長すぎます。`);
const productForm = {
  modelNo: field("型番"),
  maker: field("メーカー"),
  name: field("商品名"),
  category: field("カテゴリ"),
  specSummary: field("仕様"),
  dailyPrice: field("日額"),
  monthlyPrice: field("月額"),
};

/** 商品管理 (/admin/products): any signed-in staff member. */
export const backofficeProductsRouter = router({
  list: staffProcedure
    .input(
      z.object({
        keyword: z.string().max(100, "キーワードは100文字以内で入力してください。").optional(),
        status: z.enum(["on_sale", "ended", "all"]).optional(),
        cursor: z.string().max(200).nullish(),
      }),
    )
    .query(({ ctx, input }) =>
      listProductsForStaff(ctx.deps, { keyword: input.keyword, status: input.status }, input.cursor),
    ),

  get: staffProcedure.input(z.object({ id })).query(({ ctx, input }) => getProductForStaff(ctx.deps, input.id)),

  /** 商品登録 */
  create: staffProcedure
    .input(z.object(productForm))
    .mutation(({ ctx, input }) => createProduct(ctx.deps, ctx.staff, input, ctx.meta)),

  /** 編集 */
  update: staffProcedure.input(z.object({ id, ...productForm })).mutation(async ({ ctx, input }) => {
    const { id: productId, ...fields } = input;
    await editProduct(ctx.deps, ctx.staff, productId, fields, ctx.meta);
    return { ok: true as const };
  }),

  /** 販売終了 */
  retire: staffProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    await setProductOnSale(ctx.deps, ctx.staff, input.id, false, ctx.meta);
    return { ok: true as const };
  }),

  /** 販売再開 */
  resume: staffProcedure.input(z.object({ id })).mutation(async ({ ctx, input }) => {
    await setProductOnSale(ctx.deps, ctx.staff, input.id, true, ctx.meta);
    return { ok: true as const };
  }),

  /** CSV 確認: writes nothing. */
  previewCsv: staffProcedure
    .input(z.object({ file: csvFile }))
    .mutation(({ ctx, input }) => previewProductImport(ctx.deps, bytes(input.file))),

  /** CSV 取込: all rows or none; an existing 型番 is updated. */
  importCsv: staffProcedure
    .input(z.object({ file: csvFile }))
    .mutation(({ ctx, input }) =>
      importProducts(ctx.deps, bytes(input.file), { type: "staff", id: ctx.staff.id }, ctx.meta),
    ),
});
