import type { LoaderFunctionArgs } from "@remix-run/node";
import { documentDownload } from "~/utils/document-download.server";

/** 見積書PDF: the 見積書 of an answered quote (/account/history/<number>/quote.pdf). */
export function loader({ context, params, request }: LoaderFunctionArgs) {
  return documentDownload(context, request, params.number ?? "", "quote");
}
