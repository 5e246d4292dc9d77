import { createDb, type DB, migrateToLatest } from "../db";
import { PasswordHasher } from "./auth/password";
import { SessionManager } from "./auth/session";
import { type Config, ConfigError, loadConfig } from "./config";
import { type Clock, systemClock } from "./lib/clock";
import { hmacHex } from "./lib/crypto";
import { SecretBox } from "./lib/secret-box";
import { Outbox } from "./mail/outbox";
import { MailRenderer } from "./mail/render";
import { type MailTransport, mailboxTransport, smtpTransport } from "./mail/transports";
import { MailWorker } from "./mail/worker";
import { resolvePepper } from "./secrets";
import type { ServiceDeps } from "./services/deps";
import { builtinIntake, IntakeWorker, webhookIntake } from "./services/ordering/intake";
import { ReturnReminderWorker } from "./services/ordering/return-reminders";

export interface Runtime {
  deps: ServiceDeps;
  transport: MailTransport;
  worker: MailWorker;
  intake: IntakeWorker;
  /** 返却予定のお知らせ (RETURN_REMINDER_DAYS); runs only once started, as the others. */
  reminders: ReturnReminderWorker;
  close(): Promise<void>;
}

/** The configuration from the environment; a bad value ends the process with the message naming it. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

export function buildDeps(config: Config, db: DB, renderer: MailRenderer, pepper: string, clock: Clock): ServiceDeps {
  return {
    db,
    clock,
    config,
    hmac: (value) => hmacHex(pepper, value),
    secrets: SecretBox.fromConfig(config.totpSecretKey, pepper),
    hasher: new PasswordHasher(pepper, config.passwordHashConcurrency),
    outbox: new Outbox(renderer, clock),
    sessions: new SessionManager({
      db,
      clock,
      idleMs: config.session.idleMs,
      absoluteMs: config.session.absoluteMs,
      secureCookies: config.secureCookies,
    }),
  };
}

/**
 * Opens the database (migrated), compiles the mails and wires the services and both workers: what the
 * server and the command-line scripts share. The workers run only once started (the server does).
 */
export async function startRuntime(
  config: Config,
  options: { clock?: Clock; log?: (m: string) => void } = {},
): Promise<Runtime> {
  const clock = options.clock ?? systemClock;
  const db = createDb(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    // SQLite's WAL checkpoints off the event loop (db/checkpointer.ts); PostgreSQL has its own.
    checkpointInBackground: true,
    slowQueryMs: config.slowQueryMs,
    onSlowQuery: ({ sql, ms }) => (options.log ?? console.log)(`slow query ${ms} ms: ${sql.slice(0, 500)}`),
  });
  await migrateToLatest(db);
  const renderer = await MailRenderer.load(config.site);
  const deps = buildDeps(config, db, renderer, resolvePepper(config), clock);
  const transport =
    config.mail.transport === "smtp" ? smtpTransport(config.mail.smtpUrl as string) : mailboxTransport(db);
  const worker = new MailWorker({
    db,
    clock,
    transport,
    from: config.mail.from,
    pollIntervalMs: config.mail.pollIntervalMs,
    log: options.log,
  });
  const intake = new IntakeWorker({
    db,
    clock,
    handler: config.intake.webhookUrl ? webhookIntake(config.intake.webhookUrl) : builtinIntake,
    pollIntervalMs: config.intake.pollIntervalMs,
    maxAttempts: config.intake.maxAttempts,
    mail: deps,
    log: options.log,
  });
  const reminders = new ReturnReminderWorker(
    deps,
    config.returnReminder.daysBefore,
    config.returnReminder.pollIntervalMs,
    options.log,
  );
  return {
    deps,
    transport,
    worker,
    intake,
    reminders,
    async close() {
      await reminders.stop();
      await worker.stop();
      await intake.stop();
      transport.close?.();
      await db.destroy();
    },
  };
}
