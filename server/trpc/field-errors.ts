import type { TRPCError } from "@trpc/server";

interface Issue {
  path: PropertyKey[];
  message: string;
  params?: { field?: unknown };
}

/**
 * The form field a zod issue is shown beside. Forms are flat, with names the services also key their
 * messages by, so:
 * - an issue that names its field (`params.field`, e.g. a line's 数量 `qty.<productId>`, see
 *   server/routers/form-values.ts) is shown there;
 * - a field of a nested object keeps its own name (`delivery.company` → `company`);
 * - anything else inside a list (`lines.2.productId`) is shown at the list (`lines`);
 * - an issue about the whole input goes to `_form`.
 */
export function fieldKeyOf(issue: Issue): string {
  if (typeof issue.params?.field === "string") return issue.params.field;
  const { path } = issue;
  if (!path.length) return "_form";
  if (path.some((segment) => typeof segment === "number")) return String(path[0]);
  return String(path[path.length - 1]);
}

/**
 * Messages per form field from a tRPC error: a DomainError's fieldErrors or a zod error's issues.
 * Duck-typed on purpose: the Remix build bundles its own copy of this module, so `instanceof`
 * across the two copies would fail.
 */
export function fieldErrorsOf(error: TRPCError): Record<string, string[]> {
  const cause = error.cause as unknown as { fieldErrors?: Record<string, string[]>; issues?: Issue[] } | undefined;
  if (cause?.fieldErrors && typeof cause.fieldErrors === "object") return cause.fieldErrors;
  if (!Array.isArray(cause?.issues)) return {};
  // A Map, not an object literal: a field may be named `__proto__` by whoever wrote the input.
  const out = new Map<string, string[]>();
  for (const issue of cause.issues) {
    const key = fieldKeyOf(issue);
    out.set(key, [...(out.get(key) ?? []), issue.message]);
  }
  return Object.fromEntries(out);
}
