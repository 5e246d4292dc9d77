import { z } from "zod";
import type { Context } from "../trpc/context";

/** Zod pieces more than one router uses. */
export const id = z.string().min(1).max(64);
export const token = z.string().max(128);

/** An email field: its format is the service's rule (with its own messages); this only caps the size. */
export const email = z.string("メールアドレスを入力してください。").max(254, "メールアドレスが長すぎます。");

/** Any password field: the policy is the service's (it lists every rule broken); this only caps the size. */
export const password = z.string("パスワードを入力してください。").max(128, "パスワードが長すぎます。");
/** 新パスワード and 新パスワード(確認用), as every password form names them. */
export const newPassword = { newPassword: password, confirmPassword: password };

type CustomerCtx = Context & { customer: NonNullable<Context["customer"]> };

/** Who acts, for services that check ownership and write audit events. */
export const actor = (ctx: CustomerCtx) => ({ userId: ctx.customer.user.id, accountId: ctx.customer.account.id });

/** The largest CSV file an import takes (会員データ移行, 商品管理; the forms say so too). */
export const CSV_MAX_BYTES = 5 * 1024 * 1024;

/**
 * An uploaded CSV file as base64, so any encoding the services read (UTF-8 with or without BOM,
 * Shift_JIS) arrives byte for byte; capped at the base64 size of CSV_MAX_BYTES.
 */
export const csvFile = z
  .string("CSVファイルを選択してください。")
  .min(1, "CSVファイルを選択してください。")
  .max(Math.ceil(CSV_MAX_BYTES / 3) * 4, "CSVファイルは5MB以内にしてください。")
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, "CSVファイルを読み取れませんでした。");

/** csvFile's bytes. */
export const bytes = (file: string) => new Uint8Array(Buffer.from(file, "base64"));
