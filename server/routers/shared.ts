import { z } from "zod";
import type { Context } from "../trpc/context";

/** Zod pieces more than one router uses. */
export const id = z.string().min(1).max(64);
export const token = z.string().max(128);

type CustomerCtx = Context & { customer: NonNullable<Context["customer"]> };

/** Who acts, for services that check ownership and write audit events. */
export const actor = (ctx: CustomerCtx) => ({ userId: ctx.customer.user.id, accountId: ctx.customer.account.id });
