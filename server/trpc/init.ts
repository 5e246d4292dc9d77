import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError, ZodRealError } from "zod";
import { DomainError, type DomainErrorCode } from "../services/errors";
import type { Context } from "./context";
import { fieldErrorsOf } from "./field-errors";
import { characterIssues } from "./input-characters";
import { installJapaneseErrors } from "./japanese-errors";

// Before any input is parsed: every zod message the routers can produce is Japanese.
installJapaneseErrors();

const STATUS: Record<DomainErrorCode, TRPCError["code"]> = {
  INVALID_CREDENTIALS: "UNAUTHORIZED",
  VALIDATION: "BAD_REQUEST",
  WEAK_PASSWORD: "BAD_REQUEST",
  LOGIN_ID_TAKEN: "CONFLICT",
  DUPLICATE_EMAIL: "CONFLICT",
  NOT_FOUND: "NOT_FOUND",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  PASSWORD_CHANGE_REQUIRED: "FORBIDDEN",
  OTP_INVALID: "BAD_REQUEST",
  OTP_CHALLENGE_ENDED: "UNAUTHORIZED",
  OTP_RESEND_TOO_SOON: "TOO_MANY_REQUESTS",
  TOKEN_INVALID: "BAD_REQUEST",
  LIMIT_REACHED: "CONFLICT",
};

export function domainCodeOf(error: TRPCError): string {
  return error.cause instanceof DomainError ? error.cause.code : error.code;
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const internal = error.code === "INTERNAL_SERVER_ERROR";
    return {
      ...shape,
      // Never leak internals to clients.
      message: internal ? "システムエラーが発生しました。時間をおいて再度お試しください。" : shape.message,
      data: {
        ...shape.data,
        stack: undefined,
        domainCode: domainCodeOf(error),
        fieldErrors: fieldErrorsOf(error),
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

const INPUT_INVALID = "入力内容をご確認ください。";

/**
 * The base of every procedure, one middleware (each middleware is a step through tRPC's chain, which copies
 * the call's options and context at every step):
 * - it refuses, before any schema reads it, an input with a character no text may hold (a NUL byte, other
 *   control characters, a line break outside a textarea…: ./input-characters.ts), as a zod error keyed by form
 *   field, so it is worded and shown like any refused input. Raw input, so no procedure can forget it: every
 *   procedure base builds on publicProcedure (`t` is not exported);
 * - it turns the services' DomainErrors into tRPC errors with their Japanese message, and gives a refused input
 *   (a zod error, whose own message is its issues as JSON) the same Japanese message the services use; the
 *   issues stay in `cause` for the form's field messages.
 */
const base = t.middleware(async ({ getRawInput, next }) => {
  const issues = characterIssues(await getRawInput());
  // ZodRealError is the Error that zod's own parse throws: kept as the cause, as a refused schema's is.
  if (issues.length) {
    throw new TRPCError({ code: "BAD_REQUEST", message: INPUT_INVALID, cause: new ZodRealError(issues) });
  }
  const result = await next();
  if (result.ok) return result;
  const cause = result.error.cause;
  if (cause instanceof DomainError) throw new TRPCError({ code: STATUS[cause.code], message: cause.message, cause });
  if (result.error.code === "BAD_REQUEST" && cause instanceof ZodError) {
    throw new TRPCError({ code: "BAD_REQUEST", message: INPUT_INVALID, cause });
  }
  return result;
});

/** The base of every procedure: no input with a character it may not hold, domain errors in Japanese. */
export const publicProcedure = t.procedure.use(base);

export const SIGN_IN_REQUIRED = "ログインしてください。";

export const PASSWORD_CHANGE_REQUIRED = "パスワードの変更が必要です。新しいパスワードを設定してください。";

/** The session and customer of a signed-in customer; refused (UNAUTHORIZED) without. */
function signedInCustomer(ctx: Context) {
  if (!ctx.session || !ctx.customer) throw new TRPCError({ code: "UNAUTHORIZED", message: SIGN_IN_REQUIRED });
  return { session: ctx.session, customer: ctx.customer };
}

// The middlewares below hand tRPC only the context's narrowed keys: it merges them into the context itself
// (a whole context spread here would be copied twice, key by key).

/** A signed-in customer, even one who still has to change the password (for that change and logout). */
export const signedInProcedure = publicProcedure.use(({ ctx, next }) => next({ ctx: signedInCustomer(ctx) }));

/** A signed-in customer free to use the site: a user flagged to change the password is refused everything. */
export const customerProcedure = publicProcedure.use(({ ctx, next }) => {
  const signedIn = signedInCustomer(ctx);
  if (signedIn.customer.user.mustChangePassword) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: PASSWORD_CHANGE_REQUIRED,
      cause: new DomainError("PASSWORD_CHANGE_REQUIRED", PASSWORD_CHANGE_REQUIRED),
    });
  }
  return next({ ctx: signedIn });
});

export const STAFF_SIGN_IN_REQUIRED = "スタッフとしてログインしてください。";
export const ADMIN_ONLY = "この操作は管理者のみ行えます。";

/**
 * A signed-in, active staff member: a staff session from the staff cookie only (context.ts), so a
 * customer's session never gets here, and a staff session never passes the customer procedures above.
 */
function signedInStaff(ctx: Context) {
  if (!ctx.staffSession || !ctx.staff) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: STAFF_SIGN_IN_REQUIRED });
  }
  return { staffSession: ctx.staffSession, staff: ctx.staff };
}

/** A signed-in, active staff member. */
export const staffProcedure = publicProcedure.use(({ ctx, next }) => next({ ctx: signedInStaff(ctx) }));

/** A staff member with the admin role: everything, including managing staff. */
export const adminProcedure = publicProcedure.use(({ ctx, next }) => {
  const signedIn = signedInStaff(ctx);
  if (signedIn.staff.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: ADMIN_ONLY });
  return next({ ctx: signedIn });
});
