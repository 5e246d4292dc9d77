import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { seedDemo } from "../db/seed/demo";
import { createApp } from "./app";
import { projectPath } from "./lib/paths";
import { loadConfigOrExit, startRuntime } from "./runtime";

const log = (message: string) => console.log(`[${new Date().toISOString()}] ${message}`);

async function main() {
  const config = loadConfigOrExit();
  const runtime = await startRuntime(config, { log });
  if (config.seedDemo) {
    const seeded = await seedDemo(runtime.deps);
    if (seeded) log(`demo account created: ${seeded}`);
  }
  const buildPath = projectPath("build/index.js");
  const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
  const app = createApp(runtime.deps, build);
  runtime.worker.start();
  runtime.intake.start();

  const server = app.listen(config.port, config.host, () => {
    log(`listening on ${config.appOrigin} (port ${config.port}, mail: ${config.mail.transport})`);
  });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log(`${signal}: closing`);
    const force = setTimeout(() => {
      log("shutdown timed out");
      process.exit(1);
    }, 10_000);
    force.unref();
    server.close(async () => {
      await runtime.close();
      log("closed");
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
