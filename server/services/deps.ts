import type { DB } from "../../db";
import type { PasswordHasher } from "../auth/password";
import type { SessionManager } from "../auth/session";
import type { Config } from "../config";
import type { Clock } from "../lib/clock";
import type { SecretBox } from "../lib/secret-box";
import type { Outbox } from "../mail/outbox";

/** What every service may use; built once at start (server/runtime.ts), replaced piecewise in tests. */
export interface ServiceDeps {
  db: DB;
  clock: Clock;
  hasher: PasswordHasher;
  outbox: Outbox;
  sessions: SessionManager;
  config: Config;
  /** HMAC-SHA-256 keyed with the pepper: how one-time codes are stored. */
  hmac: (value: string) => string;
  /** Encrypts the secrets the server reads back (authenticator keys) at rest. */
  secrets: SecretBox;
}

/** Where a request came from, for audit events and the login notice. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}
