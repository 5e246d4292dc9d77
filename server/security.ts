import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Config } from "./config";
import { isTokenPage } from "./token-pages";

/** Per-request CSP nonce plus the headers of SPEC §8. */
export function securityHeaders(config: Config) {
  return (req: Request, res: Response, next: NextFunction) => {
    const nonce = randomBytes(16).toString("base64");
    res.locals.cspNonce = nonce;
    res.setHeader(
      "Content-Security-Policy",
      [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}'`,
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
      ].join("; "),
    );
    res.setHeader("X-Content-Type-Options", "nosniff");
    res.setHeader("X-Frame-Options", "DENY");
    // A page whose URL carries a mailed link's token must not leak it in a Referer header.
    res.setHeader("Referrer-Policy", isTokenPage(req.path) ? "no-referrer" : "strict-origin-when-cross-origin");
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    if (config.secureCookies) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    next();
  };
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF defence: a request that can change something must come from our own origin, as the
 * browser tells by `Origin` (or, when absent, `Sec-Fetch-Site`). Anything else gets 403.
 */
export function sameOriginOnly(config: Config) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.get("origin");
    const own = [config.appOrigin, `${req.protocol}://${req.get("host")}`];
    // A browser sends "Origin: null" on a page with Referrer-Policy: no-referrer (the token pages);
    // then Sec-Fetch-Site, which it always sets, tells whether the form was ours.
    const ok = origin && origin !== "null" ? own.includes(origin) : req.get("sec-fetch-site") === "same-origin";
    if (ok) {
      // Checked above: drop the opaque "null" so the Remix handler's own origin check does not refuse it.
      if (origin === "null") delete req.headers.origin;
      return next();
    }
    res.status(403).type("text/plain; charset=utf-8").send("403 Forbidden: 外部サイトからの送信は受け付けられません。");
  };
}
