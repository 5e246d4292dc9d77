import type { TRPCError } from "@trpc/server";

/**
 * Messages per form field from a tRPC error: a DomainError's fieldErrors or a zod error's issues.
 * Duck-typed on purpose: the Remix build bundles its own copy of this module, so `instanceof`
 * across the two copies would fail.
 */
export function fieldErrorsOf(error: TRPCError): Record<string, string[]> {
  const cause = error.cause as unknown as
    | { fieldErrors?: Record<string, string[]>; issues?: { path: PropertyKey[]; message: string }[] }
    | undefined;
  if (cause?.fieldErrors && typeof cause.fieldErrors === "object") return cause.fieldErrors;
  if (!Array.isArray(cause?.issues)) return {};
  const out: Record<string, string[]> = {};
  for (const issue of cause.issues) {
    const key = String(issue.path[0] ?? "_form");
    out[key] = [...(out[key] ?? []), issue.message];
  }
  return out;
}
