import path from "node:path";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import compression from "compression";
import express, { type Request, type Response } from "express";
import { pingDb } from "../db";
import { compressible } from "./compression";
import { projectPath } from "./lib/paths";
import { mailboxRoutes } from "./mail/mailbox-routes";
import { type LogLine, requestLog } from "./request-log";
import { appRouter, createCaller } from "./routers/index";
import { sameOriginOnly, securityHeaders } from "./security";
import type { ServiceDeps } from "./services/deps";
import { precompressed } from "./static-precompressed";
import { createContext, type RequestInput } from "./trpc/context";

/**
 * The most calls one HTTP request may batch (more: 400). The site's pages call through the per-request
 * caller, not over HTTP, so a client needs few; the bound keeps one request from running hundreds.
 */
export const TRPC_MAX_BATCH_SIZE = 10;

function requestInput(req: Request, res: Response): RequestInput {
  return {
    cookieHeader: req.headers.cookie,
    // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; customers know a.b.c.d.
    ip: req.ip?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "") ?? null,
    userAgent: req.get("user-agent") ?? null,
    setCookie: (cookie) => res.append("Set-Cookie", cookie),
  };
}

export interface AppOptions {
  publicDir?: string;
  /** Where the one line per request goes; none when not given (tests that don't read it). */
  log?: LogLine;
}

/** A path whose last segment has an extension (`/favicon.svg`, `/robots.txt`). */
const FILE_NAME = /\.[A-Za-z0-9]+$/;

/** The HTTP surface: request log, headers and CSRF check, /healthz, the dev mailbox, /api/trpc, then Remix. */
export function createApp(
  deps: ServiceDeps,
  build: ServerBuild,
  { publicDir = projectPath("public"), log }: AppOptions = {},
): express.Express {
  const { config } = deps;
  // The flash cookie's own key: an HMAC of a fixed label under the pepper, so the pepper itself never
  // signs anything the browser holds, and rotating the pepper rotates this key too.
  const flashCookie = { secret: deps.hmac("cookie_secret:flash"), secure: config.secureCookies };
  const app = express();
  app.disable("x-powered-by");
  // Exactly the configured proxies (a hop count or their addresses): req.ip is then the right-most
  // X-Forwarded-For address that is not one of them, never an entry the client wrote itself.
  app.set("trust proxy", config.trustProxy);
  if (log) app.use(requestLog(log));
  // Compressed by the app itself (brotli, else gzip), so that a one-box deployment without a proxy is fast too.
  // Rendered pages come already compressed (compressDocument in app/entry.server.tsx); this is for the rest.
  app.use(compression({ filter: compressible }));

  // Fingerprinted build assets never change: cache them for a year.
  app.use("/build", precompressed(path.join(publicDir, "build")));
  app.use("/build", express.static(path.join(publicDir, "build"), { immutable: true, maxAge: "1y", index: false }));
  // Other public files (favicon.svg, a deployer's robots.txt) have an extension; pages have none (the CSV
  // downloads aside), so a page request costs no file-system lookup (a stat and an ENOENT error each).
  const publicFiles = express.static(publicDir, { maxAge: "1h", index: false });
  app.use((req, res, next) => (FILE_NAME.test(req.path) ? publicFiles(req, res, next) : next()));

  app.get("/healthz", async (_req, res) => {
    try {
      await pingDb(deps.db);
      res.status(200).json({ status: "ok" });
    } catch {
      res.status(503).json({ status: "unavailable" });
    }
  });

  app.use(securityHeaders(config));
  app.use(sameOriginOnly(config));

  if (config.mail.transport === "mailbox") {
    app.use(
      "/dev/mailbox",
      mailboxRoutes(deps.db, { appOrigin: config.appOrigin, allowRemote: config.mail.mailboxAllowRemote }),
    );
  } else {
    app.all(
      ["/dev/mailbox", "/dev/mailbox/*"],
      (_req, res) => void res.status(404).type("text/plain").send("Not Found"),
    );
  }

  app.use(
    "/api/trpc",
    (_req, res, next) => {
      // Answers carry personal data (the signed-in user, history, templates): never cached, as pages.
      res.setHeader("Cache-Control", "no-store");
      next();
    },
    createExpressMiddleware({
      router: appRouter,
      createContext: ({ req, res }) => createContext(deps, requestInput(req, res)),
      maxBatchSize: TRPC_MAX_BATCH_SIZE,
    }),
  );

  app.all(
    "*",
    (_req, res, next) => {
      // Pages are per user and may show personal data: never cached.
      res.setHeader("Cache-Control", "no-store");
      next();
    },
    createRequestHandler({
      build,
      mode: process.env.NODE_ENV === "production" ? "production" : "development",
      getLoadContext: async (req, res) => {
        const ctx = await createContext(deps, requestInput(req, res));
        return {
          caller: createCaller(ctx),
          cspNonce: res.locals.cspNonce as string,
          requestId: (res.locals.requestId as string | undefined) ?? "-",
          flashCookie,
        };
      },
    }),
  );
  return app;
}
