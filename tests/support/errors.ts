import type { TRPCError } from "@trpc/server";
import { expect } from "vitest";

/** The error a call must fail with (the test fails when it succeeds). */
export async function failure(p: Promise<unknown>): Promise<TRPCError> {
  const e = await p.then(
    () => null,
    (error: unknown) => error,
  );
  expect(e, "expected the call to fail").not.toBeNull();
  return e as TRPCError;
}

/** The service's stable code (INVALID_CREDENTIALS, OTP_INVALID, …), else the tRPC code. */
export const domainCode = (e: TRPCError) => (e.cause as { code?: string } | undefined)?.code ?? e.code;

/** The messages per form field that the error carries. */
export const fieldErrors = (e: TRPCError) =>
  (e.cause as unknown as { fieldErrors: Record<string, string[]> }).fieldErrors;
