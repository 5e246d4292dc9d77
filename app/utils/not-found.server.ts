import { TRPCError } from "@trpc/server";

/**
 * A loader's read of the record its URL names. Only "no such record" becomes the 404 page: a tRPC
 * NOT_FOUND, or an id in the URL that the router's input check refuses (no record can have it).
 * Anything else — the database down, a bug — is rethrown and shows as an error page, not as
 * "not found".
 */
export async function orNotFound<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (isMissing(error)) throw new Response("Not Found", { status: 404 });
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  if (!(error instanceof TRPCError)) return false;
  if (error.code === "NOT_FOUND") return true;
  // A zod input error carries its issues (duck-typed, as in server/trpc/field-errors.ts).
  return error.code === "BAD_REQUEST" && Array.isArray((error.cause as { issues?: unknown } | undefined)?.issues);
}
