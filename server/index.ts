import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { seedDemo } from "../db/seed/demo";
import { createApp } from "./app";
import type { Config } from "./config";
import { projectPath } from "./lib/paths";
import { loadConfigOrExit, startRuntime } from "./runtime";

const log = (message: string) => console.log(`[${new Date().toISOString()}] ${message}`);
const warn = (message: string) => console.warn(`[${new Date().toISOString()}] WARNING: ${message}`);

/** Said at every start: settings that expose what the dev mailbox holds. */
function warnAboutMailbox(config: Config) {
  if (config.mail.transport !== "mailbox") return;
  const shownTo = config.mail.mailboxAllowRemote
    ? "to anyone who can reach this server (MAILBOX_ALLOW_REMOTE=true)"
    : "to requests from this machine";
  if (config.appEnv === "production") {
    warn(
      "MAIL_TRANSPORT=mailbox with APP_ENV=production (ALLOW_MAILBOX_IN_PRODUCTION=true): no mail leaves this " +
        `server; every mail, set-up and reset links included, is kept and shown at /dev/mailbox ${shownTo}.`,
    );
  } else if (config.mail.mailboxAllowRemote) {
    warn(`every mail, codes and links included, is shown at /dev/mailbox ${shownTo}.`);
  }
}

/** Said at every start in production: what 見積書 / 注文請書 leave out because it is not configured (ADR 023). */
function warnAboutDocuments(config: Config) {
  const missing = [
    config.company.address ? null : "COMPANY_ADDRESS (the address)",
    config.company.registrationNumber ? null : "COMPANY_REGISTRATION_NUMBER (登録番号)",
  ].filter(Boolean);
  if (missing.length) warn(`見積書 / 注文請書 are issued without ${missing.join(" and ")}: set them.`);
}

async function main() {
  const config = loadConfigOrExit();
  warnAboutMailbox(config);
  warnAboutDocuments(config);
  const runtime = await startRuntime(config, { log });
  if (config.seedDemo) {
    const seeded = await seedDemo(runtime.deps);
    if (seeded) log(`demo account created: ${seeded}`);
  }
  const buildPath = projectPath("build/index.js");
  const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
  const app = createApp(runtime.deps, build, { log });
  runtime.worker.start();
  runtime.intake.start();
  if (config.returnReminder.daysBefore > 0) runtime.reminders.start();

  const server = app.listen(config.port, config.host, () => {
    log(`listening on ${config.appOrigin} (${config.host}:${config.port}, mail: ${config.mail.transport})`);
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
