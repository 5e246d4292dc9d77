import type { DB } from "../../../db";
import type { MailAttachment } from "../../mail/outbox";
import type { ServiceDeps } from "../deps";
import { loadDocument } from "./data";
import type { DocumentKind } from "./kinds";
import { renderDocumentPdf } from "./pdf";

/**
 * 見積書 / 注文請書 (SPEC §3, ADR 023): the PDF of one of the customer's applications, for the download on the
 * detail page and as the attachment of the status mail.
 */

export const PDF_TYPE = "application/pdf";

/** The customer's document: another account's application, or one without this document, is refused. */
export async function documentPdf(
  deps: Pick<ServiceDeps, "db" | "config">,
  accountId: string,
  number: string,
  kind: DocumentKind,
): Promise<{ filename: string; contentType: string; content: Buffer }> {
  const data = await loadDocument(deps.db, deps.config.company, accountId, number, kind);
  return { filename: data.filename, contentType: PDF_TYPE, content: await renderDocumentPdf(data) };
}

/**
 * The document as a status mail's attachment, read in the transaction that answers the quote or arranges the
 * order (so it shows what the mail announces). A document that cannot be made does not hold the mail back: the
 * mail goes without it (it says so, the detail page offers the download) and the failure is logged.
 */
export async function documentAttachment(
  trx: DB,
  deps: Pick<ServiceDeps, "config">,
  accountId: string,
  number: string,
  kind: DocumentKind,
): Promise<MailAttachment | null> {
  try {
    const data = await loadDocument(trx, deps.config.company, accountId, number, kind);
    return { filename: data.filename, contentType: PDF_TYPE, content: await renderDocumentPdf(data) };
  } catch (error) {
    console.error(
      `[${new Date().toISOString()}] ERROR: ${kind} document of ${number} not attached: ${error instanceof Error ? error.message : String(error)}`,
    );
    return null;
  }
}

/** The status mail's sentence about the document: attached, or (when it could not be made) where to get it. */
export function documentNote(title: string, attached: boolean): string {
  return attached
    ? `${title}(PDF)を添付しました。申込詳細からもダウンロードできます。`
    : `${title}(PDF)は申込詳細からダウンロードできます。`;
}
