import { promisify } from "node:util";
import zlib from "node:zlib";
import compression from "compression";
import type { Request, Response } from "express";
import { CompressionThread } from "./compression-thread";
import { acceptsEncoding } from "./static-precompressed";
import { isTokenPage } from "./token-pages";

/**
 * Pages that carry a secret of the URL (a mailed link's token, token-pages.ts) and the dev mailbox (which
 * shows the links) are sent uncompressed: with a reflected input beside it, a compressed body's length could
 * leak the secret to an observer (BREACH). Every other answer holds no secret an attacker could guess byte by
 * byte (no CSRF tokens: the Origin check guards writes).
 */
function secretPage(path: string): boolean {
  return isTokenPage(path) || /^\/dev\/mailbox(\/|$)/.test(path);
}

/** Below this many bytes a body is sent as it is (as the compression middleware's default threshold). */
const THRESHOLD = 1024;

/** brotli's quality for answers compressed per request: the compression middleware's default, 4 of 11. */
const BROTLI_QUALITY = 4;

/** The compression middleware's filter: the types it compresses, minus the secret pages. */
export function compressible(req: Request, res: Response): boolean {
  if (secretPage(req.path)) return false;
  return compression.filter(req, res);
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * A document's UTF-8 bytes compressed on the compression thread, which also encodes it, or encoded here and
 * compressed by node's asynchronous call while that thread is not running or if it failed. zlib's results own
 * their memory (never a SharedArrayBuffer).
 */
function compressOffLoop(
  encoding: "br" | "gzip",
  document: string,
  params: Record<number, number> = {},
): Promise<Buffer<ArrayBuffer>> {
  const inProcess = () => {
    const body = Buffer.from(document, "utf8");
    return <Promise<Buffer<ArrayBuffer>>>(
      (encoding === "br"
        ? brotli(body, { params: { ...params, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
        : gzip(body))
    );
  };
  const onThread = CompressionThread.shared().compress(encoding, document, params);
  return onThread ? onThread.catch(inProcess) : inProcess();
}

/**
 * A rendered page's body as it is sent, from its markup: compressed in one call when the browser takes brotli or
 * gzip (the compression middleware then leaves it alone: it is already encoded). The page is rendered whole
 * (app/entry.server.tsx), so there is nothing to stream, and the middleware's zlib stream per response cost
 * more than the compression itself. The call runs on a thread of its own (./compression-thread.ts), off the
 * event loop: compressing on the event loop (`brotliCompressSync`) held the loop without a break and logins
 * under browsing waited more than twice as long, and node's asynchronous zlib call, on libuv's thread pool,
 * still cost the main thread a zlib stream per page (docs/benchmarks.md). While that thread is not running (the
 * first page after a quiet spell starts it) or should it fail, the page takes node's asynchronous call. The
 * thread also encodes the markup as UTF-8: for a page of 47,000 characters (/rentals), about 40 µs the main
 * thread no longer spends (docs/benchmarks.md). Same rules as the middleware: not the secret pages, not small
 * bodies, not HEAD, not `Cache-Control: no-transform`.
 */
export async function compressDocument(
  request: globalThis.Request,
  headers: Headers,
  document: string,
): Promise<Buffer<ArrayBuffer>> {
  headers.append("Vary", "Accept-Encoding");
  const { pathname } = new URL(request.url);
  const accepted = request.headers.get("Accept-Encoding") ?? "";
  const encoding = acceptsEncoding(accepted, "br") ? "br" : acceptsEncoding(accepted, "gzip") ? "gzip" : null;
  if (
    !encoding ||
    secretPage(pathname) ||
    // A text of fewer characters than THRESHOLD may still have THRESHOLD bytes or more; a longer one has.
    (document.length < THRESHOLD && Buffer.byteLength(document, "utf8") < THRESHOLD) ||
    request.method === "HEAD" ||
    /(?:^|,)\s*no-transform\s*(?:,|$)/i.test(headers.get("Cache-Control") ?? "") ||
    headers.has("Content-Encoding")
  ) {
    return Buffer.from(document, "utf8") as Buffer<ArrayBuffer>;
  }
  const params =
    encoding === "br"
      ? {
          [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
          [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        }
      : {};
  const compressed = await compressOffLoop(encoding, document, params);
  headers.set("Content-Encoding", encoding);
  return compressed;
}
