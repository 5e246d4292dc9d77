import type { DB } from "../../../db";
import type { VerificationPurpose, VerificationTable } from "../../../db/schema";
import { formatTokyo } from "../../lib/format";
import type { ServiceDeps } from "../deps";
import { DomainError } from "../errors";
import { loadUser, type UserRow } from "./user-records";
import { consumeVerification, createVerification, findOpenVerification, voidVerifications } from "./verification";

/** The mails that carry a link: to a user, naming its company, with the link and its expiry. */
type LinkTemplate = "password-setup" | "password-reset" | "email-change-request" | "email-change-confirm";

/** A kind of link a user opens with a token: what it is for and what the user reads when it is no good. */
export interface LinkKind {
  purpose: Exclude<VerificationPurpose, "login_otp" | "staff_login_otp">;
  /** What the user reads when the link cannot be used (any more). */
  invalidMessage: string;
}

/**
 * One kind of mailed link (パスワード設定, パスワード再設定, the two email-change steps): what it is for,
 * the mail that carries it, the page it opens and how long it lives.
 */
export interface MailedLink extends LinkKind {
  template: LinkTemplate;
  /** The page the token is appended to, e.g. "/reset-password/". */
  path: string;
  ttlMs: number;
}

/** Whom a link is for, with its account (as `loadUser` gives it). */
export interface LinkUser {
  id: string;
  email: string;
  name: string;
  login_id: string;
  company_name: string;
}

/**
 * Mails a new link in the caller's transaction: the user's older links of the same purpose stop
 * working, only the token's SHA-256 is stored, and the mail exists if and only if the change commits.
 * It goes to the user's address unless `to` says otherwise (the new address of an email change).
 */
export async function sendLink(
  deps: ServiceDeps,
  trx: DB,
  link: MailedLink,
  user: LinkUser,
  options: { to?: string; payload?: string } = {},
): Promise<void> {
  const { token, expiresAt } = await createVerification(trx, deps.clock, {
    purpose: link.purpose,
    userId: user.id,
    ttlMs: link.ttlMs,
    payload: options.payload,
  });
  await deps.outbox.enqueue(trx, options.to ?? user.email, link.template, {
    accountCompany: user.company_name,
    userName: user.name || user.email,
    loginId: user.login_id,
    url: `${deps.config.appOrigin}${link.path}${token}`,
    expiresAt: formatTokyo(expiresAt),
  });
}

/** A link that can still be used, with its user. */
export interface OpenLink {
  link: LinkKind;
  verification: VerificationTable;
  user: UserRow;
}

/** The open (unused, unexpired, newest) link for a token, or null: what its page shows depends on it. */
export async function findLink(deps: ServiceDeps, link: LinkKind, token: string): Promise<OpenLink | null> {
  const verification = await findOpenVerification(deps.db, deps.clock, link.purpose, token);
  if (!verification) return null;
  // A link whose user is gone is no link; any other failure (the database) is not "invalid link".
  const user = await loadUser(deps.db, verification.user_id).catch((error: unknown) => {
    if (error instanceof DomainError && error.code === "NOT_FOUND") return null;
    throw error;
  });
  return user ? { link, verification, user } : null;
}

/** The open link for a token, or TOKEN_INVALID with the link's own message. */
export async function requireLink(deps: ServiceDeps, link: LinkKind, token: string): Promise<OpenLink> {
  const open = await findLink(deps, link, token);
  if (!open) throw new DomainError("TOKEN_INVALID", link.invalidMessage);
  return open;
}

/**
 * Uses a link up, in the transaction of the change it allows: one conditional UPDATE, so of two
 * parallel uses exactly one goes on; the other gets TOKEN_INVALID and its transaction rolls back.
 */
export async function consumeLink(deps: ServiceDeps, trx: DB, open: OpenLink): Promise<void> {
  if (!(await consumeVerification(trx, deps.clock, open.verification.id))) {
    throw new DomainError("TOKEN_INVALID", open.link.invalidMessage);
  }
}

/**
 * Ends every open link (and login code) of a user, in the transaction of a change to its password,
 * email address or state: a link mailed before the change must not act after it. Otherwise a reset
 * link read in the old mailbox after an email change sets the password of the new address, and a
 * second change request mailed there moves the address again.
 *
 * Call it after `consumeLink` of the link being used (so that one ends as used, not voided), with
 * the account locked first (`lockAccount`), as every change of a user does: two such changes then run
 * one after the other, and the later one finds its own link ended (TOKEN_INVALID) and rolls back,
 * instead of the two transactions waiting on each other's rows.
 *
 * The links of ログイン通知 (心当たりがない場合, login-report.ts) stay: whoever changed the password, the owner
 * must still be able to end the sessions of a sign-in they did not make.
 */
export async function endOpenLinks(deps: ServiceDeps, trx: DB, userId: string): Promise<void> {
  await voidVerifications(trx, deps.clock, userId, { except: "login_report" });
}
