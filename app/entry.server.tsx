import { Writable } from "node:stream";
import type { ActionFunctionArgs, AppLoadContext, EntryContext, LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { compressDocument } from "../server/compression";
import { loggedPath } from "../server/request-log";
import { NonceProvider } from "./utils/nonce";

const ABORT_DELAY = 5_000;

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
 * The document is rendered whole, then sent as one body. No page suspends (no `defer`), so the shell is the
 * whole page anyway, and one body is cheaper than a stream: the compression middleware flushes after every
 * chunk the Express adapter writes, and React writes the document in chunks of about 2 KB (see
 * docs/benchmarks.md). A page that one day suspends still works: the answer waits for all of it. The body
 * is compressed here in one call (server/compression.ts), not by the middleware's stream.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  const nonce = loadContext.cspNonce;
  return new Promise<Response>((resolve, reject) => {
    let shellRendered = false;
    const chunks: Uint8Array[] = [];
    const sink = new Writable({
      write(chunk: Uint8Array, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    // The render's deadline, cleared once the document is whole: a pending timer would keep the render
    // (request, loader data, React's state) alive for ABORT_DELAY after the answer, which under load is
    // thousands of finished requests held in memory.
    const deadline = setTimeout(() => abort(), ABORT_DELAY);
    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        onShellReady() {
          shellRendered = true;
        },
        onAllReady() {
          sink.once("finish", () => {
            clearTimeout(deadline);
            responseHeaders.set("Content-Type", "text/html; charset=utf-8");
            compressDocument(request, responseHeaders, Buffer.concat(chunks)).then(
              (body) => resolve(new Response(body, { headers: responseHeaders, status: responseStatusCode })),
              reject,
            );
          });
          pipe(sink);
        },
        onShellError(error: unknown) {
          clearTimeout(deadline);
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          if (shellRendered) console.error(error);
        },
      },
    );
  });
}
