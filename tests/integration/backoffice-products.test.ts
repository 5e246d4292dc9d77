import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tokyoDateString } from "../../server/lib/format";
import { listProductsForStaff } from "../../server/services/backoffice/products";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { insertProducts, modelKeyOf, type ProductFields } from "../../server/services/ordering/catalog";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { fieldErrorsOf } from "../../server/trpc/field-errors";
import { failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { recordingPlans } from "../support/query-plans";

/**
 * 商品管理 (SPEC §6) through the router (server/routers/backoffice-products.ts), as the /admin/products
 * actions call it: a signed-in operator; customers on the other side see what it changes.
 */

const OPERATOR = { email: "ops@example.jp", password: "Staff-2026b", role: "operator" as const };
const CUSTOMER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp", password: "Rental-2026" };
const DELIVERY = {
  company: "アクメ計測株式会社",
  department: "",
  person: "山田 太郎",
  postalCode: "105-0011",
  address: "東京都港区芝公園4-2-8",
  building: "",
  phone: "03-1234-5678",
};
const FORM = {
  modelNo: "MSO44",
  maker: "テクトロニクス",
  name: "ミックスド・シグナル・オシロスコープ 4シリーズ",
  category: "オシロスコープ",
  specSummary: "帯域200MHz / 4ch",
  dailyPrice: "5,000",
  monthlyPrice: "６００００",
};

let h: Harness;
let staff: TestBrowser;
let customer: TestBrowser;
let staffId: string;
beforeEach(async () => {
  h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
  ({ staffId } = await createStaff(h.deps, OPERATOR));
  staff = h.browser({ ip: "198.51.100.7" });
  await staff.call((c) => c.staffAuth.login({ email: OPERATOR.email, password: OPERATOR.password }));
  const mail = (await h.mailsTo(OPERATOR.email)).find((m) => m.subject.includes("ワンタイムパスワード"));
  const code = mail && /ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1];
  await staff.call((c) => c.staffAuth.verifyOtp({ code: code ?? "" }));
  const { password, ...account } = CUSTOMER;
  await createAccount(h.deps, { ...account, permanentPassword: password });
  customer = h.browser();
  await customer.call((c) => c.auth.login({ loginId: CUSTOMER.loginId, email: CUSTOMER.email, password }));
});
afterEach(async () => {
  await h.close();
});

const search = async (keyword: string) =>
  (await customer.call((c) => c.catalog.search({ keyword }))).items.map((p) => p.modelNo);
const auditOf = (action: string) =>
  h.db
    .selectFrom("audit_events")
    .select(["actor_type", "actor_id", "target", "ip", "details"])
    .where("action", "=", action)
    // Rows of one instant (the test clock stands still) have no order of their own: by target then.
    .orderBy("at")
    .orderBy("target")
    .execute();
const allProducts = () => h.db.selectFrom("products").selectAll().orderBy("model_no").execute();

describe("商品登録 and 編集", () => {
  it("registers a product customers then find, and audits it with the staff member", async () => {
    const { productId } = await staff.call((c) => c.backofficeProducts.create(FORM));
    expect(await search("mso44")).toEqual(["MSO44"]);
    expect(await search("ミックスド")).toEqual(["MSO44"]);
    expect(await customer.call((c) => c.catalog.product({ id: productId }))).toEqual({
      id: productId,
      modelNo: "MSO44",
      maker: "テクトロニクス",
      name: "ミックスド・シグナル・オシロスコープ 4シリーズ",
      category: "オシロスコープ",
      specSummary: "帯域200MHz / 4ch",
      dailyPrice: 5000,
      monthlyPrice: 60000,
    });
    expect(await staff.call((c) => c.backofficeProducts.get({ id: productId }))).toMatchObject({
      modelNo: "MSO44",
      status: "on_sale",
      statusLabel: "販売中",
    });
    expect(await auditOf("product.create")).toEqual([
      {
        actor_type: "staff",
        actor_id: staffId,
        target: "MSO44",
        ip: "198.51.100.7",
        details: JSON.stringify({ productId }),
      },
    ]);
  });

  it("refuses bad fields one by one and a 型番 already registered, changing nothing", async () => {
    const bad = await failure(
      staff.call((c) =>
        c.backofficeProducts.create({
          ...FORM,
          modelNo: " ",
          maker: "あ".repeat(51),
          dailyPrice: "-1",
          monthlyPrice: "",
        }),
      ),
    );
    expect(bad.code).toBe("BAD_REQUEST");
    expect(fieldErrorsOf(bad)).toEqual({
      modelNo: ["型番を入力してください。"],
      maker: ["メーカーは50文字以内で入力してください。"],
      dailyPrice: ["日額は0以上99,999,999以下の整数（円）で入力してください。"],
      monthlyPrice: ["月額を入力してください。"],
    });
    expect(await allProducts()).toEqual([]);

    const { productId } = await staff.call((c) => c.backofficeProducts.create(FORM));
    const taken = await failure(staff.call((c) => c.backofficeProducts.create({ ...FORM, name: "別の商品" })));
    expect(fieldErrorsOf(taken)).toEqual({ modelNo: ["型番「MSO44」は既に登録されています。"] });
    // Ended products keep their 型番 too.
    await staff.call((c) => c.backofficeProducts.retire({ id: productId }));
    expect(fieldErrorsOf(await failure(staff.call((c) => c.backofficeProducts.create(FORM))))).toEqual({
      modelNo: ["型番「MSO44」は既に登録されています。"],
    });
    const other = await staff.call((c) => c.backofficeProducts.create({ ...FORM, modelNo: "MSO46" }));
    const before = await allProducts();
    const edit = await failure(staff.call((c) => c.backofficeProducts.update({ id: other.productId, ...FORM })));
    expect(fieldErrorsOf(edit)).toEqual({ modelNo: ["型番「MSO44」は既に登録されています。"] });
    expect(await allProducts()).toEqual(before);
    expect(await auditOf("product.create")).toHaveLength(2);
    expect(await auditOf("product.update")).toEqual([]);

    const missing = await failure(staff.call((c) => c.backofficeProducts.update({ id: "nope", ...FORM })));
    expect(missing.code).toBe("NOT_FOUND");
  });

  it("two staff members registering one 型番 at once: one product, the other told it is taken", async () => {
    const other = h.browser({ ip: "198.51.100.8" }); // the same staff session, another tab
    for (const [name, value] of staff.cookies) other.cookies.set(name, value);
    const results = await Promise.allSettled([
      staff.call((c) => c.backofficeProducts.create(FORM)),
      other.call((c) => c.backofficeProducts.create({ ...FORM, name: "同時に登録" })),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const refused = results.find((r) => r.status === "rejected");
    expect(fieldErrorsOf(refused?.reason)).toEqual({ modelNo: ["型番「MSO44」は既に登録されています。"] });
    expect((await allProducts()).map((p) => p.model_no)).toEqual(["MSO44"]);
    expect(await auditOf("product.create")).toHaveLength(1);
  });

  it("編集 changes the price customers see and names the changed fields in the audit", async () => {
    const { productId } = await staff.call((c) => c.backofficeProducts.create(FORM));
    await staff.call((c) => c.backofficeProducts.update({ id: productId, ...FORM, dailyPrice: "5500" }));
    expect((await customer.call((c) => c.catalog.product({ id: productId }))).dailyPrice).toBe(5500);
    // The same fields again change nothing and are not audited.
    await staff.call((c) => c.backofficeProducts.update({ id: productId, ...FORM, dailyPrice: "5500" }));
    await staff.call((c) =>
      c.backofficeProducts.update({
        id: productId,
        ...FORM,
        modelNo: "MSO44B",
        name: "新しい名前",
        dailyPrice: "5500",
      }),
    );
    expect(await search("mso44b")).toEqual(["MSO44B"]);
    expect(await search("ミックスド")).toEqual([]);
    expect((await auditOf("product.update")).map((a) => [a.target, JSON.parse(a.details ?? "{}")])).toEqual([
      ["MSO44", { productId, changed: ["dailyPrice"] }],
      ["MSO44B", { productId, changed: ["modelNo", "name"], from: "MSO44" }],
    ]);
  });
});

describe("販売終了 and 販売再開", () => {
  it("hides an ended product from customers but keeps it on old applications and rentals", async () => {
    const { productId } = await staff.call((c) => c.backofficeProducts.create(FORM));
    const apply = (kind: "order" | "quote", key: string) =>
      customer.call((c) =>
        c.applications.submit({
          kind,
          lines: [{ productId, quantity: "2" }],
          startDate: tokyoDateString(h.clock.now()),
          periodUnit: "month",
          period: "1",
          delivery: DELIVERY,
          notes: "",
          poNumber: "",
          idempotencyKey: `products-key-${key}-0123456789`,
        }),
      );
    const { number } = await apply("order", "1");
    await h.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", number).execute();
    const { rentalId } = await arrangeOrder(h.deps, number, { type: "system" });
    await customer.call((c) => c.applications.addToDraft({ kind: "quote", productId, quantity: "1" }));

    await staff.call((c) => c.backofficeProducts.retire({ id: productId }));
    await staff.call((c) => c.backofficeProducts.retire({ id: productId })); // twice: one change, one audit
    expect(await search("mso44")).toEqual([]);
    expect((await failure(customer.call((c) => c.catalog.product({ id: productId })))).code).toBe("NOT_FOUND");
    expect(await customer.call((c) => c.applications.draft({ kind: "quote" }))).toEqual([]);
    const refused = await failure(apply("order", "2"));
    expect(fieldErrorsOf(refused)[`qty.${productId}`]).toEqual(["この商品は現在お申し込みいただけません。"]);

    const detail = await customer.call((c) => c.history.get({ number }));
    expect(detail.lines).toMatchObject([{ modelNo: "MSO44", productName: FORM.name, quantity: 2 }]);
    const rental = await customer.call((c) => c.rentals.get({ id: rentalId }));
    expect(rental.lines).toMatchObject([{ modelNo: "MSO44", productName: FORM.name, quantity: 2 }]);
    expect(await staff.call((c) => c.backofficeProducts.get({ id: productId }))).toMatchObject({
      status: "ended",
      statusLabel: "販売終了",
    });

    await staff.call((c) => c.backofficeProducts.resume({ id: productId }));
    expect(await search("mso44")).toEqual(["MSO44"]);
    expect(await customer.call((c) => c.applications.draft({ kind: "quote" }))).toMatchObject([{ productId }]);
    for (const action of ["product.retire", "product.resume"]) {
      expect(await auditOf(action)).toEqual([
        {
          actor_type: "staff",
          actor_id: staffId,
          target: "MSO44",
          ip: "198.51.100.7",
          details: JSON.stringify({ productId }),
        },
      ]);
    }
    expect((await failure(staff.call((c) => c.backofficeProducts.retire({ id: "nope" })))).code).toBe("NOT_FOUND");
  });
});

const FIELDS = { maker: "テスト計測", category: "テスト", specSummary: "", dailyPrice: 100, monthlyPrice: 1200 };

/** `count` products straight into the table (the list is what is under test). */
async function seed(count: number) {
  const products: ProductFields[] = [];
  for (let i = 0; i < count; i++) {
    const n = String(i).padStart(3, "0");
    products.push({
      modelNo: i % 3 === 0 ? `DSOX-${n}` : i % 3 === 1 ? `87V-${n}` : `WT${n}`,
      maker: "テスト計測",
      name: i % 2 ? `デジタル・マルチメータ ${n}` : `オシロスコープ ${n}`,
      category: "テスト",
      specSummary: "",
      dailyPrice: 100 + i,
      monthlyPrice: 1200 + i,
    });
  }
  await insertProducts(h.db, h.clock.now(), products);
  const ended = (await h.db.selectFrom("products").select(["id", "model_no"]).execute()).filter((_, i) => i % 4 === 0);
  for (const p of ended) await staff.call((c) => c.backofficeProducts.retire({ id: p.id }));
  return { products, ended: new Set(ended.map((p) => p.model_no)) };
}

describe("the list", () => {
  it("pages by 型番 with a cursor, filtered by 状態 and by the start of a 型番 or 商品名", async () => {
    const { products, ended } = await seed(60);
    await insertProducts(h.db, h.clock.now(), [
      { ...FIELDS, modelNo: "WT-PROBE", name: "WT用プローブ" }, // 型番 and 商品名 match "wt": listed once
      { ...FIELDS, modelNo: "ZZ-1", name: "WT用ケーブル" },
    ]);
    // 型番 order: as modelKeyOf compares them ("WT-PROBE" after "WT059"), then the 型番 itself.
    const key = (m: string) => `${modelKeyOf(m)} ${m}`;
    const all = [...products.map((p) => p.modelNo), "WT-PROBE", "ZZ-1"].sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(all.indexOf("WT-PROBE")).toBe(all.indexOf("WT059") + 1);
    async function modelNos(filter: Parameters<typeof listProductsForStaff>[1], pageSize = 7) {
      const out: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 100; pages++) {
        const page = await listProductsForStaff(h.deps, filter, cursor, pageSize);
        expect(page.rows.length).toBeLessThanOrEqual(pageSize);
        out.push(...page.rows.map((r) => r.modelNo));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      return out;
    }
    expect(await modelNos({})).toEqual(all);
    expect(await modelNos({ status: "all" }, 60)).toEqual(all);
    expect(await modelNos({ status: "on_sale" })).toEqual(all.filter((m) => !ended.has(m)));
    expect(await modelNos({ status: "ended" })).toEqual(all.filter((m) => ended.has(m)));
    // 型番: width, case and separators aside.
    expect(await modelNos({ keyword: "ｄｓｏｘ0" })).toEqual(all.filter((m) => m.startsWith("DSOX-0")));
    expect(await modelNos({ keyword: "87v-01" })).toEqual(all.filter((m) => m.startsWith("87V-01")));
    // 商品名, spaces aside, in 商品名 order; a prefix, not "contains".
    const multimeters = products.filter((p) => p.name.startsWith("デジタル")).map((p) => p.modelNo);
    expect(await modelNos({ keyword: "デジタル・マルチ" })).toEqual(multimeters);
    expect(await modelNos({ keyword: "デジタル・マルチメータ00" }, 3)).toEqual(multimeters.slice(0, 5));
    // 型番 matches first, then 商品名 matches, across pages, each product once.
    const wt = all.filter((m) => m.startsWith("WT"));
    expect(await modelNos({ keyword: "ＷＴ" }, 4)).toEqual([...wt, "ZZ-1"]);
    expect(await modelNos({ keyword: "wt", status: "on_sale" }, 4)).toEqual([
      ...wt.filter((m) => !ended.has(m)),
      "ZZ-1",
    ]);
    expect(await modelNos({ keyword: "マルチメータ" })).toEqual([]);
    expect(await modelNos({ keyword: "dsox", status: "ended" })).toEqual(
      all.filter((m) => m.startsWith("DSOX") && ended.has(m)),
    );
    // Through the router, as the page asks.
    const first = await staff.call((c) => c.backofficeProducts.list({ keyword: "wt", status: "ended" }));
    expect(first.rows.map((r) => r.modelNo)).toEqual(wt.filter((m) => ended.has(m)));
    expect(first.rows[0]).toMatchObject({ maker: "テスト計測", statusLabel: "販売終了" });
    expect(first.nextCursor).toBeNull();
  });

  it.runIf(process.env.TEST_DB !== "postgres")("reads an index for every list (SQLite's plan)", async () => {
    await seed(90);
    const recorder = recordingPlans(h);
    const deps = { ...h.deps, db: recorder.db };
    for (const filter of [
      {},
      { status: "on_sale" as const },
      { status: "ended" as const },
      { keyword: "dsox" },
      { keyword: "オシロ", status: "on_sale" as const },
      { keyword: "wt" },
      { keyword: "wt", status: "ended" as const },
      { keyword: "デジタル", status: "on_sale" as const },
      { keyword: "デジタル" },
    ]) {
      const page = await listProductsForStaff(deps, filter, null, 5);
      if (page.nextCursor) await listProductsForStaff(deps, filter, page.nextCursor, 5);
    }
    const plans = recorder.plans();
    expect(plans.length).toBeGreaterThanOrEqual(14);
    for (const { sql: statement, plan: text } of plans) {
      // Every page is read in an index's order (no sort), and only the unfiltered first page walks
      // an index from its start (and stops after a page); every filter is a range on an index.
      expect(text, statement).not.toContain("TEMP B-TREE");
      if (/SCAN products/.test(text)) {
        expect(statement).not.toContain(" where ");
        expect(text).toBe("SCAN products USING INDEX products_model_key_idx");
      }
      const byName = statement.includes('"name_key" <');
      const byStatus = statement.includes('"active" =');
      if (byName || byStatus || statement.includes(" where ")) {
        const index = `products_${byStatus ? "active_" : ""}${byName ? "name" : "model"}${byStatus ? "" : "_key"}_idx`;
        expect(text, statement).toMatch(new RegExp(`^SEARCH products USING INDEX ${index} \\(`));
      }
      // A later page starts at the cursor: its row value bounds the index range.
      if (statement.includes(") > (")) expect(text, statement).toContain(",model_no)>(?,?)");
    }
  });
});

describe("CSV 確認 / 取込", () => {
  const HEADER = "型番,メーカー,商品名,カテゴリ,仕様,日額,月額\r\n";
  const GOOD = `${HEADER}MSO44,テクトロニクス,オシロスコープ 4シリーズ,オシロスコープ,,5000,60000\r\n87V,フルーク,デジタルマルチメータ,マルチメータ,,600,7200\r\n`;
  const base64 = (text: string) => Buffer.from(text).toString("base64");

  it("shows a bad row's line, column and reason and imports nothing; then the fixed file, once", async () => {
    const bad = GOOD.replace("600,7200", "六百,7200");
    const preview = await staff.call((c) => c.backofficeProducts.previewCsv({ file: base64(bad) }));
    expect(preview).toEqual({
      ok: false,
      errors: [
        { line: 3, column: "日額", message: "3行目: 日額は0以上99,999,999以下の整数（円）で入力してください。" },
      ],
    });
    expect(await staff.call((c) => c.backofficeProducts.importCsv({ file: base64(bad) }))).toMatchObject({ ok: false });
    expect(await allProducts()).toEqual([]);
    expect(await auditOf("product.import")).toEqual([]);

    expect(await staff.call((c) => c.backofficeProducts.previewCsv({ file: base64(GOOD) }))).toEqual({
      ok: true,
      inserted: 2,
      updated: 0,
      unchanged: 0,
    });
    expect(await staff.call((c) => c.backofficeProducts.importCsv({ file: base64(GOOD) }))).toEqual({
      ok: true,
      inserted: 2,
      updated: 0,
      unchanged: 0,
    });
    expect(await search("87v")).toEqual(["87V"]);
    // A second later, so the two audit rows have an order of their own.
    h.clock.advance(1000);
    const repriced = GOOD.replace("600,7200", "650,7800");
    expect(await staff.call((c) => c.backofficeProducts.importCsv({ file: base64(repriced) }))).toEqual({
      ok: true,
      inserted: 0,
      updated: 1,
      unchanged: 1,
    });
    // Imported products are listed and searched by staff like registered ones (the keys are kept).
    const listed = await staff.call((c) => c.backofficeProducts.list({ keyword: "デジタル" }));
    expect(listed.rows.map((r) => [r.modelNo, r.dailyPrice])).toEqual([["87V", 650]]);
    expect(await auditOf("product.import")).toEqual([
      {
        actor_type: "staff",
        actor_id: staffId,
        target: null,
        ip: "198.51.100.7",
        details: JSON.stringify({ inserted: 2, updated: 0, unchanged: 0 }),
      },
      {
        actor_type: "staff",
        actor_id: staffId,
        target: null,
        ip: "198.51.100.7",
        details: JSON.stringify({ inserted: 0, updated: 1, unchanged: 1 }),
      },
    ]);
    const e = await failure(staff.call((c) => c.backofficeProducts.previewCsv({ file: "not base64!" })));
    expect(fieldErrorsOf(e).file).toEqual(["CSVファイルを読み取れませんでした。"]);
  });
});
