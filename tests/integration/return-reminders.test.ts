import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb } from "../../db";
import { tokyoDateString } from "../../server/lib/format";
import { buildDeps } from "../../server/runtime";
import { createAccount } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { sendReturnReminders } from "../../server/services/ordering/return-reminders";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { sqlitePlans } from "../support/query-plans";
import { DELIVERY } from "../support/samples";
import { TEST_DIALECT } from "../support/test-db";

/**
 * 返却予定のお知らせ (issue 14): a mail to the ordering user RETURN_REMINDER_DAYS (3) days before 返却予定日,
 * once per rental and date, however many instances run the job and however often it runs.
 */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const DAY = 86_400_000;

let h: Harness;
let customer: TestBrowser;
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
  customer = h.browser();
  await customer.call((c) => c.auth.login({ ...USER, password: PASSWORD }));
});
afterEach(async () => {
  await h.close();
});

/** An order of 2 for `days` days from today, accepted and arranged: its rental's id and contract number. */
async function rental(days: number | null) {
  // Signed in afresh: the clock moves days between rentals.
  await customer.call((c) => c.auth.login({ ...USER, password: PASSWORD }));
  const { number } = await customer.call((c) =>
    c.applications.submit({
      kind: "order",
      lines: [{ productId, quantity: "2" }],
      startDate: tokyoDateString(h.clock.now()),
      periodUnit: "day",
      period: String(days ?? 1),
      delivery: DELIVERY,
      notes: "",
      poNumber: "",
      idempotencyKey: `reminder-key-${String(++keys).padStart(8, "0")}`,
    }),
  );
  const update =
    days === null
      ? { intake_status: "accepted" as const, period: null, period_unit: null }
      : { intake_status: "accepted" as const };
  await h.db.updateTable("applications").set(update).where("number", "=", number).execute();
  const arranged = await arrangeOrder(h.deps, number, { type: "system" });
  return { ...arranged, number };
}

const reminders = () =>
  h.db
    .selectFrom("mail_outbox")
    .innerJoin("mail_bodies", "mail_bodies.outbox_id", "mail_outbox.id")
    .select(["to_address", "subject", "text"])
    .where("template", "=", "return-reminder")
    .orderBy("created_at")
    .execute();

describe("返却予定のお知らせ", () => {
  it("mails the ordering user 3 days before 返却予定日, once, whatever runs the job again", async () => {
    const soon = await rental(3); // due 2026-04-04, today 2026-04-01 (Japan)
    expect(await sendReturnReminders(h.deps, 3)).toBe(1);
    const [mail] = await reminders();
    expect(mail?.to_address).toBe(USER.email);
    expect(mail?.subject).toContain(`返却予定のお知らせ(${soon.contractNo})`);
    expect(mail?.text).toContain("返却予定日: 2026/04/04");
    expect(mail?.text).toContain("あと3日");
    expect(mail?.text).toContain("DSOX1204G オシロスコープ ×2");
    expect(mail?.text).toContain(`申込番号: ${soon.number}`);

    // Again, later the same day, the next days, and from another instance on the same database.
    expect(await sendReturnReminders(h.deps, 3)).toBe(0);
    h.clock.advance(DAY);
    expect(await sendReturnReminders(h.deps, 3)).toBe(0);
    const db2 = createDb(h.databaseUrl, { poolSize: 2 });
    try {
      const instance2 = buildDeps(h.config, db2, h.renderer, "instance-two-pepper-0123456789abcdef", h.clock);
      expect(await sendReturnReminders(instance2, 3)).toBe(0);
    } finally {
      await db2.destroy();
    }
    expect(await reminders()).toHaveLength(1);
  });

  it("sends nothing before the window, for a closed rental, without a period, or after 返却予定日", async () => {
    const later = await rental(10); // due 04-11: its window opens 04-08
    const closed = await rental(2);
    await h.db.updateTable("rentals").set({ status: "closed" }).where("id", "=", closed.rentalId).execute();
    await rental(null);
    expect(await sendReturnReminders(h.deps, 3)).toBe(0);
    h.clock.advance(7 * DAY); // 04-08
    expect(await sendReturnReminders(h.deps, 3)).toBe(1);
    expect((await reminders())[0]?.subject).toContain(later.contractNo);

    // The job was down through a rental's whole window: it is still told on its 返却予定日, not after.
    const missed = await rental(3); // due 04-11
    const gone = await rental(2); // due 04-10
    h.clock.advance(2 * DAY); // 04-10
    await h.db.updateTable("rentals").set({ status: "closed" }).where("id", "=", gone.rentalId).execute();
    expect(await sendReturnReminders(h.deps, 3)).toBe(1);
    expect((await reminders())[1]?.text).toContain("あと1日");
    expect((await reminders())[1]?.subject).toContain(missed.contractNo);
    h.clock.advance(5 * DAY);
    expect(await sendReturnReminders(h.deps, 3)).toBe(0);
  });

  it("a later 返却予定日 of the same rental is a new date: a new reminder", async () => {
    const r = await rental(3);
    expect(await sendReturnReminders(h.deps, 3)).toBe(1);
    await h.db.updateTable("rentals").set({ due_date: "2026-04-20" }).where("id", "=", r.rentalId).execute();
    expect(await sendReturnReminders(h.deps, 3)).toBe(0);
    h.clock.advance(16 * DAY); // 04-17
    expect(await sendReturnReminders(h.deps, 3)).toBe(1);
    expect(await reminders()).toHaveLength(2);
  });

  it.runIf(TEST_DIALECT === "postgres")("two instances at the same moment send it once", async () => {
    await rental(3);
    await rental(2);
    const db2 = createDb(h.databaseUrl, { poolSize: 2 });
    try {
      const instance2 = buildDeps(h.config, db2, h.renderer, "instance-two-pepper-0123456789abcdef", h.clock);
      const [a, b] = await Promise.all([sendReturnReminders(h.deps, 3), sendReturnReminders(instance2, 3)]);
      expect(a + b).toBe(2);
    } finally {
      await db2.destroy();
    }
    expect(await reminders()).toHaveLength(2);
  });

  it.runIf(TEST_DIALECT === "sqlite")(
    "finds the rentals and lines due soon on their partial indexes, not by reading every rental (SQLite's plan)",
    async () => {
      await rental(3);
      const plans = await sqlitePlans(h.db, h.databaseUrl, async (db) => {
        await sendReturnReminders({ ...h.deps, db }, 3);
      });
      const find = plans.find((p) => /from "rentals"/.test(p.sql) && /due_date/.test(p.sql));
      expect(find?.plan).toContain("rentals_active_due_idx");
      expect(find?.plan).not.toMatch(/SCAN rentals(?! USING)/);
      // The lines' own dates (an extension of some lines, migration 0021): on their partial index too.
      const byLine = plans.find(
        (p) => /from "rental_lines"/.test(p.sql) && /"rental_lines"\."due_date" >=/.test(p.sql),
      );
      expect(byLine?.plan).toContain("rental_lines_due_idx");
      expect(byLine?.plan).not.toMatch(/SCAN rental_lines(?! USING)/);
    },
  );

  it("RETURN_REMINDER_DAYS=0 sends none", async () => {
    await rental(1);
    expect(await sendReturnReminders(h.deps, 0)).toBe(0);
    expect(await reminders()).toHaveLength(0);
  });
});
