import { json } from "@remix-run/node";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { fieldErrorsOf } from "../../server/trpc/field-errors";

export interface FormErrors {
  formError?: string;
  fieldErrors: Record<string, string[]>;
}

/**
 * Turns an error of a tRPC call into what a form shows: one message above it and messages next to
 * each field. Errors that are not the user's (500s) are rethrown to the error boundary.
 */
export function formErrorsFrom(error: unknown): { status: number; errors: FormErrors } {
  if (!(error instanceof TRPCError) || error.code === "INTERNAL_SERVER_ERROR") throw error;
  const fieldErrors = fieldErrorsOf(error);
  const hasFieldErrors = Object.keys(fieldErrors).length > 0;
  return {
    status: getHTTPStatusCodeFromError(error),
    errors: { formError: hasFieldErrors && error.code === "BAD_REQUEST" ? undefined : error.message, fieldErrors },
  };
}

/**
 * The action's answer to a refused submission: the errors and what the user typed (never a password).
 * `extra` tells which form of a page failed; `rename` maps a server field to the form's field name.
 */
export function formFailure<V extends Record<string, string>, E extends Record<string, string> = Record<never, never>>(
  error: unknown,
  values: V,
  options: { extra?: E; rename?: Record<string, string> } = {},
) {
  const { status, errors } = formErrorsFrom(error);
  const fieldErrors: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(errors.fieldErrors))
    fieldErrors[options.rename?.[key] ?? key] = messages;
  return json({ ...(options.extra as E), formError: errors.formError, fieldErrors, values }, { status });
}

export function text(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
}
