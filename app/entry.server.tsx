import type { ActionFunctionArgs, AppLoadContext, EntryContext, LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { renderToString } from "react-dom/server";
import { compressDocument } from "../server/compression";
import { loggedPath } from "../server/request-log";
import { NonceProvider } from "./utils/nonce";

/**
 * Errors of loaders and actions. An answer the app chose (404 of an unknown path or of another account's
 * number, 403, 400) is already in the request's log line: no stack trace for it. A request the client
 * abandoned is not an error. Anything else is logged with its stack and the request's id (X-Request-Id).
 */
export function handleError(error: unknown, { request, context }: LoaderFunctionArgs | ActionFunctionArgs) {
  if (request.signal.aborted) return;
  if (isRouteErrorResponse(error) && error.status < 500) return;
  console.error(
    `error in ${request.method} ${loggedPath(new URL(request.url).pathname)} id=${context.requestId}`,
    error,
  );
}

/**
 * The document is rendered whole into a string (`renderToString`), then sent as one body, compressed in one
 * call (server/compression.ts). No page streams or suspends: no `defer`, no `<Await>`, no `lazy` on the server
 * (tests/unit/entry-server.test.ts keeps it so), so the shell is the whole page anyway.
 *
 * Not `renderToPipeableStream`: React 18's streaming renderer encodes into 2 KB buffers and, when a character of
 * several bytes does not fit at a buffer's end, sends the whole buffer with its unwritten tail — NUL bytes
 * inside Japanese text, which a browser drops from text and turns into U+FFFD inside an attribute (an
 * aria-label read "レンタル中の商\uFFFD品"). React 19 fixed it (facebook/react#26228); React 18.3.1 is what this
 * stack has. The string renderer builds the document as one string and never had the fault. It also costs less
 * CPU: no encoding of every small piece of markup into a buffer (docs/benchmarks.md, decision 019).
 * A render that throws makes Remix render the error boundary instead, as a failed shell did.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce;
  const html = renderToString(
    <NonceProvider value={nonce}>
      <RemixServer context={remixContext} url={request.url} nonce={nonce} />
    </NonceProvider>,
  );
  responseHeaders.set("Content-Type", "text/html; charset=utf-8");
  return compressDocument(request, responseHeaders, `<!DOCTYPE html>${html}`).then(
    (compressed) => new Response(compressed, { headers: responseHeaders, status: responseStatusCode }),
  );
}
