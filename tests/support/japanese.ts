import { expect } from "vitest";

/**
 * A message a customer may read: Japanese, and none of the English a library writes for programmers
 * ("Invalid input: expected number, received NaN"). Short ASCII such as "ID", "PO" or an example date
 * is fine; a run of four or more Latin letters is not.
 */
export function expectJapanese(message: string): void {
  expect(message, "a Japanese message").toMatch(/[\u3040-\u30ff\u3400-\u9fff]/);
  expect(message).not.toMatch(/invalid|expected|received|required|undefined|NaN|string|number|object|too (big|small)/i);
  expect(message).not.toMatch(/[A-Za-z]{4,}/);
}
