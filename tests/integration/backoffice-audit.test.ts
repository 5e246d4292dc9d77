import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formErrorsFrom } from "../../app/utils/forms.server";
import { newId } from "../../server/lib/crypto";
import { parseCsv } from "../../server/lib/csv";
import { recordAudit } from "../../server/services/audit";
import { AUDIT_ACTIONS } from "../../server/services/audit-labels";
import {
  AUDIT_CSV_CHUNK,
  AUDIT_CSV_HEADER,
  AUDIT_PAGE_SIZE,
  auditCsvChunk,
  listAuditEvents,
} from "../../server/services/backoffice/audit-log";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { recordingPlans } from "../support/query-plans";
import { signedInStaff } from "../support/staff";

/**
 * 操作ログ (SPEC §6, §8 audit) through the caller as /admin/audit calls it: the filters (実行者, 顧客,
 * 操作, 期間 in Japan time), keyset pages over equal timestamps, and the CSV (BOM, CRLF, escaping,
 * formula injection, chunks). Who may call it: isolation.test.ts.
 */

const ACME = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const OTHER = { loginId: "other01", companyName: "別会社", email: "jiro@example.jp" };
const PASSWORD = "Rental-2026";
const STAFF = { email: "ops@example.jp", password: "Staff-2026a" };

let h: Harness;
let staff: TestBrowser;
let staffId: string;
let acme: { accountId: string; userId: string };
let other: { accountId: string; userId: string };

beforeEach(async () => {
  h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
  acme = await createAccount(h.deps, { ...ACME, permanentPassword: PASSWORD });
  other = await createAccount(h.deps, { ...OTHER, permanentPassword: PASSWORD });
  staffId = (await createStaff(h.deps, { ...STAFF, role: "operator" })).staffId;
  staff = await signedInStaff(h, STAFF, { ip: "198.51.100.7" });
});
afterEach(async () => {
  await h.close();
});

/** Every row of the filter, page after page (checks each page's size). */
async function allPages(filter: Parameters<typeof listAuditEvents>[1]) {
  const rows = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof listAuditEvents>> = await staff.call((c) =>
      c.backofficeAudit.list({ ...filter, cursor }),
    );
    if (page.nextCursor) expect(page.rows).toHaveLength(AUDIT_PAGE_SIZE);
    rows.push(...page.rows);
    cursor = page.nextCursor;
  } while (cursor);
  return rows;
}

/** The whole CSV file, chunk after chunk, as the /admin/audit.csv route streams it. */
async function csvOf(filter: Parameters<typeof listAuditEvents>[1], as: TestBrowser = staff) {
  let text = "";
  let cursor: string | null = null;
  let chunks = 0;
  do {
    const chunk: { text: string; nextCursor: string | null } = await as.call((c) =>
      c.backofficeAudit.csvChunk({ ...filter, cursor }),
    );
    text += chunk.text;
    cursor = chunk.nextCursor;
    chunks++;
  } while (cursor);
  return { text, chunks };
}

describe("filters", () => {
  beforeEach(async () => {
    h.clock.advance(60_000);
    const customer = h.browser({ ip: "203.0.113.55" });
    await failure(customer.call((c) => c.auth.login({ ...ACME, password: "Wrong-password-1" })));
    h.clock.advance(60_000);
    await staff.call((c) => c.backofficeAccounts.suspend({ accountId: other.accountId }));
    h.clock.advance(60_000);
    await staff.call((c) => c.backofficeAccounts.suspend({ accountId: acme.accountId }));
  });

  it("lists newest first with Japanese words: time, actor, account, action, result, IP", async () => {
    const { rows } = await staff.call((c) => c.backofficeAudit.list({}));
    expect(rows.slice(0, 3).map((r) => [r.actionLabel, r.actorLabel, r.loginId, r.resultLabel])).toEqual([
      ["利用停止", STAFF.email, ACME.loginId, "成功"],
      ["利用停止", STAFF.email, OTHER.loginId, "成功"],
      ["ログイン", `${ACME.loginId} ${ACME.email}`, ACME.loginId, "失敗"],
    ]);
    const failed = rows[2];
    expect(failed).toMatchObject({
      atLabel: "2026/04/01 09:01",
      companyName: ACME.companyName,
      ip: "203.0.113.55",
      action: "auth.login",
      actorType: "customer",
    });
  });

  it("顧客 narrows to one account's rows; 操作 to one action; both together", async () => {
    const byAccount = await allPages({ loginId: ACME.loginId });
    expect(new Set(byAccount.map((r) => r.loginId))).toEqual(new Set([ACME.loginId]));
    expect(byAccount.map((r) => r.action)).toEqual(
      expect.arrayContaining(["account.suspend", "auth.login", "account.create"]),
    );
    const byAction = await allPages({ action: "account.suspend" });
    expect(byAction.map((r) => r.loginId)).toEqual([ACME.loginId, OTHER.loginId]);
    const both = await allPages({ loginId: OTHER.loginId, action: "account.suspend" });
    expect(both.map((r) => [r.loginId, r.action])).toEqual([[OTHER.loginId, "account.suspend"]]);
    expect(await allPages({ loginId: OTHER.loginId, action: "auth.login" })).toEqual([]);
  });

  it("実行者 takes a staff member's email, a user's email (any case) or システム", async () => {
    const byStaff = await allPages({ actor: "OPS@example.jp" });
    expect(byStaff.length).toBeGreaterThan(2);
    expect(new Set(byStaff.map((r) => r.actorLabel))).toEqual(new Set([STAFF.email]));
    expect(byStaff.map((r) => r.action)).toEqual(expect.arrayContaining(["staff.login", "account.suspend"]));
    const staffOnAcme = await allPages({ actor: STAFF.email, loginId: ACME.loginId });
    expect(staffOnAcme.map((r) => r.action)).toEqual(["account.suspend"]);

    const byUser = await allPages({ actor: ACME.email });
    expect(byUser.map((r) => [r.action, r.resultLabel])).toEqual([["auth.login", "失敗"]]);
    expect(await allPages({ actor: ACME.email, loginId: OTHER.loginId })).toEqual([]);
    expect(await allPages({ actor: ACME.email, loginId: ACME.loginId, action: "auth.login" })).toHaveLength(1);

    // The set-up ran as the system (createAccount's and createStaff's default actor), all at one time.
    const bySystem = await allPages({ actor: "システム" });
    expect(bySystem.map((r) => `${r.action} ${r.loginId ?? r.target}`).sort()).toEqual([
      `account.create ${ACME.loginId}`,
      `account.create ${OTHER.loginId}`,
      `staff.create ${STAFF.email}`,
    ]);
    expect(new Set(bySystem.map((r) => r.actorLabel))).toEqual(new Set(["システム"]));
    expect(await allPages({ actor: "システム", loginId: ACME.loginId })).toHaveLength(1);
  });

  it("an unknown 実行者, 顧客 or 操作, or a period that is no date, is refused beside its field", async () => {
    const e = await failure(
      staff.call((c) => c.backofficeAudit.list({ actor: "nobody@example.jp", loginId: "zzz99", action: "drop" })),
    );
    expect(e.code).toBe("BAD_REQUEST");
    const fields = (e.cause as { fieldErrors?: Record<string, string[]> }).fieldErrors ?? {};
    expect(fields.actor?.[0]).toContain("見つかりません");
    expect(fields.loginId?.[0]).toBe("ログインID「zzz99」の顧客は見つかりません。");
    expect(fields.action?.[0]).toBe("操作は一覧から選択してください。");
    const withAccount = await failure(
      staff.call((c) => c.backofficeAudit.list({ actor: "nobody@example.jp", loginId: ACME.loginId })),
    );
    expect(Object.keys(formErrorsFrom(withAccount).errors.fieldErrors)).toEqual(["actor"]);
    const date = await failure(staff.call((c) => c.backofficeAudit.list({ from: "2026-02-30" })));
    expect(date.code).toBe("BAD_REQUEST");
    expect(formErrorsFrom(date).errors.fieldErrors.from).toEqual(["期間(開始)に正しい日付を入力してください。"]);
  });

  it("offers every labelled action in the 操作 select", async () => {
    const actions = await staff.call((c) => c.backofficeAudit.actions());
    expect(actions.map((a) => a.value)).toEqual(AUDIT_ACTIONS);
    expect(actions.find((a) => a.value === "order.arrange")?.label).toBe("手配済にする");
  });
});

describe("pages", () => {
  it("pages newest first by (at, id) through rows with equal timestamps, none lost or repeated", async () => {
    const at = h.clock.now();
    const ids: string[] = [];
    for (let i = 0; i < 2 * AUDIT_PAGE_SIZE + 7; i++) {
      if (i === 60) h.clock.advance(1000); // two timestamps, one boundary inside a page
      await recordAudit(h.db, h.clock, { userId: acme.userId, accountId: acme.accountId }, null, "auth.logout");
    }
    const stored = await h.db
      .selectFrom("audit_events")
      .select(["id", "at"])
      .where("action", "=", "auth.logout")
      .orderBy("at", "desc")
      .orderBy("id", "desc")
      .execute();
    ids.push(...stored.map((r) => r.id));
    expect(stored.filter((r) => r.at === at.toISOString())).toHaveLength(60);
    const pages = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof listAuditEvents>> = await staff.call((c) =>
        c.backofficeAudit.list({ loginId: ACME.loginId, action: "auth.logout", cursor }),
      );
      pages.push(page.rows.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([50, 50, 7]);
    expect(pages.flat()).toEqual(ids);
    // The same through the other indexes (no filter, the action alone, the actor).
    expect((await allPages({ action: "auth.logout" })).map((r) => r.id)).toEqual(ids);
    expect((await allPages({ actor: ACME.email })).map((r) => r.id)).toEqual(ids);
  });

  it("期間 is inclusive dates in Japan time", async () => {
    const at = (iso: string) => {
      h.clock.set(iso);
      return recordAudit(h.db, h.clock, { type: "system" }, null, "product.import", { target: iso });
    };
    await at("2026-03-31T14:59:59.999Z"); // 3/31 23:59 JST
    await at("2026-03-31T15:00:00.000Z"); // 4/1 00:00 JST
    await at("2026-04-01T14:59:59.999Z"); // 4/1 23:59 JST
    await at("2026-04-01T15:00:00.000Z"); // 4/2 00:00 JST
    h.clock.set("2026-04-01T00:10:00.000Z"); // back while the staff session is open
    const day = await allPages({ action: "product.import", from: "2026-04-01", to: "2026-04-01" });
    expect(day.map((r) => [r.target, r.atLabel])).toEqual([
      ["2026-04-01T14:59:59.999Z", "2026/04/01 23:59"],
      ["2026-03-31T15:00:00.000Z", "2026/04/01 00:00"],
    ]);
    expect((await allPages({ action: "product.import", from: "2026-04-02" })).map((r) => r.target)).toEqual([
      "2026-04-01T15:00:00.000Z",
    ]);
    expect((await allPages({ action: "product.import", to: "2026-03-31" })).map((r) => r.target)).toEqual([
      "2026-03-31T14:59:59.999Z",
    ]);
    expect(await allPages({ action: "product.import", from: "2026-04-03" })).toEqual([]);
  });
});

describe("CSV", () => {
  it("is UTF-8 with BOM, CRLF, a Japanese header; quotes, line breaks and formulas are safe; the export is audited", async () => {
    const hostile = ['a,b "c"\nd', '=HYPERLINK("http://evil")', "+81", "-1", "@SUM(A1)"];
    for (const target of hostile) {
      h.clock.advance(1000);
      await recordAudit(h.db, h.clock, { type: "staff", id: staffId, accountId: acme.accountId }, null, "user.unlock", {
        target,
        details: { password: "never-shown", total: 1200 },
      });
    }
    const { text } = await csvOf({ loginId: ACME.loginId, action: "user.unlock" });
    expect(text.startsWith("\uFEFF")).toBe(true);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(text.split("\r\n")[0]).toBe(`\uFEFF${AUDIT_CSV_HEADER.map((c) => `"${c}"`).join(",")}`);
    expect(text).not.toContain("never-shown");
    const records = parseCsv(text).map((r) => r.fields);
    expect(records[0]).toEqual([...AUDIT_CSV_HEADER]);
    const targets = records.slice(1).map((r) => r[5]);
    expect(targets).toEqual(["'@SUM(A1)", "'-1", "'+81", '\'=HYPERLINK("http://evil")', 'a,b "c"\nd']);
    expect(records[1]).toEqual([
      "2026/04/01 09:00",
      STAFF.email,
      ACME.loginId,
      ACME.companyName,
      "ロック解除",
      "'@SUM(A1)",
      "成功",
      "",
      "合計: 1200",
    ]);
    const exported = await h.db
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "audit.export")
      .executeTakeFirstOrThrow();
    expect(exported).toMatchObject({ actor_type: "staff", actor_id: staffId, ip: "198.51.100.7" });
    expect(JSON.parse(exported.details ?? "{}")).toEqual({ loginId: ACME.loginId, action: "user.unlock" });
  });

  it("writes a log longer than a chunk in keyset chunks, every row once", async () => {
    const rows = Array.from({ length: AUDIT_CSV_CHUNK + 5 }, (_, i) => ({
      id: newId(),
      at: new Date(Date.parse("2026-03-01T00:00:00Z") + Math.floor(i / 3) * 1000).toISOString(),
      actor_type: "customer" as const,
      actor_id: acme.userId,
      account_id: acme.accountId,
      action: "auth.logout",
      target: `row-${i}`,
      ip: "203.0.113.1",
      user_agent: null,
      result: "success" as const,
      details: null,
    }));
    for (let i = 0; i < rows.length; i += 200)
      await h.db
        .insertInto("audit_events")
        .values(rows.slice(i, i + 200))
        .execute();
    const { text, chunks } = await csvOf({ action: "auth.logout" });
    expect(chunks).toBe(2);
    const records = parseCsv(text);
    expect(records).toHaveLength(1 + rows.length);
    const newestFirst = [...rows].sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
    expect(records.slice(1).map((r) => r.fields[5])).toEqual(newestFirst.map((r) => r.target));
  });

  it("refuses a filter the page refuses, and writes no export row", async () => {
    const e = await failure(staff.call((c) => c.backofficeAudit.csvChunk({ loginId: "zzz99", cursor: null })));
    expect(e.code).toBe("BAD_REQUEST");
    expect(await h.db.selectFrom("audit_events").select("id").where("action", "=", "audit.export").execute()).toEqual(
      [],
    );
  });
});

it.runIf(process.env.TEST_DB !== "postgres")(
  "reads an index for every filter combination (SQLite's plan)",
  async () => {
    for (let i = 0; i < 30; i++) {
      h.clock.advance(1000);
      await recordAudit(h.db, h.clock, { userId: acme.userId, accountId: acme.accountId }, null, "auth.logout");
      await recordAudit(
        h.db,
        h.clock,
        { type: "staff", id: staffId, accountId: other.accountId },
        null,
        "account.suspend",
      );
    }
    const recording = recordingPlans(h);
    const deps = { ...h.deps, db: recording.db };
    const actors = [undefined, STAFF.email, ACME.email, "システム"];
    const accounts = [undefined, ACME.loginId];
    const actions = [undefined, "auth.logout"];
    const periods = [{}, { from: "2026-04-01" }, { from: "2026-03-01", to: "2026-04-01" }];
    for (const actor of actors)
      for (const loginId of accounts)
        for (const action of actions)
          for (const period of periods) {
            const filter = { actor, loginId, action, ...period };
            const page = await listAuditEvents(deps, filter);
            if (page.nextCursor) await listAuditEvents(deps, filter, page.nextCursor);
            await auditCsvChunk(
              deps,
              { id: staffId },
              filter,
              Buffer.from("2026-04-01T00:00:30.000Z|zzz").toString("base64url"),
              null,
            );
          }
    let read = 0;
    for (const { sql, plan } of recording.plans()) {
      expect(plan, sql).not.toMatch(/SCAN (audit_events|users|staff|accounts)(?! USING)/);
      if (/from "audit_events"/.test(sql)) {
        read++;
        expect(plan, sql).not.toContain("TEMP B-TREE");
        expect(plan, sql).toMatch(/USING (COVERING )?INDEX audit_events_/);
        // システム alone reads its partial index; with 操作 or 顧客 SQLite may prefer that equality's index.
        if (sql.includes(`"actor_type" = 'system'`) && !/"(action|account_id)" = \?/.test(sql))
          expect(plan, sql).toContain("audit_events_system_at_idx");
      }
    }
    expect(read).toBeGreaterThan(actors.length * accounts.length * actions.length * periods.length);
  },
);
