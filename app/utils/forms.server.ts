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
  // Messages about the whole form (key `_form`) are shown above it, like the error's own message.
  const { _form: aboutForm, ...fieldErrors } = fieldErrorsOf(error);
  const hasFieldErrors = Object.keys(fieldErrors).length > 0;
  const formError = aboutForm?.length
    ? aboutForm.join(" ")
    : hasFieldErrors && error.code === "BAD_REQUEST"
      ? undefined
      : error.message;
  return { status: getHTTPStatusCodeFromError(error), errors: { formError, fieldErrors } };
}

export interface FailureOptions<E> {
  /** Tells which form (or step) of a page failed, e.g. `{ intent: "password" }`. */
  extra?: E;
  /** Maps a server field to the form's field name. */
  rename?: Record<string, string>;
}

/** The action's answer to a refused submission: the errors and what the user typed (never a password). */
export function formFailure<V extends object, E extends Record<string, string> = Record<never, never>>(
  error: unknown,
  values: V,
  options: FailureOptions<E> = {},
) {
  const { status, errors } = formErrorsFrom(error);
  const fieldErrors: Record<string, string[]> = {};
  for (const [key, messages] of Object.entries(errors.fieldErrors))
    fieldErrors[options.rename?.[key] ?? key] = messages;
  return json({ ...(options.extra as E), formError: errors.formError, fieldErrors, values }, { status });
}

/**
 * The shape of most actions: one call to the server; if the server refuses it, the form again with
 * the errors and what was typed (formFailure); if it succeeds, `then` (usually redirectWithFlash).
 * Errors that are not the user's, and Responses thrown by the call, go on to Remix.
 *
 *   return attempt(context.caller.templates.create(values), { values }, () =>
 *     redirectWithFlash("/account/templates", "お届け先テンプレートを登録しました。", context));
 */
export async function attempt<T, R, V extends object, E extends Record<string, string> = Record<never, never>>(
  call: Promise<T>,
  failure: FailureOptions<E> & { values: V },
  then: (result: T) => R | Promise<R>,
) {
  let result: T;
  try {
    result = await call;
  } catch (error) {
    return formFailure(error, failure.values, failure);
  }
  return then(result);
}

export function text(form: FormData, name: string): string {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
}
