import type { DB } from "../db";
import type { Config } from "../server/config";
import { loadConfigOrExit, startRuntime } from "../server/runtime";
import type { ServiceDeps } from "../server/services/deps";

/** The server's own start-up for the command-line scripts (no HTTP, no workers); exits 1 on bad config. */
export async function cliRuntime(): Promise<{ config: Config; db: DB; deps: ServiceDeps; close(): Promise<void> }> {
  const config = loadConfigOrExit();
  const runtime = await startRuntime(config);
  return { config, db: runtime.deps.db, deps: runtime.deps, close: () => runtime.close() };
}
