import net from "node:net";
import os from "node:os";
import { z } from "zod";

/**
 * Every setting the server reads, validated once at start. A bad value stops the server with a
 * message naming each offending variable (see README "Configuration" and .env.example).
 */
const bool = z
  .enum(["true", "false", "1", "0"], { message: "true か false を指定してください (use true or false)" })
  .transform((v) => v === "true" || v === "1");

/**
 * Which proxies in front of the app may tell the client's address (X-Forwarded-For), in Express's
 * `trust proxy` terms: none, a hop count (the nearest N proxies), or the proxies' addresses and CIDRs.
 * The client is the right-most address that is not a trusted proxy. Never "trust every hop": then the
 * left-most entry, which the client writes itself, would count.
 */
export type TrustProxy = false | number | string[];

/** Names proxy-addr (Express) understands for well-known ranges. */
const PROXY_RANGE_NAMES = ["loopback", "linklocal", "uniquelocal"];

function isAddressOrRange(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry)) return true;
  const [address = "", prefix, ...rest] = entry.split("/");
  const family = net.isIP(address);
  if (!family || rest.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

const trustProxy = z.string().transform((raw, ctx): TrustProxy => {
  const value = raw.trim();
  if (value === "false" || value === "0") return false;
  // Backward compatible and safe: true is the one proxy in front (docs/operations.md), not every hop.
  if (value === "true") return 1;
  if (/^\d{1,2}$/.test(value)) return Number(value);
  const entries = value.split(",").map((e) => e.trim());
  if (entries.every(isAddressOrRange)) return entries;
  ctx.addIssue({
    code: "custom",
    message:
      "false, a hop count (true = 1, the nearest proxy) or the proxies' addresses / CIDRs separated by commas " +
      "(e.g. 127.0.0.1,10.0.0.0/8; also loopback, linklocal, uniquelocal)",
  });
  return z.NEVER;
});

const baseSchema = z.object({
  APP_ENV: z.enum(["local", "production"]).default("local"),
  PORT: z.coerce.number({ message: "a port number (1–65535)" }).int().min(1).max(65535).default(3000),
  /** Where to listen: loopback in local mode (the dev mailbox shows every code), every interface in production. */
  HOST: z.string().min(1).optional(),
  APP_ORIGIN: z
    .string()
    .url()
    .refine((v) => /^https?:\/\/[^/]+$/.test(v), "origin only: scheme://host[:port] without a path")
    .optional(),
  DATABASE_URL: z
    .string()
    .refine(
      (v) => /^(file:.+|postgres(ql)?:\/\/.+)$/.test(v),
      "use file:PATH (SQLite) or postgres://user:pass@host:5432/db",
    )
    .default("file:./data/member-order.sqlite"),
  DATABASE_POOL_SIZE: z.coerce.number({ message: "a whole number" }).int().min(1).max(100).default(10),
  /** Password hashes computed at once (argon2id); by default one core fewer than the machine has, at least 1. */
  PASSWORD_HASH_CONCURRENCY: z.coerce.number({ message: "a whole number" }).int().min(1).max(64).optional(),
  /** A statement slower than this (ms) is logged in one line (its SQL, never its values); 0 turns it off. */
  SLOW_QUERY_MS: z.coerce.number({ message: "a whole number" }).int().min(0).max(600_000).default(100),
  PEPPER: z.string().min(32, "at least 32 characters").optional(),
  /** Encrypts authenticator keys at rest (ADR 022); unset, a key is derived from the pepper. */
  TOTP_SECRET_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "64 hexadecimal characters (32 random bytes, e.g. openssl rand -hex 32)")
    .optional(),
  MAIL_TRANSPORT: z.enum(["mailbox", "smtp"]).optional(),
  /** The mailbox shows every set-up and reset link: in production only by this explicit opt-in. */
  ALLOW_MAILBOX_IN_PRODUCTION: bool.default(false),
  /** The mailbox answers requests from this machine only, unless this opens it to every client. */
  MAILBOX_ALLOW_REMOTE: bool.default(false),
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\//.test(v), "smtp://… or smtps://…")
    .optional(),
  MAIL_FROM: z.string().min(3).optional(),
  MAIL_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(500),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(20),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  SESSION_ABSOLUTE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  PASSWORD_SYMBOLS: z
    .string()
    .min(1)
    .refine((v) => /^[!-/:-@[-`{-~]+$/.test(v), "half-width symbols only")
    .default(".-_"),
  TRUST_PROXY: trustProxy.default(false),
  INTAKE_WEBHOOK_URL: z
    .string()
    .url()
    .refine((v) => /^https?:\/\//.test(v), "http:// or https:// URL")
    .optional(),
  /** How often the intake worker looks for applications to hand on; MAIL_POLL_INTERVAL_MS when unset. */
  INTAKE_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).optional(),
  INTAKE_MAX_ATTEMPTS: z.coerce.number({ message: "a whole number" }).int().min(1).max(50).default(6),
  /** 返却予定のお知らせ: this many days before a rental's 返却予定日 (0: none are sent). */
  RETURN_REMINDER_DAYS: z.coerce.number({ message: "a whole number of days" }).int().min(0).max(30).default(3),
  /** How often the reminder job looks for rentals due soon. */
  RETURN_REMINDER_POLL_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(60_000),
  /** The rental company's address for 【新規申込】 and 【受付失敗】 mails; unset: none are sent. */
  STAFF_NOTIFY_EMAIL: z.email({ message: "one email address (e.g. orders@example.jp)" }).max(254).optional(),
  SEED_DEMO: bool.optional(),
  COMPANY_NAME: z.string().min(1).default("サンプルレンタル株式会社"),
  /** The issuer block of 見積書 / 注文請書 (ADR 023): the address with its postal code, one line. */
  COMPANY_ADDRESS: z.string().trim().min(1).max(200, "at most 200 characters (one line)").optional(),
  /** The phone on the documents; CONTACT_CENTER_PHONE when unset. */
  COMPANY_PHONE: z
    .string()
    .regex(/^[0-9+()\- ]{6,20}$/, "a phone number of digits, hyphens and spaces (e.g. 03-1234-5678)")
    .optional(),
  /** 適格請求書発行事業者登録番号: "T" and 13 digits. */
  COMPANY_REGISTRATION_NUMBER: z
    .string()
    .regex(/^T\d{13}$/, "T followed by 13 digits (適格請求書発行事業者登録番号, e.g. T1234567890123)")
    .optional(),
  SITE_NAME: z.string().min(1).default("WEB会員専用ご注文サイト"),
  CONTACT_CENTER_PHONE: z.string().min(1).default("0120-000-000"),
  CONTACT_CENTER_HOURS: z.string().min(1).default("受付時間 9:00〜17:00(土日祝日・年末年始を除く)"),
});

export type RawEnv = z.infer<typeof baseSchema>;

export interface Config {
  appEnv: "local" | "production";
  port: number;
  host: string;
  appOrigin: string;
  secureCookies: boolean;
  databaseUrl: string;
  databasePoolSize: number;
  /** Log statements that take at least this long (ms); 0: never. */
  slowQueryMs: number;
  /** How many password hashes (argon2id) run at once; the others queue. */
  passwordHashConcurrency: number;
  /** HMAC key for passwords, codes; undefined in local mode until resolved from the data folder. */
  pepper: string | undefined;
  /** The key of authenticator secrets (hex); undefined: derived from the pepper. */
  totpSecretKey: string | undefined;
  mail: {
    transport: "mailbox" | "smtp";
    smtpUrl: string | undefined;
    from: string;
    pollIntervalMs: number;
    /** Whether /dev/mailbox answers other machines too (else only loopback requests). */
    mailboxAllowRemote: boolean;
  };
  loginRateLimitPerMinute: number;
  session: { idleMs: number; absoluteMs: number };
  passwordSymbols: string;
  /** Express's `trust proxy`: which proxies may tell the client's address (see TrustProxy). */
  trustProxy: TrustProxy;
  seedDemo: boolean;
  intake: { webhookUrl: string | undefined; pollIntervalMs: number; maxAttempts: number };
  /** 返却予定のお知らせ: how many days before 返却予定日 (0: off), and how often the job looks. */
  returnReminder: { daysBefore: number; pollIntervalMs: number };
  /** Where the company is told of each new application and each final intake failure (none when unset). */
  staffNotifyEmail: string | undefined;
  site: {
    companyName: string;
    siteName: string;
    contactPhone: string;
    contactHours: string;
  };
  /**
   * The issuer of 見積書 / 注文請書 (ADR 023). In local mode unset values are samples; in production an unset
   * address or registration number is null and the documents leave that line out (the start warns).
   */
  company: CompanyInfo;
}

export interface CompanyInfo {
  name: string;
  /** One line with the postal code: "〒100-0005 東京都千代田区丸の内1-1-1". */
  address: string | null;
  phone: string;
  /** 適格請求書発行事業者登録番号, "T" + 13 digits. */
  registrationNumber: string | null;
}

/** What local mode shows on documents when the company block is not configured: visibly a sample. */
export const SAMPLE_COMPANY = {
  address: "〒100-0005 東京都千代田区丸の内1-1-1 サンプルビル5階",
  registrationNumber: "T0000000000000",
} as const;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`設定に誤りがあります (invalid configuration):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses an environment (process.env by default); throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable counts as unset, the way most .env loaders treat it.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  // Operators read these: zod's English, not the customers' Japanese map the routers install globally.
  const parsed = baseSchema.safeParse(cleaned, { error: z.locales.en().localeError });
  const byName = new Map<string, string[]>();
  const problem = (name: string, message: string) => byName.set(name, [...(byName.get(name) ?? []), message]);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problem(String(issue.path[0] ?? "?"), issue.message);
  }
  // What depends on other variables is checked on the raw values too, so one run lists everything.
  const production = cleaned.APP_ENV === "production";
  const transport = cleaned.MAIL_TRANSPORT ?? (production ? "smtp" : "mailbox");
  if (production) {
    if (!cleaned.PEPPER) problem("PEPPER", "required when APP_ENV=production (32+ random characters)");
    if (!cleaned.APP_ORIGIN) problem("APP_ORIGIN", "required when APP_ENV=production (e.g. https://order.example.jp)");
    if (!cleaned.MAIL_FROM) problem("MAIL_FROM", "required when APP_ENV=production");
  }
  if (/^postgres/.test(cleaned.DATABASE_URL ?? "") && !cleaned.PEPPER) {
    problem("PEPPER", "required with PostgreSQL: every instance must use the same one");
  }
  if (transport === "smtp" && !cleaned.SMTP_URL) problem("SMTP_URL", "required when MAIL_TRANSPORT=smtp");
  if (production && transport === "mailbox" && !["true", "1"].includes(cleaned.ALLOW_MAILBOX_IN_PRODUCTION ?? "")) {
    problem(
      "MAIL_TRANSPORT",
      "mailbox keeps every mail (set-up and reset links, one-time codes) and shows it at /dev/mailbox: refused " +
        "with APP_ENV=production; use smtp, or set ALLOW_MAILBOX_IN_PRODUCTION=true on a server only testers reach",
    );
  }
  if (byName.size || !parsed.success) {
    throw new ConfigError([...byName].map(([name, messages]) => `${name}: ${messages.join("; ")}`));
  }
  const e = parsed.data;

  const appOrigin = e.APP_ORIGIN ?? `http://localhost:${e.PORT}`;
  return {
    appEnv: e.APP_ENV,
    port: e.PORT,
    host: e.HOST ?? (production ? "0.0.0.0" : "127.0.0.1"),
    appOrigin,
    secureCookies: appOrigin.startsWith("https://"),
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    slowQueryMs: e.SLOW_QUERY_MS,
    passwordHashConcurrency: e.PASSWORD_HASH_CONCURRENCY ?? Math.max(1, os.availableParallelism() - 1),
    pepper: e.PEPPER,
    totpSecretKey: e.TOTP_SECRET_KEY,
    mail: {
      transport: e.MAIL_TRANSPORT ?? (production ? "smtp" : "mailbox"),
      smtpUrl: e.SMTP_URL,
      from: e.MAIL_FROM ?? `${e.SITE_NAME} <no-reply@localhost>`,
      pollIntervalMs: e.MAIL_POLL_INTERVAL_MS,
      mailboxAllowRemote: e.MAILBOX_ALLOW_REMOTE,
    },
    loginRateLimitPerMinute: e.LOGIN_RATE_LIMIT_PER_MINUTE,
    session: { idleMs: e.SESSION_IDLE_MINUTES * 60_000, absoluteMs: e.SESSION_ABSOLUTE_HOURS * 3_600_000 },
    passwordSymbols: e.PASSWORD_SYMBOLS,
    trustProxy: e.TRUST_PROXY,
    seedDemo: e.SEED_DEMO ?? !production,
    intake: {
      webhookUrl: e.INTAKE_WEBHOOK_URL,
      pollIntervalMs: e.INTAKE_POLL_INTERVAL_MS ?? e.MAIL_POLL_INTERVAL_MS,
      maxAttempts: e.INTAKE_MAX_ATTEMPTS,
    },
    returnReminder: { daysBefore: e.RETURN_REMINDER_DAYS, pollIntervalMs: e.RETURN_REMINDER_POLL_INTERVAL_MS },
    staffNotifyEmail: e.STAFF_NOTIFY_EMAIL,
    site: {
      companyName: e.COMPANY_NAME,
      siteName: e.SITE_NAME,
      contactPhone: e.CONTACT_CENTER_PHONE,
      contactHours: e.CONTACT_CENTER_HOURS,
    },
    company: {
      name: e.COMPANY_NAME,
      address: e.COMPANY_ADDRESS ?? (production ? null : SAMPLE_COMPANY.address),
      phone: e.COMPANY_PHONE ?? e.CONTACT_CENTER_PHONE,
      registrationNumber: e.COMPANY_REGISTRATION_NUMBER ?? (production ? null : SAMPLE_COMPANY.registrationNumber),
    },
  };
}

export type SiteInfo = Config["site"];
