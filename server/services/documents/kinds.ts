/**
 * Which documents an application has (SPEC §3 "Documents", ADR 023): a 見積書 once staff answered the quote
 * (見積回答済), a 注文請書 once they arranged the order (手配済). Pure: the detail page, the download and the
 * status mails ask this one function.
 */

export type DocumentKind = "quote" | "order";

export const DOCUMENT_TITLE: Record<DocumentKind, string> = { quote: "見積書", order: "注文請書" };

export function documentKindsOf(a: {
  kind: string;
  answered_at: string | null;
  arranged_at: string | null;
}): DocumentKind[] {
  if (a.kind === "quote" && a.answered_at) return ["quote"];
  if (a.kind === "order" && a.arranged_at) return ["order"];
  return [];
}

/** The file's name as the customer saves it: 見積書_Q-2026-000123.pdf. */
export function documentFilename(kind: DocumentKind, number: string): string {
  return `${DOCUMENT_TITLE[kind]}_${number}.pdf`;
}
