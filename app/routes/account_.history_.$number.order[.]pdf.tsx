import type { LoaderFunctionArgs } from "@remix-run/node";
import { documentDownload } from "~/utils/document-download.server";

/** 注文請書PDF: the 注文請書 of an arranged order (/account/history/<number>/order.pdf). */
export function loader({ context, params, request }: LoaderFunctionArgs) {
  return documentDownload(context, request, params.number ?? "", "order");
}
