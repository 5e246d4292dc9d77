import fs from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createApp } from "../../server/app";
import type { LogLine } from "../../server/request-log";
import type { Harness } from "./harness";

/**
 * Serves the real Remix build (npm run build) with the harness's services on a free port, on loopback
 * unless `host` says otherwise (e.g. "0.0.0.0" to be reached from the machine's network address too).
 */
export async function serve(
  h: Harness,
  { host = "127.0.0.1", log }: { host?: string; log?: LogLine } = {},
): Promise<{ url: string; port: number; close(): Promise<void> }> {
  const buildFile = path.resolve("build/index.js");
  if (!fs.existsSync(buildFile)) throw new Error("build/index.js is missing: run `npm run build` first");
  const build = (await import(pathToFileURL(buildFile).href)) as ServerBuild;
  const app = createApp(h.deps, build, { log });
  const server = app.listen(0, host);
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
