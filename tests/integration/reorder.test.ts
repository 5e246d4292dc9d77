import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tokyoDateString } from "../../server/lib/format";
import { createAccount } from "../../server/services/identity/accounts";
import { insertProducts, setProductActive } from "../../server/services/ordering/catalog";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { DELIVERY } from "../support/samples";

/**
 * この内容で再注文 (issue 14), through the caller: an order or quote of 申込履歴 fills the order form with its
 * products, quantities, delivery and period, at today's prices. Who may call: isolation.test.ts.
 */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const PRODUCTS = [
  { modelNo: "DSOX1204G", name: "デジタル・オシロスコープ 70MHz 4ch", dailyPrice: 3000, monthlyPrice: 36000 },
  { modelNo: "MSO44", name: "ミックスド・シグナル・オシロスコープ", dailyPrice: 9000, monthlyPrice: 99000 },
  { modelNo: "FLUKE87V", name: "デジタル・マルチメータ", dailyPrice: 500, monthlyPrice: 6000 },
];
const ELSEWHERE = { ...DELIVERY, company: "アクメ計測株式会社 大阪工場", address: "大阪府大阪市北区梅田1-1-1" };

let h: Harness;
let customer: TestBrowser;
let ids: Record<string, string>;
let keys = 0;
const today = () => tokyoDateString(h.clock.now());
const draft = () => customer.call((c) => c.applications.draft({ kind: "order" }));

beforeEach(async () => {
  h = await createHarness();
  await insertProducts(
    h.db,
    h.clock.now(),
    PRODUCTS.map((p) => ({ ...p, maker: "テスト", category: "測定器", specSummary: "" })),
  );
  const rows = await h.db.selectFrom("products").select(["id", "model_no"]).execute();
  ids = Object.fromEntries(rows.map((r) => [r.model_no, r.id]));
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
  customer = h.browser();
  await customer.call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD }));
});
afterEach(async () => {
  await h.close();
});

async function submit(kind: "order" | "quote", lines: [string, number][], who = customer) {
  const { number } = await who.call((c) =>
    c.applications.submit({
      kind,
      lines: lines.map(([modelNo, quantity]) => ({ productId: ids[modelNo] ?? "", quantity: String(quantity) })),
      startDate: today(),
      periodUnit: "month",
      period: "3",
      delivery: ELSEWHERE,
      notes: "前回分",
      poNumber: "PO-1",
      idempotencyKey: `reorder-key-${String(++keys).padStart(8, "0")}`,
    }),
  );
  return number;
}

describe("この内容で再注文", () => {
  it("fills the order form with an order's lines, replacing what was there; the form starts with its delivery and period", async () => {
    const order = await submit("order", [
      ["MSO44", 1],
      ["DSOX1204G", 2],
    ]);
    await customer.call((c) =>
      c.applications.addToDraft({ kind: "order", productId: ids.FLUKE87V ?? "", quantity: "1" }),
    );
    const filled = await customer.call((c) => c.applications.reorder({ number: order }));
    expect(filled).toEqual({ number: order, lines: 2, replaced: 1, retired: [] });
    // In the order's own line order.
    expect((await draft()).map((l) => [l.modelNo, l.quantity])).toEqual([
      ["MSO44", 1],
      ["DSOX1204G", 2],
    ]);
    expect(await customer.call((c) => c.applications.draftSource())).toEqual({
      number: order,
      period: 3,
      periodUnit: "month",
      delivery: ELSEWHERE,
    });
    // A reorder is no quote: nothing is priced from one.
    expect(await customer.call((c) => c.applications.draftQuote())).toBeNull();

    // The new order is an order like any other, and the form is empty again.
    const again = await submit("order", [
      ["MSO44", 1],
      ["DSOX1204G", 2],
    ]);
    expect(again).not.toBe(order);
    expect(await draft()).toEqual([]);
    expect(await customer.call((c) => c.applications.draftSource())).toBeNull();
  });

  it("works from a quote too, and from an order already arranged", async () => {
    const quote = await submit("quote", [["FLUKE87V", 4]]);
    expect((await customer.call((c) => c.applications.reorder({ number: quote }))).lines).toBe(1);
    expect((await draft()).map((l) => [l.modelNo, l.quantity])).toEqual([["FLUKE87V", 4]]);

    // Placing an order empties the order form (the quote's line goes).
    const order = await submit("order", [["DSOX1204G", 1]]);
    await h.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", order).execute();
    await arrangeOrder(h.deps, order, { type: "system" });
    expect(await customer.call((c) => c.applications.reorder({ number: order }))).toMatchObject({
      lines: 1,
      replaced: 0,
    });
    expect((await draft()).map((l) => l.modelNo)).toEqual(["DSOX1204G"]);
  });

  it("leaves out a retired product and names it; refuses when every product is retired, changing nothing", async () => {
    const order = await submit("order", [
      ["DSOX1204G", 1],
      ["MSO44", 1],
    ]);
    await setProductActive(h.db, ids.MSO44 ?? "", false);
    const filled = await customer.call((c) => c.applications.reorder({ number: order }));
    expect(filled.retired).toEqual(["MSO44 ミックスド・シグナル・オシロスコープ"]);
    expect((await draft()).map((l) => l.modelNo)).toEqual(["DSOX1204G"]);

    await setProductActive(h.db, ids.DSOX1204G ?? "", false);
    await customer.call((c) =>
      c.applications.addToDraft({ kind: "order", productId: ids.FLUKE87V ?? "", quantity: "2" }),
    );
    const before = await draft();
    const e = await failure(customer.call((c) => c.applications.reorder({ number: order })));
    expect(e.code).toBe("BAD_REQUEST");
    expect(e.message).toContain("すべて販売終了");
    expect(await draft()).toEqual(before);
  });

  it("refuses a cancellation, another account's application and an unknown number; the form stays as it was", async () => {
    const order = await submit("order", [["DSOX1204G", 2]]);
    await h.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", order).execute();
    const { rentalId } = await arrangeOrder(h.deps, order, { type: "system" });
    const rental = await customer.call((c) => c.rentals.get({ id: rentalId }));
    const { number: cancellation } = await customer.call((c) =>
      c.rentals.requestCancellation({
        rentalId,
        mode: "partial",
        quantities: { [rental.lines[0]?.id as string]: "1" },
        returnDate: today(),
        notes: "",
        idempotencyKey: "reorder-cancel-key-0001",
      }),
    );
    const refused = await failure(customer.call((c) => c.applications.reorder({ number: cancellation })));
    expect(refused.code).toBe("BAD_REQUEST");
    expect(refused.message).toContain("解約");

    const other = await h.otherAccount();
    const notTheirs = await failure(other.call((c) => c.applications.reorder({ number: order })));
    expect(notTheirs.code).toBe("NOT_FOUND");
    expect(notTheirs.message).not.toContain(order);
    expect(await other.call((c) => c.applications.draft({ kind: "order" }))).toEqual([]);

    expect((await failure(customer.call((c) => c.applications.reorder({ number: "O-2026-999999" })))).code).toBe(
      "NOT_FOUND",
    );
    expect(await draft()).toEqual([]);
  });
});
