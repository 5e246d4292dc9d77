import { afterEach, expect, it, vi } from "vitest";
import { createAccount } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { builtinIntake, IntakeWorker } from "../../server/services/ordering/intake";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { createHarness, type Harness } from "../support/harness";
import { DELIVERY } from "../support/samples";

/**
 * A document that cannot be made (here: the renderer fails) does not hold back the staff's action or the
 * customer's mail (ADR 023): the order is arranged, 手配完了のお知らせ goes without the file and says where to get
 * it, and the failure is logged. The renderer is replaced in this file only.
 */
vi.mock("../../server/services/documents/pdf", () => ({
  renderDocumentPdf: async () => {
    throw new Error("font table broken");
  },
}));

let h: Harness;
afterEach(async () => {
  vi.restoreAllMocks();
  await h.close();
});

it("手配完了のお知らせ still goes, without the 注文請書, when the document cannot be made", async () => {
  const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
  h = await createHarness();
  await insertProducts(h.db, h.clock.now(), [
    {
      modelNo: "LX-100",
      name: "ロガー",
      maker: "テスト",
      category: "測定器",
      specSummary: "",
      dailyPrice: 1000,
      monthlyPrice: 10000,
    },
  ]);
  await createAccount(h.deps, {
    loginId: "acme01",
    companyName: "アクメ計測",
    email: "taro@example.jp",
    permanentPassword: "Rental-2026",
  });
  const customer = h.browser();
  await customer.call((c) => c.auth.login({ loginId: "acme01", email: "taro@example.jp", password: "Rental-2026" }));
  const product = await h.db.selectFrom("products").select("id").executeTakeFirstOrThrow();
  const { number } = await customer.call((c) =>
    c.applications.submit({
      kind: "order",
      lines: [{ productId: product.id, quantity: "1" }],
      startDate: "2026-04-10",
      periodUnit: "month",
      period: "1",
      delivery: DELIVERY,
      notes: "",
      poNumber: "",
      idempotencyKey: "documents-fallback-0001",
    }),
  );
  await new IntakeWorker({
    db: h.db,
    clock: h.clock,
    handler: builtinIntake,
    pollIntervalMs: 1000,
    mail: h.deps,
  }).runOnce();

  const { arranged } = await arrangeOrder(h.deps, number, { type: "system" });
  expect(arranged).toBe(true);
  const mail = (await h.mailsTo("taro@example.jp")).find((m) => m.subject.includes("手配完了のお知らせ"));
  expect(mail?.text).toContain("注文請書(PDF)は申込詳細からダウンロードできます。");
  expect(await h.db.selectFrom("mail_attachments").selectAll().execute()).toEqual([]);
  expect(errors).toHaveBeenCalledWith(
    expect.stringMatching(/order document of O-\d{4}-\d{6} not attached: font table broken/),
  );
});
