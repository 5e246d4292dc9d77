import type { DB } from "../../db";
import type { AuditEventTable } from "../../db/schema";
import { type Clock, iso } from "../lib/clock";
import { newId } from "../lib/crypto";
import type { RequestMeta } from "./deps";

/**
 * Who acted: a customer's user (of an account, when known), or staff, the system or someone not
 * signed in.
 */
export type AuditActor =
  | { userId: string; accountId?: string }
  | { type: Exclude<AuditEventTable["actor_type"], "customer">; id?: string; accountId?: string };

/** The actor for a user loaded with its account (`loadUser`). */
export function userActor(user: { id: string; accountId: string }): AuditActor {
  return { userId: user.id, accountId: user.accountId };
}

export interface AuditExtras {
  target?: string;
  /** "success" unless told. */
  result?: AuditEventTable["result"];
  /** Never a secret. */
  details?: Record<string, unknown>;
}

/**
 * Records who did what, from where (the request's meta; null for the CLI, the seed and workers), and
 * whether it worked. Write it in the transaction of the change it records.
 */
export async function recordAudit(
  db: DB,
  clock: Clock,
  actor: AuditActor,
  meta: RequestMeta | null,
  action: string,
  extras: AuditExtras = {},
): Promise<void> {
  const customer = "userId" in actor;
  await db
    .insertInto("audit_events")
    .values({
      id: newId(),
      at: iso(clock.now()),
      actor_type: customer ? "customer" : actor.type,
      actor_id: (customer ? actor.userId : actor.id) ?? null,
      account_id: actor.accountId ?? null,
      action,
      target: extras.target ?? null,
      ip: meta?.ip ?? null,
      user_agent: meta?.userAgent?.slice(0, 512) ?? null,
      result: extras.result ?? "success",
      details: extras.details ? JSON.stringify(extras.details) : null,
    })
    .execute();
}
