import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { fieldErrorsOf } from "../../server/trpc/field-errors";
import { customerProcedure, signedInProcedure, staffProcedure } from "../../server/trpc/init";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { hostileInput, hostileText, type Snapshot, snapshot, unexpectedChanges } from "../support/hostile";
import { expectJapanese } from "../support/japanese";
import { allProcedures } from "../support/router-inputs";
import { DELIVERY } from "../support/samples";
import { serve } from "../support/server";

/**
 * Property-based: every procedure of the root router (one added later too), called as the caller
 * that may call it (a staff procedure as a signed-in admin, so the back office's rules are reached too), with hostile inputs built from its input schema (tests/support/hostile.ts): long
 * text, control characters, full-width, emoji, SQL and HTML payloads, wrong types, missing and extra
 * fields, huge and negative numbers, impossible dates. For every input:
 * - never a 5xx: the call succeeds or fails with a tRPC error whose HTTP status is below 500;
 * - a refusal is in Japanese: its message and every field message (no "Invalid input: expected…");
 * - a refusal changes nothing: every table equals its snapshot from before the call, except the
 *   records whose purpose is to count refusals (login_failures, rate_buckets: the lockout and the
 *   per-IP limit, §8) and audit events of a failure (§8 audit).
 * A call that succeeds may change the database (a template with an emoji name is a template): weird
 * but valid input is the service's to accept. Fixed seed, modest runs: this runs in `npm test` on
 * SQLite and on PostgreSQL.
 */

const SEED = 20_261_201;
const RUNS = 30;
const FORM_RUNS = 8;

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const FLAGGED = { loginId: "flag01", companyName: "フラグ工業", email: "flag@example.jp" };
const TODAY = "2026-04-01";
/** The admin who calls the staff procedures, and an account of their own to act on (never the customer's). */
const STAFF = { email: "hostile-admin@example.jp", password: "Staff-2026h", name: "管理 花子", role: "admin" as const };
const BO_ACCOUNT = { loginId: "bo0001", companyName: "株式会社 対象商事", email: "bo@example.jp" };
const MEMBER_CSV = Buffer.from(
  "ログインID,会社名,メールアドレス,ユーザ名\r\nmig001,移行商事,mig@example.jp,移行 一郎\r\n",
).toString("base64");

let h: Harness;
/** The customer (acme01), signed in; and a user of another account who must still change the password. */
let customer: TestBrowser;
let flagged: TestBrowser;
let staff: TestBrowser;
const fixtures = {
  productId: "",
  templateId: "",
  rentalId: "",
  rentalLineId: "",
  number: "",
  pendingUserId: "",
  quoteNumber: "",
  quoteLineId: "",
  cancellationNumber: "",
  boAccountId: "",
  boUserId: "",
  spareStaffId: "",
};

beforeAll(async () => {
  h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
  await insertProducts(h.db, h.clock.now(), [
    {
      modelNo: "DSOX1204G",
      maker: "キーサイト・テクノロジー",
      name: "オシロスコープ",
      category: "測定器",
      specSummary: "",
      dailyPrice: 1000,
      monthlyPrice: 10000,
    },
  ]);
  fixtures.productId = (await h.db.selectFrom("products").select("id").executeTakeFirstOrThrow()).id;
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
  customer = h.browser();
  await signIn();
  fixtures.templateId = (await customer.call((c) => c.templates.create({ name: "本社", ...DELIVERY }))).id;
  const order = {
    kind: "order" as const,
    lines: [{ productId: fixtures.productId, quantity: "3" }],
    startDate: TODAY,
    periodUnit: "month" as const,
    period: "3",
    delivery: DELIVERY,
    notes: "",
    poNumber: "",
    idempotencyKey: "hostile-fixture-order-0001",
  };
  fixtures.number = (await customer.call((c) => c.applications.submit(order))).number;
  await h.db
    .updateTable("applications")
    .set({ intake_status: "accepted" })
    .where("number", "=", fixtures.number)
    .execute();
  fixtures.rentalId = (await arrangeOrder(h.deps, fixtures.number, { type: "system" })).rentalId;
  const rental = await customer.call((c) => c.rentals.get({ id: fixtures.rentalId }));
  fixtures.rentalLineId = rental.lines[0]?.id ?? "";
  await customer.call((c) => c.users.add({ email: "hanako@example.jp" }));
  const users = await customer.call((c) => c.users.list());
  fixtures.pendingUserId = users.users.find((u) => u.email === "hanako@example.jp")?.id ?? "";

  await createAccount(h.deps, { ...FLAGGED, temporaryPassword: "Start-2026x" });
  flagged = h.browser();
  await flagged.call((c) => c.auth.login({ ...FLAGGED, password: "Start-2026x" }));

  // What the staff procedures act on: a quote and a cancellation waiting, an account of its own, a spare staff member.
  fixtures.quoteNumber = (
    await customer.call((c) =>
      c.applications.submit({ ...order, kind: "quote", idempotencyKey: "hostile-fixture-quote-0001" }),
    )
  ).number;
  fixtures.cancellationNumber = (
    await customer.call((c) =>
      c.rentals.requestCancellation({
        rentalId: fixtures.rentalId,
        mode: "partial",
        quantities: { [fixtures.rentalLineId]: 1 },
        returnDate: TODAY,
        notes: "",
        idempotencyKey: "hostile-fixture-cancel-0001",
      }),
    )
  ).number;
  await h.db
    .updateTable("applications")
    .set({ intake_status: "accepted" })
    .where("number", "in", [fixtures.quoteNumber, fixtures.cancellationNumber])
    .execute();
  fixtures.quoteLineId = (
    await h.db
      .selectFrom("application_lines")
      .innerJoin("applications", "applications.id", "application_lines.application_id")
      .select("application_lines.id")
      .where("applications.number", "=", fixtures.quoteNumber)
      .executeTakeFirstOrThrow()
  ).id;
  ({ accountId: fixtures.boAccountId, userId: fixtures.boUserId } = await createAccount(h.deps, BO_ACCOUNT));
  ({ staffId: fixtures.spareStaffId } = await createStaff(h.deps, {
    email: "spare@example.jp",
    password: "Staff-2026s",
    name: "予備 三郎",
    role: "operator",
  }));
  await createStaff(h.deps, STAFF);
  staff = h.browser();
  await staffSignIn();
});
afterAll(async () => {
  await h?.close();
});

/** Signs the customer in again if a run ended the session (a successful change may turn MFA on). */
async function signIn() {
  await h.db.updateTable("users").set({ mfa_enabled: 0 }).where("email", "=", USER.email).execute();
  await customer.call((c) => c.auth.login({ ...USER, password: PASSWORD }));
}

/** Signs the admin in again (password, then the mailed code) if a run ended the staff session. */
async function staffSignIn() {
  await h.db.deleteFrom("dev_mailbox").where("to_address", "=", STAFF.email).execute();
  await staff.call((c) => c.staffAuth.login({ email: STAFF.email, password: STAFF.password }));
  const mail = (await h.mailsTo(STAFF.email)).find((m) => m.subject.includes("ワンタイムパスワード"));
  const code = mail && /ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1];
  if (!code) throw new Error("no code mailed to the admin");
  await staff.call((c) => c.staffAuth.verifyOtp({ code }));
}

/** The application number a back-office action acts on: the kind it is for. */
function numberFor(path: string): string {
  if (path === "backofficeApplications.answerQuote") return fixtures.quoteNumber;
  if (path === "backofficeApplications.confirmReturn") return fixtures.cancellationNumber;
  return fixtures.number;
}

/** A plausible value per field name, so that part of each input reaches the service's rules. */
function plausible(path: string) {
  const area = path.split(".")[0];
  const ids: Record<string, string> = {
    templates: fixtures.templateId,
    users: fixtures.pendingUserId,
    rentals: fixtures.rentalId,
    catalog: fixtures.productId,
    staff: fixtures.spareStaffId,
  };
  const backOffice = area === "backofficeApplications" || area === "backofficeAccounts" || area === "staff";
  return (name: string): unknown => {
    const values: Record<string, unknown> = {
      ...DELIVERY,
      loginId: USER.loginId,
      email: USER.email,
      password: PASSWORD,
      currentPassword: PASSWORD,
      // The current password again: accepted or refused, the customer can still sign in with it.
      newPassword: PASSWORD,
      confirmPassword: PASSWORD,
      newEmail: "new@example.jp",
      code: "123456",
      token: "x".repeat(43),
      name: "本社",
      id: ids[area ?? ""] ?? fixtures.productId,
      productId: fixtures.productId,
      rentalId: fixtures.rentalId,
      quantity: "1",
      lines: [{ productId: fixtures.productId, quantity: "1" }],
      quantities: { [fixtures.rentalLineId]: "1" },
      startDate: "2026-04-10",
      returnDate: "2026-04-20",
      from: "2026-01-01",
      to: "2026-12-31",
      period: "3",
      notes: "",
      poNumber: "",
      number: numberFor(path),
      keyword: backOffice ? "アクメ" : "オシロ",
      page: "1",
      // The back office's fields.
      accountId: fixtures.boAccountId,
      userId: fixtures.boUserId,
      companyName: BO_ACCOUNT.companyName,
      userName: "対象 太郎",
      unitPrices: { [fixtures.quoteLineId]: "12000" },
      validUntil: "2026-04-30",
      comment: "ご検討ください。\n納期は別途ご連絡します。",
      file: MEMBER_CSV,
      temporaryPasswords: true,
      role: "operator",
      status: "disabled",
      cursor: null,
    };
    if (backOffice && name === "email") return fc.constantFrom(BO_ACCOUNT.email, "added@example.jp");
    if (backOffice && name === "password") return "Staff-2026n";
    if (name === "idempotencyKey") return fc.integer({ min: 1 }).map((n) => `hostile-key-${n}`);
    return values[name];
  };
}

type Procedure = { _def: { type: string; inputs: z.ZodType[]; middlewares: unknown[] } };
const lastMiddleware = (p: unknown) => (p as Procedure)._def.middlewares.at(-1);
const CUSTOMER = lastMiddleware(customerProcedure);
const SIGNED_IN = lastMiddleware(signedInProcedure);
const STAFF_ONLY = lastMiddleware(staffProcedure);

/** Who may call a procedure: its base, told by the middleware that base adds (admin procedures build on staff). */
function callerOf(p: Procedure): "staff" | "customer" | "signed-in" | "anonymous" {
  if (p._def.middlewares.includes(STAFF_ONLY)) return "staff";
  if (p._def.middlewares.includes(CUSTOMER)) return "customer";
  if (p._def.middlewares.includes(SIGNED_IN)) return "signed-in";
  return "anonymous";
}

function browserFor(kind: ReturnType<typeof callerOf>): TestBrowser {
  if (kind === "staff") return staff;
  if (kind === "customer") return customer;
  if (kind === "signed-in") return flagged;
  return h.browser();
}

async function invoke(b: TestBrowser, path: string, input: unknown) {
  return b.call((c) => {
    const fn = path.split(".").reduce<unknown>((node, name) => (node as Record<string, unknown>)[name], c);
    return (fn as (input: unknown) => Promise<unknown>)(input);
  });
}

/** A refusal a user may read: a tRPC error below 500, in Japanese, field messages too. */
function expectPoliteRefusal(path: string, error: unknown) {
  expect(error, `${path}: not a tRPC error: ${String(error)}`).toBeInstanceOf(TRPCError);
  const e = error as TRPCError;
  expect(getHTTPStatusCodeFromError(e), `${path}: ${e.code} ${e.message} (${String(e.cause)})`).toBeLessThan(500);
  expectJapanese(e.message);
  for (const messages of Object.values(fieldErrorsOf(e))) for (const message of messages) expectJapanese(message);
}

const tally = { runs: 0, refused: 0, accepted: 0, ms: 0, staffAccepted: new Set<string>() };

describe("every procedure of the root router, with hostile inputs", () => {
  let before: Snapshot | undefined;

  afterAll(() => {
    console.info(
      `hostile inputs: ${tally.runs} calls (${tally.refused} refused, ${tally.accepted} accepted) in ${Math.round(tally.ms)} ms`,
    );
  });

  for (const [path, procedure] of Object.entries(allProcedures as unknown as Record<string, Procedure>)) {
    const kind = callerOf(procedure);
    it(`${path} (${kind})`, async () => {
      const started = performance.now();
      if (kind === "customer" && !(await customer.call((c) => c.auth.me()))) await signIn();
      if (kind === "staff" && !(await staff.call((c) => c.staffAuth.me()))) await staffSignIn();
      before = await snapshot(h.db);
      await fc.assert(
        fc.asyncProperty(hostileInput(procedure._def.inputs[0], plausible(path)), async (input) => {
          // Guesses of the current password count on the lockout (#3): never let them add up to it.
          const cleared = await h.db.deleteFrom("login_failures").executeTakeFirst();
          if (Number(cleared.numDeletedRows) > 0 || !before) before = await snapshot(h.db);
          tally.runs++;
          const outcome = await invoke(browserFor(kind), path, input).then(
            () => ({ ok: true as const }),
            (error: unknown) => ({ ok: false as const, error }),
          );
          if (outcome.ok) {
            tally.accepted++;
            if (kind === "staff") tally.staffAccepted.add(path);
            before = await snapshot(h.db);
            return;
          }
          tally.refused++;
          expectPoliteRefusal(path, outcome.error);
          const after = await snapshot(h.db);
          expect(unexpectedChanges(before, after), `${path}: a refused call changed the database`).toEqual({});
          before = after;
        }),
        { seed: SEED, numRuns: RUNS },
      );
      tally.ms += performance.now() - started;
    });
  }

  it("reached the back office as staff: most staff procedures accepted some input", () => {
    const staffPaths = Object.entries(allProcedures as unknown as Record<string, Procedure>)
      .filter(([, p]) => callerOf(p) === "staff")
      .map(([path]) => path);
    expect(staffPaths.length).toBeGreaterThan(10);
    expect(tally.staffAccepted.size, [...tally.staffAccepted].join(", ")).toBeGreaterThanOrEqual(
      Math.ceil(staffPaths.length / 2),
    );
  });
});

/**
 * The Remix form actions go through the same procedures; a few forms posted with hostile bodies over
 * HTTP against the built app (npm run build): never a 5xx, a Japanese page, no payload echoed as HTML.
 */
describe("form actions over HTTP, with hostile bodies", () => {
  const SCRIPT = "<script>alert(1)</script>";
  let s: Awaited<ReturnType<typeof serve>>;
  let cookie = "";
  beforeAll(async () => {
    s = await serve(h);
    if (!(await customer.call((c) => c.auth.me()))) await signIn();
    cookie = [...customer.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  });
  afterAll(async () => {
    await s?.close();
  });

  const forms: [string, string[], Record<string, string>, boolean][] = [
    ["/login", ["loginId", "email", "password", "redirectTo"], {}, false],
    ["/forgot-password", ["loginId", "email"], {}, false],
    ["/account/templates", ["name", ...Object.keys(DELIVERY), "id"], { intent: "create" }, true],
    [
      "/order",
      [
        "startDate",
        "periodUnit",
        "period",
        ...Object.keys(DELIVERY),
        "notes",
        "poNumber",
        "formKey",
        "templateId",
        "qty.p",
      ],
      { intent: "confirm" },
      true,
    ],
  ];

  /** A form body: each field hostile, plausible or missing; sometimes extra and repeated fields. */
  const body = (fields: string[], fixed: Record<string, string>) =>
    fc
      .tuple(
        fc.record(Object.fromEntries(fields.map((f) => [f, fc.option(hostileText, { freq: 5 })]))),
        fc.array(fc.tuple(fc.oneof(fc.constantFrom(...fields), hostileText), hostileText), { maxLength: 2 }),
      )
      .map(([values, extra]) => {
        const form = new URLSearchParams(fixed);
        for (const [name, value] of Object.entries(values)) {
          if (value === null) continue;
          form.append(name === "qty.p" ? `qty.${fixtures.productId}` : name, value);
        }
        for (const [name, value] of extra) form.append(name, value);
        return form;
      });

  it("a refused field named __proto__ over /api/trpc: 400 in Japanese (was a 500: fieldErrorsOf wrote into the prototype)", async () => {
    const was = await snapshot(h.db);
    const res = await fetch(`${s.url}/api/trpc/auth.requestPasswordReset`, {
      method: "POST",
      headers: { Origin: s.url, "Content-Type": "application/json" },
      body: `{"loginId":"acme01","email":"taro@example.jp","__proto__":"\\u0000"}`,
    });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string; data: { fieldErrors: unknown } } };
    expect(error.message).toBe("入力内容をご確認ください。");
    expect(JSON.stringify(error.data.fieldErrors)).toBe(
      `{"__proto__":["使用できない文字(制御文字)が含まれています。"]}`,
    );
    expect(unexpectedChanges(was, await snapshot(h.db))).toEqual({});
  });

  for (const [route, fields, fixed, signedIn] of forms) {
    it(`POST ${route}`, async () => {
      await fc.assert(
        fc.asyncProperty(body(fields, fixed), async (form) => {
          await h.db.deleteFrom("login_failures").execute();
          const was = await snapshot(h.db);
          const res = await fetch(`${s.url}${route}`, {
            method: "POST",
            headers: { Origin: s.url, ...(signedIn ? { Cookie: cookie } : {}) },
            body: form,
            redirect: "manual",
          });
          const page = await res.text();
          expect(res.status, `${route} ${form}: ${page.slice(0, 300)}`).toBeLessThan(500);
          if (res.status >= 300 && res.status < 400) return;
          expect(page).toMatch(/[\u3040-\u30ff\u3400-\u9fff]/);
          expect(page).not.toMatch(/Invalid input|expected (string|number)|received |Unexpected Server Error/);
          expect(page, "a payload echoed as markup").not.toContain(SCRIPT);
          if (res.status >= 400) expect(unexpectedChanges(was, await snapshot(h.db))).toEqual({});
        }),
        { seed: SEED, numRuns: FORM_RUNS },
      );
    });
  }
});
