import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migratorFor } from "../../db";
import { HOUR } from "../../server/lib/clock";
import { tokyoDateString } from "../../server/lib/format";
import { createAccount } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { openApplications } from "../../server/services/ordering/history";
import { arrangeOrder, rentalsDueFirst } from "../../server/services/ordering/rentals";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { recordingPlans } from "../support/query-plans";
import { DELIVERY } from "../support/samples";

/** The customer's home (account.home): the sign-in before this one, open applications, rentals. */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";

let h: Harness;
let productId: string;
let keys = 0;
beforeEach(async () => {
  h = await createHarness();
  await insertProducts(h.db, h.clock.now(), [
    {
      modelNo: "DSOX1204G",
      maker: "キーサイト",
      name: "オシロスコープ",
      category: "測定器",
      specSummary: "",
      dailyPrice: 3000,
      monthlyPrice: 36000,
    },
  ]);
  productId = (await h.db.selectFrom("products").select("id").executeTakeFirstOrThrow()).id;
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
});
afterEach(async () => {
  await h.close();
});

async function signIn(options?: { ip?: string; userAgent?: string }) {
  const b = h.browser(options);
  await b.call((c) => c.auth.login({ ...USER, password: PASSWORD }));
  return b;
}

async function submit(
  b: TestBrowser,
  kind: "order" | "quote",
  start: string,
  periodUnit: "day" | "month",
  period: number,
) {
  const { number } = await b.call((c) =>
    c.applications.submit({
      kind,
      lines: [{ productId, quantity: "2" }],
      startDate: start,
      periodUnit,
      period: String(period),
      delivery: DELIVERY,
      notes: "",
      poNumber: "",
      idempotencyKey: `home-test-key-${String(++keys).padStart(8, "0")}`,
    }),
  );
  await h.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", number).execute();
  return number;
}

describe("account.home", () => {
  it("shows the sign-in before this one, never the current one; none at the first", async () => {
    const first = await signIn({
      ip: "198.51.100.7",
      userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Version/17.0 Safari/605.1.15",
    });
    expect((await first.call((c) => c.account.home())).previousLogin).toBeNull();
    h.clock.advance(HOUR);
    const second = await signIn({ ip: "203.0.113.20" });
    // A failed attempt in between is no sign-in.
    await second.call((c) => c.auth.login({ ...USER, password: "Wrong-2026x" })).catch(() => undefined);
    expect((await second.call((c) => c.account.home())).previousLogin).toEqual({
      atLabel: "2026/04/01 09:00:00 (日本時間)",
      ip: "198.51.100.7",
      browser: expect.stringContaining("Safari"),
    });
  });

  it("lists open applications (not 手配済 / 回答済 / 返却済) and rentals with 返却予定日 and the days left", async () => {
    const b = await signIn();
    const today = tokyoDateString(h.clock.now());
    const arranged = await submit(b, "order", today, "month", 3);
    const open = await submit(b, "quote", today, "day", 10);
    const { rentalId } = await arrangeOrder(h.deps, arranged, { type: "system" });
    const later = await submit(b, "order", "2026-04-20", "day", 5);
    const { rentalId: futureId } = await arrangeOrder(h.deps, later, { type: "system" });

    const home = await b.call((c) => c.account.home());
    expect(home.openApplications.map((a) => a.number)).toEqual([open]);
    const byId = Object.fromEntries(home.rentals.map((r) => [r.id, r]));
    expect(byId[rentalId]).toMatchObject({
      startDate: "2026-04-01",
      period: { unit: "month", count: 3 },
      plannedEndDate: "2026-07-01",
      notStarted: false,
      daysLeft: 91,
    });
    expect(byId[futureId]).toMatchObject({ plannedEndDate: "2026-04-25", notStarted: true, daysLeft: 24 });
    expect(home.rentalCount).toBe(2);

    // Another account sees none of it.
    const other = await h.otherAccount();
    const theirs = await other.call((c) => c.account.home());
    expect(theirs.openApplications).toEqual([]);
    expect(theirs.rentals).toEqual([]);
  });

  it("shows the five rentals due back soonest, and how many there are in all", async () => {
    const b = await signIn();
    const today = tokyoDateString(h.clock.now());
    // Seven rentals ending 70, 10, 60, 20, 50, 30 and 40 days from today.
    const ends = [70, 10, 60, 20, 50, 30, 40];
    for (const days of ends) {
      const number = await submit(b, "order", today, "day", days);
      await arrangeOrder(h.deps, number, { type: "system" });
    }
    const home = await b.call((c) => c.account.home());
    expect(home.rentalCount).toBe(7);
    expect(home.rentals.map((r) => r.daysLeft)).toEqual([10, 20, 30, 40, 50]);
  });

  it("lists rentals without a period after those with one, by contract number", async () => {
    const b = await signIn();
    const today = tokyoDateString(h.clock.now());
    const numbers: string[] = [];
    for (const days of [30, 0, 0, 10]) {
      const number = await submit(b, "order", today, "day", Math.max(days, 1));
      if (!days) {
        await h.db
          .updateTable("applications")
          .set({ period: null, period_unit: null })
          .where("number", "=", number)
          .execute();
      }
      await arrangeOrder(h.deps, number, { type: "system" });
      numbers.push(number);
    }
    const home = await b.call((c) => c.account.home());
    expect(home.rentals.map((r) => [r.orderNumber, r.plannedEndDate === null])).toEqual([
      [numbers[3], false],
      [numbers[0], false],
      [numbers[1], true],
      [numbers[2], true],
    ]);
    expect(home.rentalCount).toBe(4);
  });

  it("lists the five newest open applications, however many closed ones are newer", async () => {
    const b = await signIn();
    const today = tokyoDateString(h.clock.now());
    const open: string[] = [];
    for (let i = 0; i < 7; i++) {
      open.push(await submit(b, "quote", today, "day", 3));
      h.clock.advance(1000);
    }
    // Twenty-five newer orders, all arranged (手配済): before, the home looked only at the newest twenty.
    for (let i = 0; i < 25; i++) {
      await arrangeOrder(h.deps, await submit(b, "order", today, "day", 3), { type: "system" });
      h.clock.advance(1000);
    }
    const home = await b.call((c) => c.account.home());
    expect(home.openApplications.map((a) => a.number)).toEqual(open.slice(2).reverse());
    expect(home.openApplications[0]).toEqual({
      id: expect.any(String),
      number: open[6],
      kindLabel: "見積",
      createdAtLabel: expect.stringMatching(/^2026\/04\/01 /),
      resultLabel: "受付完了",
    });
  });
});

describe("the home's queries (SQLite's plan)", () => {
  it.runIf(process.env.TEST_DB !== "postgres")(
    "read only what the home shows: open applications and the rentals due first on their indexes, no sort",
    async () => {
      const b = await signIn();
      const today = tokyoDateString(h.clock.now());
      for (let i = 0; i < 12; i++) {
        const number = await submit(b, i % 2 ? "quote" : "order", today, "day", 3 + i);
        if (i % 2 === 0) await arrangeOrder(h.deps, number, { type: "system" });
        h.clock.advance(1000);
      }
      const none = await submit(b, "order", today, "day", 1);
      await h.db
        .updateTable("applications")
        .set({ period: null, period_unit: null })
        .where("number", "=", none)
        .execute();
      await arrangeOrder(h.deps, none, { type: "system" });
      const { account_id: accountId } = await h.db.selectFrom("users").select("account_id").executeTakeFirstOrThrow();
      // Another account's 1,000 running rentals, straight into the table: with statistics of one account's
      // dozen rows alone, SQLite rightly scans so small a table (ordering.test.ts does the same).
      await h.otherAccount();
      const other = await h.db
        .selectFrom("users")
        .select("account_id")
        .where("account_id", "!=", accountId)
        .executeTakeFirstOrThrow();
      const others = Array.from({ length: 1000 }, (_, i) => ({
        id: `other-rental-${i}`,
        contract_no: `K-OTHER-${String(i).padStart(4, "0")}`,
        account_id: other.account_id,
        order_application_id: `other-order-${i}`,
        status: "active" as const,
        start_date: "2026-04-01",
        due_date: `2026-0${5 + (i % 4)}-1${i % 10}`,
        created_at: "2026-03-01T00:00:00.000Z",
        ended_at: null,
      }));
      for (let i = 0; i < others.length; i += 200) {
        await h.db
          .insertInto("rentals")
          .values(others.slice(i, i + 200))
          .execute();
      }
      for (const analyzed of [false, true]) {
        if (analyzed) await sql`analyze`.execute(h.db);
        const recording = recordingPlans(h);
        const deps = { ...h.deps, db: recording.db };
        expect((await openApplications(deps, accountId, 5)).length).toBe(5);
        // Six rentals with a period, then the one without: both of the due-first reads.
        expect((await rentalsDueFirst(deps, accountId, 7)).rentals.length).toBe(7);
        const plans = recording.plans();
        const open = plans.filter((p) => /from "applications"/.test(p.sql) && /"arranged_at" is null/.test(p.sql));
        expect(open.length).toBe(1);
        const due = plans.filter((p) => /from "rentals"/.test(p.sql) && !/count\(/.test(p.sql));
        expect(due.length).toBe(2);
        for (const { sql: statement, plan } of [...open, ...due]) {
          const where = `${statement} (analyzed: ${analyzed})`;
          expect(plan, where).toMatch(/applications_account_open_idx|rentals_account_due_idx/);
          expect(plan, where).not.toContain("TEMP B-TREE");
        }
        // The rentals' open 延長申込 are read with them, on the index of a rental's applications.
        for (const { sql: statement, plan } of due)
          expect(plan, `${statement} (analyzed: ${analyzed})`).toContain(
            "SEARCH extension USING INDEX applications_rental_idx (rental_id=? AND kind=?)",
          );
        // Nothing else: the open applications, the two reads of rentals and their count.
        expect(plans).toHaveLength(4);
        expect(open[0]?.plan).toContain("applications_account_open_idx");
      }
    },
  );
});

describe("migration 0015", () => {
  it("gives the rentals that exist their 返却予定日, and none to one without a period", async () => {
    const b = await signIn();
    const today = tokyoDateString(h.clock.now());
    const month = await submit(b, "order", "2026-05-31", "month", 1);
    const days = await submit(b, "order", today, "day", 10);
    const none = await submit(b, "order", today, "day", 1);
    await h.db
      .updateTable("applications")
      .set({ period: null, period_unit: null })
      .where("number", "=", none)
      .execute();
    for (const number of [month, days, none]) await arrangeOrder(h.deps, number, { type: "system" });
    const dueDates = async () =>
      Object.fromEntries(
        (
          await h.db
            .selectFrom("rentals")
            .innerJoin("applications", "applications.id", "rentals.order_application_id")
            .select(["applications.number", "rentals.due_date"])
            .execute()
        ).map((r) => [r.number, r.due_date]),
      );
    const atArrangement = await dueDates();
    expect(atArrangement).toEqual({ [month]: "2026-06-30", [days]: "2026-04-11", [none]: null });

    const migrator = await migratorFor(h.db);
    expect((await migrator.migrateTo("0014_catalog_state")).error).toBeUndefined();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    expect(await dueDates()).toEqual(atArrangement);
  });
});
