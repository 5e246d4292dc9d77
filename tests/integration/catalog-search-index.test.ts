import fc from "fast-check";
import { type Kysely, sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb, type DB, migratorFor } from "../../db";
import {
  catalogFacetsUncached,
  insertProducts,
  normalizeForSearch,
  PAGE_SIZE,
  type ProductFields,
  searchGramsOf,
  searchProductsUncached,
  writeSearchGrams,
} from "../../server/services/ordering/catalog";
import { importProducts } from "../../server/services/ordering/product-import";
import { createHarness, type Harness } from "../support/harness";
import { sqlitePlans } from "../support/query-plans";
import { sampleProduct as product } from "../support/samples";
import { freshDatabase } from "../support/test-db";

/**
 * The catalog search on its gram index (docs/decisions/016): it must answer exactly what the plain
 * `search_text LIKE '%word%'` scan answered (docs/decisions/005), keep its index in step with every
 * product write, and read the index, not the catalog. Some tests write products with plain SQL, as an old
 * version or a migration would: they search without the kept answers (catalog-cache.test.ts covers those).
 */

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const STAFF = { type: "staff" as const, id: "staff-1" };
const HEADER = "型番,メーカー,商品名,カテゴリ,仕様,日額,月額";

const modelNos = async (input: Parameters<typeof searchProductsUncached>[1]) =>
  (await searchProductsUncached(h.deps, input)).items.map((p) => p.modelNo);

/**
 * The search as it was before the index (docs/decisions/005): a LIKE per word over every active product,
 * a word with model-number separators also matching without them.
 */
async function likeScan(db: DB, input: { keyword?: string; category?: string; maker?: string; page?: number }) {
  const words = normalizeForSearch(input.keyword ?? "")
    .split(" ")
    .filter(Boolean)
    .slice(0, 8);
  const like = (text: string) =>
    sql<boolean>`search_text like (${`%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} || '') escape '\\'`;
  let q = db.selectFrom("products").where("active", "=", 1);
  for (const word of words) {
    const compact = word.replace(/[\s\-_/.]/g, "");
    q = q.where(
      compact !== word && Array.from(compact).length >= 2
        ? sql<boolean>`(${like(word)} or ${like(compact)})`
        : like(word),
    );
  }
  if (input.category) q = q.where("category", "=", input.category);
  if (input.maker) q = q.where("maker", "=", input.maker);
  const { total } = await q.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow();
  const count = Number(total);
  const pages = Math.max(1, Math.ceil(count / PAGE_SIZE));
  const page = Math.min(Math.max(1, Math.floor(input.page ?? 1)), pages);
  const rows = await q
    .select("model_no")
    .orderBy("category")
    .orderBy("maker")
    .orderBy("model_no")
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .execute();
  return { modelNos: rows.map((r) => r.model_no), total: count, page, pages };
}

async function gramsInIndex(productId: string): Promise<string[]> {
  const rows = await h.db
    .selectFrom("product_search_grams")
    .select("gram")
    .where("product_id", "=", productId)
    .execute();
  return rows.map((r) => r.gram).sort();
}

async function idOf(modelNo: string): Promise<string> {
  const row = await h.db.selectFrom("products").select("id").where("model_no", "=", modelNo).executeTakeFirstOrThrow();
  return row.id;
}

describe("the gram index follows every product write", () => {
  it("insertProducts indexes each product's search_text, and the search finds it", async () => {
    await insertProducts(h.db, h.clock.now(), [
      product("DSOX1204G", "デジタルオシロスコープ 4ch", { specSummary: "帯域70MHz" }),
      product("87V", "デジタルマルチメータ", { maker: "フルーク", category: "マルチメータ" }),
    ]);
    for (const modelNo of ["DSOX1204G", "87V"]) {
      const row = await h.db
        .selectFrom("products")
        .select(["id", "search_text", "search_text_indexed"])
        .where("model_no", "=", modelNo)
        .executeTakeFirstOrThrow();
      expect(row.search_text_indexed).toBe(row.search_text);
      expect(await gramsInIndex(row.id)).toEqual(searchGramsOf(row.search_text).sort());
    }
    expect(await modelNos({ keyword: "dsox-1204" })).toEqual(["DSOX1204G"]); // typed with a separator
    expect(await modelNos({ keyword: "DSOX/12" })).toEqual(["DSOX1204G"]);
    expect(await modelNos({ keyword: "70-mhz" })).toEqual(["DSOX1204G"]);
    expect(await modelNos({ keyword: "ＤＳＯＸ" })).toEqual(["DSOX1204G"]);
    expect(await modelNos({ keyword: "マルチ" })).toEqual(["87V"]);
    expect(await modelNos({ keyword: "70mhz 4ch" })).toEqual(["DSOX1204G"]);
  });

  it("an import that changes a 型番's fields re-indexes it: new words found, lost words not, no stale grams", async () => {
    const csv = (name: string, spec: string) =>
      `${HEADER}\nWT5000,横河計測,${name},電力計測,${spec},25000,300000\n87V,フルーク,デジタルマルチメータ,マルチメータ,,800,9600\n`;
    expect(await importProducts(h.deps, csv("プレシジョンパワーアナライザ", "最大7入力"), STAFF)).toMatchObject({
      inserted: 2,
    });
    const id = await idOf("WT5000");
    expect(await modelNos({ keyword: "パワーアナライザ" })).toEqual(["WT5000"]);

    expect(await importProducts(h.deps, csv("高精度電力計", "高調波解析"), STAFF)).toMatchObject({
      updated: 1,
      unchanged: 1,
    });
    expect(await idOf("WT5000")).toBe(id);
    expect(await modelNos({ keyword: "パワー" })).toEqual([]);
    expect(await modelNos({ keyword: "アナライザ" })).toEqual([]);
    expect(await modelNos({ keyword: "高調波" })).toEqual(["WT5000"]);
    expect(await modelNos({ keyword: "電力計" })).toEqual(["WT5000"]);
    const { search_text } = await h.db
      .selectFrom("products")
      .select("search_text")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(await gramsInIndex(id)).toEqual(searchGramsOf(search_text).sort());
  });

  it("販売終了 hides a product from every kind of word, 販売再開 shows it again", async () => {
    await insertProducts(h.db, h.clock.now(), [
      product("DSOX1204G", "デジタルオシロスコープ"),
      product("DSOX3034T", "デジタルオシロスコープ"),
    ]);
    await h.db.updateTable("products").set({ active: 0 }).where("model_no", "=", "DSOX3034T").execute();
    await writeSearchGrams(h.db, await idOf("DSOX3034T")); // what 商品管理 calls after any product write
    for (const keyword of ["DSOX", "3034", "オシロ", "ス", "3", "dsox ス", "t"]) {
      const got = await searchProductsUncached(h.deps, { keyword });
      expect(
        got.items.map((p) => p.modelNo),
        keyword,
      ).not.toContain("DSOX3034T");
      const want = await likeScan(h.db, { keyword });
      expect({ modelNos: got.items.map((p) => p.modelNo), total: got.total }, keyword).toEqual({
        modelNos: want.modelNos,
        total: want.total,
      });
    }
    expect(await modelNos({})).toEqual(["DSOX1204G"]);
    await h.db.updateTable("products").set({ active: 1 }).where("model_no", "=", "DSOX3034T").execute();
    expect(await modelNos({ keyword: "3034" })).toEqual(["DSOX3034T"]);
  });

  it("writeSearchGrams writes nothing when the text is unchanged, and refuses a product that does not exist", async () => {
    await insertProducts(h.db, h.clock.now(), [product("DSOX1204G", "デジタルオシロスコープ")]);
    const id = await idOf("DSOX1204G");
    const before = await gramsInIndex(id);
    await writeSearchGrams(h.db, id);
    expect(await gramsInIndex(id)).toEqual(before);
    await expect(writeSearchGrams(h.db, "no-such-product")).rejects.toThrow(/no product/);
  });
});

describe("one-character words", () => {
  beforeEach(async () => {
    await insertProducts(h.db, h.clock.now(), [
      product("TWS-100", "軽量作業台", { maker: "トラスコ中山", category: "作業台" }),
      product("GT-1005", "トータルステーション", { maker: "トプコン", category: "測量機" }),
      product("A100", "三脚", { maker: "マキタ", category: "測量機" }),
      product("DSOX1204A", "デジタルオシロスコープ"),
    ]);
  });

  it("finds every product holding the character, anywhere in a word, as the LIKE scan did", async () => {
    expect(await modelNos({ keyword: "台" })).toEqual(["TWS-100"]);
    expect(await modelNos({ keyword: "A" })).toEqual(["DSOX1204A", "A100"]);
    expect(await modelNos({ keyword: "Ａ" })).toEqual(["DSOX1204A", "A100"]); // full-width
    expect(await modelNos({ keyword: "ー" })).toEqual(["DSOX1204A", "GT-1005"]);
    expect(await modelNos({ keyword: "5" })).toEqual(["GT-1005"]); // the last character of a word
    expect(await modelNos({ keyword: "z" })).toEqual([]);
    expect(await modelNos({ keyword: "台 軽量" })).toEqual(["TWS-100"]);
    expect(await modelNos({ keyword: "a ー" })).toEqual(["DSOX1204A"]);
    expect(await modelNos({ keyword: "1 ト" })).toEqual(["DSOX1204A", "TWS-100", "GT-1005"]); // キーサイト has ト
    for (const keyword of ["台", "A", "ー", "5", "台 軽量", "a ー", "1 ト", "%", "_"]) {
      const got = await searchProductsUncached(h.deps, { keyword });
      const want = await likeScan(h.db, { keyword });
      expect({ modelNos: got.items.map((p) => p.modelNo), total: got.total }, keyword).toEqual({
        modelNos: want.modelNos,
        total: want.total,
      });
    }
  });
});

describe("the same answers as the LIKE scan (property)", () => {
  const KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワンーッャュョ";
  const KANJI = "計測器台電源発機用量型式高精度軽三脚作業";
  const LATIN = "ABCDEFGHKLMNPRSTVXZ";

  /** A catalog with clustered and shared words, separators, full-width letters and retired products. */
  function fixture(seed: number, n: number): { products: ProductFields[]; retired: string[] } {
    let a = seed;
    const random = () => {
      a = (a * 1103515245 + 12345) % 2147483648;
      return a / 2147483648;
    };
    const pick = (chars: string, len: number) =>
      Array.from({ length: len }, () => chars[Math.floor(random() * chars.length)]).join("");
    const products: ProductFields[] = [];
    const seen = new Set<string>();
    while (products.length < n) {
      const modelNo = `${pick(LATIN, 1 + Math.floor(random() * 3))}${random() < 0.3 ? "-" : ""}${Math.floor(random() * 5000)}${random() < 0.3 ? pick(LATIN, 1) : ""}`;
      if (seen.has(modelNo)) continue;
      seen.add(modelNo);
      products.push({
        modelNo,
        maker: ["キーサイト", "日置電機", "ＦＬＵＫＥ", "横河計測", "ﾃｸﾄﾛﾆｸｽ"][Math.floor(random() * 5)] ?? "",
        name: `${pick(KANA, 2 + Math.floor(random() * 6))}${pick(KANJI, 1 + Math.floor(random() * 3))} ${pick(KANA, 3)}`,
        category: ["オシロスコープ", "電源", "測量機", "作業台"][Math.floor(random() * 4)] ?? "",
        specSummary: random() < 0.3 ? "" : `${Math.floor(random() * 500)}MHz ${pick(KANJI, 2)}、${pick(LATIN, 2)}/s`,
        dailyPrice: 100,
        monthlyPrice: 1000,
      });
    }
    return { products, retired: products.filter((_, i) => i % 9 === 0).map((p) => p.modelNo) };
  }

  it("random words from the products' own texts find the same products, in the same order and pages", async () => {
    const { products, retired } = fixture(20261126, 240);
    await insertProducts(h.db, h.clock.now(), products);
    await h.db.updateTable("products").set({ active: 0 }).where("model_no", "in", retired).execute();
    const texts = products.flatMap((p) => [p.modelNo, p.maker, p.name, p.category, p.specSummary]).filter(Boolean);

    /** A piece of a product's text (as typed: maybe full-width, maybe upper case), or a random string. */
    const word = fc.oneof(
      fc
        .tuple(fc.integer({ min: 0, max: texts.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 6 }), fc.boolean())
        .map(([t, start, len, wide]) => {
          const chars = Array.from(texts[t] ?? "");
          const from = start % chars.length;
          const piece = chars.slice(from, from + len).join("");
          return wide ? piece.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)) : piece;
        }),
      fc.string({
        unit: fc.constantFrom(...Array.from(`${KANA}${KANJI}${LATIN}0123456789-%_`)),
        minLength: 1,
        maxLength: 3,
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(word, { minLength: 1, maxLength: 3 }),
        fc.option(fc.constantFrom("オシロスコープ", "電源", "測量機", "作業台"), { nil: undefined }),
        fc.integer({ min: 1, max: 4 }),
        async (words, category, page) => {
          const input = { keyword: words.join(" "), category, page };
          const got = await searchProductsUncached(h.deps, input);
          const want = await likeScan(h.db, input);
          expect({
            modelNos: got.items.map((p) => p.modelNo),
            total: got.total,
            page: got.page,
            pages: got.pages,
          }).toEqual(want);
        },
      ),
      { numRuns: 250, seed: 11 },
    );
  });
});

describe("the migration", () => {
  it("indexes the products that exist when it runs", async () => {
    const database = await freshDatabase();
    const db = createDb(database.url, { poolSize: 2 });
    try {
      const migrator = await migratorFor(db);
      expect((await migrator.migrateTo("0006_backoffice_accounts")).error).toBeUndefined();
      const old = db as unknown as Kysely<{ products: Record<string, string | number> }>;
      await old
        .insertInto("products")
        .values([
          {
            id: "p1",
            model_no: "DSOX1204G",
            maker: "キーサイト",
            name: "オシロスコープ",
            category: "オシロスコープ",
            spec_summary: "",
            daily_price: 1,
            monthly_price: 1,
            active: 1,
            search_text: "dsox1204g dsox1204g キーサイト オシロスコープ オシロスコープ",
            created_at: "2026-01-01",
          },
          {
            id: "p2",
            model_no: "87V",
            maker: "フルーク",
            name: "マルチメータ",
            category: "マルチメータ",
            spec_summary: "",
            daily_price: 1,
            monthly_price: 1,
            active: 0,
            search_text: "87v 87v フルーク マルチメータ マルチメータ",
            created_at: "2026-01-01",
          },
        ])
        .execute();
      expect((await migrator.migrateToLatest()).error).toBeUndefined();
      const deps = { db: db as DB };
      expect((await searchProductsUncached(deps, { keyword: "1204" })).items.map((p) => p.modelNo)).toEqual([
        "DSOX1204G",
      ]);
      expect((await searchProductsUncached(deps, { keyword: "マルチ" })).total).toBe(0); // retired
      await db.updateTable("products").set({ active: 1 }).where("id", "=", "p2").execute();
      expect((await searchProductsUncached(deps, { keyword: "マルチ" })).items.map((p) => p.modelNo)).toEqual(["87V"]);
      const p1 = await db.selectFrom("product_search_grams").select("gram").where("product_id", "=", "p1").execute();
      expect(p1.map((r) => r.gram).sort()).toEqual(
        searchGramsOf("dsox1204g dsox1204g キーサイト オシロスコープ オシロスコープ").sort(),
      );
    } finally {
      await db.destroy();
      await database.drop();
    }
  });
});

describe("reads the index, never the whole catalog", () => {
  it.runIf(process.env.TEST_DB !== "postgres")("SQLite's plan for every statement of a search", async () => {
    await insertProducts(
      h.db,
      h.clock.now(),
      Array.from({ length: 30 }, (_, i) => product(`M${i}X`, `商品${i}ー台`)),
    );
    const keywords = [
      "dsox",
      "オシロスコープ 4ch",
      "台",
      "ー",
      "A 商品",
      "ｍ１",
      "存在しない",
      "m1 x 台",
      "m-1",
      "a-b",
    ];
    const statements = await sqlitePlans(h.db, h.databaseUrl, async (db) => {
      const deps = { db };
      for (const keyword of keywords) {
        await searchProductsUncached(deps, { keyword });
        await searchProductsUncached(deps, { keyword, category: "オシロスコープ", page: 99 });
      }
      await searchProductsUncached(deps, {});
      await searchProductsUncached(deps, { category: "オシロスコープ", page: 2 });
      await catalogFacetsUncached(deps);
    });
    let gramStatements = 0;
    for (const { sql: text, plan } of statements) {
      if (process.env.SHOW_PLANS) console.log(`${text}\n  → ${plan}`);
      // No statement reads every product or every gram.
      expect(plan, text).not.toMatch(/SCAN (p|products|product_search_grams|g\d)\b(?! USING)/);
      expect(plan, text).not.toMatch(/SCAN product_search_grams/);
      if (/from "product_search_grams" as "g0"/.test(text)) {
        gramStatements++;
        // The rarest gram drives (a key range), each candidate is one lookup on the covering index.
        expect(plan, text).toMatch(
          /SEARCH g0 USING PRIMARY KEY \(gram=\?\)( \/ SEARCH g\d USING PRIMARY KEY \(gram=\? AND product_id=\?\))* \/ SEARCH p USING COVERING INDEX products_search_idx \(id=\? AND active=\?/,
        );
      }
      if (/"gram" >= \?/.test(text)) {
        gramStatements++;
        expect(plan, text).toContain("USING PRIMARY KEY (gram>? AND gram<?)");
      }
    }
    expect(gramStatements).toBeGreaterThanOrEqual(keywords.length);
  });
});
