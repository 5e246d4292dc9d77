import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

/**
 * The text of a PDF, page by page, as a reader's copy and paste would give it (pdf.js, the engine of Firefox's
 * viewer): what the unit, integration and e2e tests of 見積書 / 注文請書 check. Compare with `flat` (no
 * whitespace): a layout puts spaces and breaks where it likes.
 */
export async function pdfText(bytes: Uint8Array): Promise<{ pages: number; text: string; flat: string }> {
  // pdf.js may detach the buffer it is given: hand it a copy.
  const pdf = await getDocument({ data: new Uint8Array(bytes), disableFontFace: true, verbosity: 0 }).promise;
  let text = "";
  try {
    for (let i = 1; i <= pdf.numPages; i++) {
      const { items } = await (await pdf.getPage(i)).getTextContent();
      for (const item of items) if ("str" in item) text += item.str + (item.hasEOL ? "\n" : "");
      text += "\n";
    }
    return { pages: pdf.numPages, text, flat: text.replace(/\s+/g, "") };
  } finally {
    await pdf.destroy();
  }
}
