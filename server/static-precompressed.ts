import fs from "node:fs";
import path from "node:path";
import type { NextFunction, Request, Response } from "express";

const ENCODINGS = [
  { name: "br", ext: ".br" },
  { name: "gzip", ext: ".gz" },
] as const;

/** Whether an Accept-Encoding header takes `name` (listed, or `*`, with a q above 0). */
export function acceptsEncoding(header: string, name: string): boolean {
  return header.split(",").some((part) => {
    const [coding = "", ...params] = part.trim().toLowerCase().split(";");
    if (coding.trim() !== name && coding.trim() !== "*") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/**
 * Serves a build file's precompressed twin (scripts/precompress.mjs: `.br`, `.gz`) when the browser accepts
 * it: no compression work per request, and brotli at its best quality. Anything else — no twin, an encoding
 * the browser does not take, a range request — goes on to express.static (and the compression middleware).
 */
export function precompressed(root: string) {
  const base = path.resolve(root);
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || req.headers.range) return next();
    let file: string;
    try {
      file = path.resolve(base, `.${decodeURIComponent(req.path)}`);
    } catch {
      return next();
    }
    if (!file.startsWith(base + path.sep)) return next();
    const accepted = String(req.headers["accept-encoding"] ?? "");
    for (const e of ENCODINGS) {
      if (!acceptsEncoding(accepted, e.name) || !fs.existsSync(file + e.ext)) continue;
      res.vary("Accept-Encoding");
      res.type(path.extname(file));
      return res.sendFile(
        file + e.ext,
        { immutable: true, maxAge: "1y", headers: { "Content-Encoding": e.name } },
        (err) => err && next(err),
      );
    }
    next();
  };
}
