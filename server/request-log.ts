import { randomUUID } from "node:crypto";
import type { RequestHandler } from "express";
import { TOKEN_PATH } from "./token-pages";

/** Where a log line goes (server/index.ts: stdout with a timestamp; tests: an array). */
export type LogLine = (line: string) => void;

/**
 * A path as the log writes it. Paths that hold a mailed secret (token-pages.ts): a log must not become a way
 * in, so the token is written as "…". The query string is never logged (search words, filters: personal data).
 */
export function loggedPath(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? "/";
  return path.replace(TOKEN_PATH, "$1/…").slice(0, 300);
}

/**
 * One line per request, written when the answer is done (or the client went away):
 * `GET /account/history 200 12ms id=8c1f…`. The id is also the answer's `X-Request-Id` header, so a
 * customer's report ("this page failed at 14:02") or a screenshot of the error page leads to its line; an
 * error's stack trace (entry.server handleError) carries the same id.
 */
export function requestLog(log: LogLine): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const id = randomUUID();
    res.locals.requestId = id;
    res.setHeader("X-Request-Id", id);
    let written = false;
    const write = () => {
      if (written) return;
      written = true;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const status = res.writableFinished ? String(res.statusCode) : `${res.statusCode}(aborted)`;
      log(`${req.method} ${loggedPath(req.originalUrl)} ${status} ${ms.toFixed(0)}ms id=${id}`);
    };
    res.once("finish", write);
    res.once("close", write);
    next();
  };
}
