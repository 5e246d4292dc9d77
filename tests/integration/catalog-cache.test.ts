import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createDb, type DB } from "../../db";
import {
  catalogFacets,
  insertProducts,
  searchProducts,
  setProductActive,
  updateProduct,
} from "../../server/services/ordering/catalog";
import { catalogVersion } from "../../server/services/ordering/catalog-cache";
import { createHarness, type Harness } from "../support/harness";
import { sampleProduct as product } from "../support/samples";

/**
 * Search pages and facets kept per catalog version (server/services/ordering/catalog-cache.ts): served
 * without reading the catalog again until a product is written, and never stale after a write, on this
 * instance or another one on the same database.
 */

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

/** The database, recording the tables its statements name and how many statements it ran. */
function counting(db: DB): { db: DB; tables(): string[]; statements(): number; reset(): void } {
  const seen: string[] = [];
  let statements = 0;
  const recorded = db.withPlugin({
    transformQuery(args) {
      const { sql } = db.getExecutor().compileQuery(args.node, args.queryId);
      statements++;
      for (const m of sql.matchAll(/\b(?:from|join|into|update)\s+"?(\w+)"?/gi)) seen.push(m[1] as string);
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  });
  return {
    db: recorded,
    tables: () => [...new Set(seen)].sort(),
    statements: () => statements,
    reset: () => {
      seen.splice(0);
      statements = 0;
    },
  };
}

async function seed() {
  return insertProducts(h.db, h.clock.now(), [
    product("DSOX1204G", "デジタルオシロスコープ 4ch"),
    product("DSOX3034T", "デジタルオシロスコープ 4ch 350MHz"),
    product("87V", "デジタルマルチメータ", { maker: "フルーク", category: "マルチメータ" }),
  ]);
}

describe("catalog answers kept per catalog version", () => {
  it("the same search and the facets again read only the catalog's version", async () => {
    await seed();
    const c = counting(h.db);
    const deps = { db: c.db };
    const first = await searchProducts(deps, { keyword: "オシロ" });
    expect(first.items.map((p) => p.modelNo)).toEqual(["DSOX1204G", "DSOX3034T"]);
    expect(first.facets.makers).toEqual(["キーサイト・テクノロジー", "フルーク"]);
    expect(c.tables()).toContain("products");

    // The search page's whole answer, its categories and makers with it: one read of the version.
    c.reset();
    expect(await searchProducts(deps, { keyword: "オシロ" })).toEqual(first);
    expect(c.tables()).toEqual(["catalog_state"]);
    expect(c.statements()).toBe(1);

    c.reset();
    expect(await catalogFacets(deps)).toEqual(first.facets);
    expect(c.tables()).toEqual(["catalog_state"]);

    // Other words, filters or pages are other answers.
    c.reset();
    await searchProducts(deps, { keyword: "オシロ", page: 2 });
    await searchProducts(deps, { keyword: "オシロ", maker: "フルーク" });
    expect(c.tables()).toContain("products");
  });

  it("every product write counts the version up in its transaction, and the next search sees it", async () => {
    const [first, , meter] = await seed();
    const deps = { db: h.db };
    const before = await catalogVersion(h.db);
    expect((await searchProducts(deps, { keyword: "オシロ" })).total).toBe(2);

    // 登録
    await h.db
      .transaction()
      .execute((trx) => insertProducts(trx, h.clock.now(), [product("MSOX4104A", "オシロスコープ")]));
    expect(await catalogVersion(h.db)).toBe(before + 1);
    expect((await searchProducts(deps, { keyword: "オシロ" })).total).toBe(3);

    // 編集 (the name no longer has the word)
    await updateProduct(h.db, first as string, product("DSOX1204G", "データロガー 4ch", { category: "ロガー" }));
    expect((await searchProducts(deps, { keyword: "オシロ" })).total).toBe(2);

    // 販売終了, then 販売再開: the facets follow too
    await setProductActive(h.db, meter as string, false);
    expect((await catalogFacets(deps)).makers).toEqual(["キーサイト・テクノロジー"]);
    await setProductActive(h.db, meter as string, true);
    expect((await catalogFacets(deps)).makers).toEqual(["キーサイト・テクノロジー", "フルーク"]);
    expect(await catalogVersion(h.db)).toBe(before + 4);

    // A write rolled back counts nothing and changes no answer.
    await expect(
      h.db.transaction().execute(async (trx) => {
        await setProductActive(trx, meter as string, false);
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(await catalogVersion(h.db)).toBe(before + 4);
    expect((await catalogFacets(deps)).makers).toEqual(["キーサイト・テクノロジー", "フルーク"]);
  });

  it("another instance on the same database sees a write at its next search", async () => {
    const [first] = await seed();
    // A second server process: its own connection (pool) to the same database, its own kept answers.
    const other = createDb(h.databaseUrl);
    try {
      const deps = { db: other };
      expect((await searchProducts(deps, { keyword: "DSOX1204G" })).total).toBe(1);
      await setProductActive(h.db, first as string, false); // written by this instance
      expect((await searchProducts(deps, { keyword: "DSOX1204G" })).total).toBe(0);
    } finally {
      await other.destroy();
    }
  });
});
