import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOUR } from "../../server/lib/clock";
import { tokyoDateString } from "../../server/lib/format";
import { createAccount } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
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
});
