import type { AppCaller } from "../server/routers";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The tRPC caller bound to this request: the only way loaders and actions reach the server. */
    caller: AppCaller;
    cspNonce: string;
    /** The id of this request's log line and X-Request-Id header (server/request-log.ts). */
    requestId: string;
    /**
     * What the flash cookie (app/utils/flash.server.ts) needs from the server configuration: its
     * signing key, derived from the pepper (never the pepper itself), and whether cookies are Secure.
     */
    flashCookie: { secret: string; secure: boolean };
  }
}
