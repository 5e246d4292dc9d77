import type { DB } from "../../db";
import type { AuditEventTable } from "../../db/schema";
import { type Clock, iso } from "../lib/clock";
import { newId } from "../lib/crypto";

export type AuditInput = Omit<
  AuditEventTable,
  "id" | "at" | "details" | "target" | "account_id" | "actor_id" | "ip" | "user_agent"
> &
  Partial<Pick<AuditEventTable, "target" | "account_id" | "actor_id" | "ip" | "user_agent">> & {
    details?: Record<string, unknown>;
  };

/** Records who did what, from where, and whether it worked. Never pass a secret in details. */
export async function recordAudit(db: DB, clock: Clock, e: AuditInput): Promise<void> {
  await db
    .insertInto("audit_events")
    .values({
      id: newId(),
      at: iso(clock.now()),
      actor_type: e.actor_type,
      actor_id: e.actor_id ?? null,
      account_id: e.account_id ?? null,
      action: e.action,
      target: e.target ?? null,
      ip: e.ip ?? null,
      user_agent: e.user_agent?.slice(0, 512) ?? null,
      result: e.result,
      details: e.details ? JSON.stringify(e.details) : null,
    })
    .execute();
}
