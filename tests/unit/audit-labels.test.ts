import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_ACTION_LABELS, auditActionLabel } from "../../server/services/audit-labels";
import { summariseDetails } from "../../server/services/backoffice/audit-log";

/** Every .ts file under server/ (the services write the audit trail). */
function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sources(full) : e.name.endsWith(".ts") ? [full] : [];
  });
}

/**
 * The action names the code records: the literal of each recordAudit call, the `{ action: "…" }` objects
 * some pass in (password changes), and the kinds of `application.${kind}`.
 */
function recordedActions(): Set<string> {
  const found = new Set<string>();
  for (const file of sources(path.resolve("server"))) {
    const text = fs.readFileSync(file, "utf8");
    // Each call up to the end of its statement (the action is a literal there, or a ternary of two).
    for (const call of text.matchAll(/recordAudit\(([^;]*);/g)) {
      for (const literal of (call[1] ?? "").matchAll(/"([a-z_]+(?:\.[a-z_]+)+)"/g)) found.add(literal[1] as string);
    }
    for (const m of text.matchAll(/action: "([a-z_]+(?:\.[a-z_]+)+)"/g)) found.add(m[1] as string);
  }
  for (const kind of ["order", "quote", "cancellation"]) found.add(`application.${kind}`);
  return found;
}

describe("操作ログ's words", () => {
  it("name every action the code records", () => {
    const actions = [...recordedActions()];
    expect(actions.length).toBeGreaterThan(40);
    const missing = actions.filter((a) => !(a in AUDIT_ACTION_LABELS));
    expect(missing, "add a Japanese word for it in server/services/audit-labels.ts").toEqual([]);
  });

  it("show an action without a word as its raw name", () => {
    expect(auditActionLabel("order.arrange")).toBe("手配済にする");
    expect(auditActionLabel("something.new")).toBe("something.new");
  });

  it("summarise details without secrets", () => {
    expect(
      summariseDetails(JSON.stringify({ total: 12000, validUntil: "2026-12-01", password: "x", otpCode: "1" })),
    ).toBe("合計: 12000, 有効期限: 2026-12-01");
    expect(summariseDetails(JSON.stringify({ action: "user.unlock", loginId: "acme01" }))).toBe(
      "操作: ロック解除, 顧客: acme01",
    );
    expect(summariseDetails("not json")).toBe("");
    expect(summariseDetails(null)).toBe("");
  });
});
