import type { AppCaller } from "../server/routers";

declare module "@remix-run/node" {
  interface AppLoadContext {
    /** The tRPC caller bound to this request: the only way loaders and actions reach the server. */
    caller: AppCaller;
    cspNonce: string;
  }
}
