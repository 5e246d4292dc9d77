import fs from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { seedCatalog } from "../../db/seed/demo";
import { createAccount } from "../../server/services/identity/accounts";
import { importProducts, previewProductImport } from "../../server/services/ordering/product-import";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";

const STAFF = { type: "staff" as const, id: "staff-1" };
const HEADER = "型番,メーカー,商品名,カテゴリ,仕様,日額,月額";
const GOOD = [
  HEADER,
  'WT5000,横河計測,プレシジョンパワーアナライザ,電力計測,"最大7入力 / DC,0.1Hz〜1MHz",25000,300000',
  "87V,フルーク,デジタル・マルチメータ,マルチメータ,6000カウント,800,9600",
  "CF-SV1,パナソニック,ノートパソコン Let's note SV1,ノートPC,,1200,12000",
].join("\r\n");

let h: Harness;
let customer: TestBrowser;
beforeEach(async () => {
  h = await createHarness();
  await createAccount(h.deps, {
    loginId: "acme01",
    companyName: "アクメ計測",
    email: "taro@example.jp",
    permanentPassword: "Rental-2026",
  });
  customer = h.browser();
  await customer.call((c) => c.auth.login({ loginId: "acme01", email: "taro@example.jp", password: "Rental-2026" }));
});
afterEach(async () => {
  await h.close();
});

const products = () => h.db.selectFrom("products").selectAll().orderBy("model_no").execute();
const search = (keyword?: string) => customer.call((c) => c.catalog.search({ keyword }));

describe("product CSV import (商品管理: 確認 / 取込)", () => {
  it("確認 shows what 取込 would do and changes nothing, with or without errors", async () => {
    expect(await previewProductImport(h.deps, GOOD)).toEqual({ ok: true, inserted: 3, updated: 0, unchanged: 0 });
    const bad = await previewProductImport(h.deps, `${GOOD}\r\n87V,フルーク,重複,マルチメータ,,-1,9600\r\n`);
    expect(bad).toEqual({
      ok: false,
      errors: [
        { line: 5, column: "日額", message: "5行目: 日額は0以上99,999,999以下の整数（円）で入力してください。" },
      ],
    });
    expect(await products()).toEqual([]);
  });

  it("取込 adds every row, searchable by customers with the fields the product page shows", async () => {
    expect(await importProducts(h.deps, GOOD, STAFF)).toEqual({ ok: true, inserted: 3, updated: 0, unchanged: 0 });
    const found = await search("dc,0.1hz");
    expect(found.items).toEqual([
      {
        id: expect.any(String),
        modelNo: "WT5000",
        maker: "横河計測",
        name: "プレシジョンパワーアナライザ",
        category: "電力計測",
        specSummary: "最大7入力 / DC,0.1Hz〜1MHz",
        dailyPrice: 25000,
        monthlyPrice: 300000,
      },
    ]);
    expect(await customer.call((c) => c.catalog.product({ id: found.items[0]?.id ?? "" }))).toEqual(found.items[0]);
    expect((await search()).total).toBe(3);
    const audit = await h.db.selectFrom("audit_events").selectAll().where("action", "=", "product.import").execute();
    expect(audit).toMatchObject([{ actor_type: "staff", actor_id: "staff-1", result: "success" }]);
    expect(JSON.parse(audit[0]?.details ?? "")).toEqual({ inserted: 3, updated: 0, unchanged: 0 });
  });

  it("取込 of the same file twice adds and changes nothing", async () => {
    await importProducts(h.deps, GOOD, STAFF);
    const before = await products();
    h.clock.advance(60_000);
    expect(await importProducts(h.deps, GOOD, STAFF)).toEqual({ ok: true, inserted: 0, updated: 0, unchanged: 3 });
    expect(await products()).toEqual(before);
  });

  it("a 型番 already in the catalog is updated in place: same id, sale status kept", async () => {
    await importProducts(h.deps, GOOD, STAFF);
    const [old] = await h.db.selectFrom("products").selectAll().where("model_no", "=", "87V").execute();
    await h.db.updateTable("products").set({ active: 0 }).where("model_no", "=", "87V").execute();
    const changed = `${HEADER}\n87V,フルーク,デジタル・マルチメータ 真の実効値,マルチメータ,6000カウント,900,10800\nNEW-1,メーカー,新商品,電源,,1,2\n`;
    expect(await previewProductImport(h.deps, changed)).toEqual({ ok: true, inserted: 1, updated: 1, unchanged: 0 });
    expect(await importProducts(h.deps, changed, STAFF)).toEqual({ ok: true, inserted: 1, updated: 1, unchanged: 0 });
    const [now] = await h.db.selectFrom("products").selectAll().where("model_no", "=", "87V").execute();
    expect(now).toMatchObject({
      id: old?.id,
      created_at: old?.created_at,
      name: "デジタル・マルチメータ 真の実効値",
      daily_price: 900,
      monthly_price: 10800,
      active: 0,
    });
    // The search text follows the new name.
    await h.db.updateTable("products").set({ active: 1 }).where("model_no", "=", "87V").execute();
    expect((await search("真の実効値")).items.map((p) => p.modelNo)).toEqual(["87V"]);
  });

  it("one bad row: 取込 adds nothing and returns the errors", async () => {
    const oneBad = `${GOOD}\r\nX-1,メーカー,,電源,,100,1000\r\n`;
    expect(await importProducts(h.deps, oneBad, STAFF)).toEqual({
      ok: false,
      errors: [{ line: 5, column: "商品名", message: "5行目: 商品名を入力してください。" }],
    });
    expect(await products()).toEqual([]);
    expect(await h.db.selectFrom("audit_events").select("id").where("action", "=", "product.import").execute()).toEqual(
      [],
    );
  });

  it("two imports of one file at the same time add each product once", async () => {
    // A file big enough for the two transactions to overlap: on PostgreSQL the loser retries and finds them all.
    const demo = fs.readFileSync(new URL("../../db/seed/products.csv", import.meta.url));
    const results = await Promise.all([importProducts(h.deps, demo, STAFF), importProducts(h.deps, demo, STAFF)]);
    expect(results).toEqual(
      expect.arrayContaining([
        { ok: true, inserted: 400, updated: 0, unchanged: 0 },
        { ok: true, inserted: 0, updated: 0, unchanged: 400 },
      ]),
    );
    expect(await products()).toHaveLength(400);
  });

  it("reads a Shift_JIS file as Excel saves it", async () => {
    // 「型番,メーカー,商品名,カテゴリ,仕様,日額,月額」 then 「A1,m,n,c,,1,2」, in Shift_JIS.
    const sjis = Buffer.concat([
      Buffer.from(
        "8c5e94d42c8381815b834a815b2c8fa4956996bc2c834a83658353838a2c8e64976c2c93fa8a7a2c8c8e8a7a0d0a",
        "hex",
      ),
      Buffer.from("A1,m,n,c,,1,2\r\n"),
    ]);
    expect(await importProducts(h.deps, sjis, STAFF)).toEqual({ ok: true, inserted: 1, updated: 0, unchanged: 0 });
  });
});

describe("demo catalog (db/seed/products.csv)", () => {
  it("is imported once into an empty catalog: 400 products in 17 categories", async () => {
    expect(await seedCatalog(h.deps)).toBe(400);
    expect(await seedCatalog(h.deps)).toBe(0);
    const all = await search();
    expect(all.total).toBe(400);
    expect(all.facets.categories).toHaveLength(17);
  });
});
