import fs from "node:fs";
import { createRequire } from "node:module";
import { type AgnosticRouteObject, createMemoryHistory, createRouter, matchPath, matchRoutes } from "@remix-run/router";
import { describe, expect, it } from "vitest";

/**
 * The server's route matching with the project's patch of @remix-run/router (patches/, applied by
 * `npm install`; docs/decisions/019): a route tree is flattened and ranked once, and each path's pattern
 * compiled once, instead of on every match; trees of the same shape share which branch each pathname matched
 * first. Matching must answer exactly as before.
 */
const require = createRequire(import.meta.url);

function tree(): AgnosticRouteObject[] {
  return [
    {
      id: "root",
      path: "/",
      children: [
        { id: "home", index: true },
        { id: "history", path: "account/history" },
        { id: "detail", path: "account/history/:number" },
        { id: "products", path: "products" },
        { id: "product", path: "products/:code" },
        { id: "admin", path: "admin", children: [{ id: "admin-app", path: "applications/:number" }] },
        { id: "splat", path: "*" },
      ],
    },
  ];
}

const childrenOf = (routes: AgnosticRouteObject[]) => routes[0]?.children as AgnosticRouteObject[];
const allRoutes = (routes: AgnosticRouteObject[]): AgnosticRouteObject[] =>
  routes.flatMap((r) => [r, ...allRoutes(r.children ?? [])]);
const ids = (routes: AgnosticRouteObject[], path: string) => matchRoutes(routes, path)?.map((m) => m.route.id);

describe("route matching (patched @remix-run/router)", () => {
  it("the patch is applied: the installed router caches the flattened tree and the compiled paths", () => {
    const source = fs.readFileSync(require.resolve("@remix-run/router"), "utf8");
    expect(source).toContain("flattenedRankedBranches");
    expect(source).toContain("compiledPaths");
    expect(source).toContain("firstMatchesByShape");
  });

  it("answers as before, the first time and every time after, with ranks and params", () => {
    const routes = tree();
    for (let round = 0; round < 3; round++) {
      expect(ids(routes, "/")).toEqual(["root", "home"]);
      expect(ids(routes, "/account/history")).toEqual(["root", "history"]);
      const detail = matchRoutes(routes, "/account/history/Q-2026-000123");
      expect(detail?.map((m) => m.route.id)).toEqual(["root", "detail"]);
      expect(detail?.at(-1)?.params).toEqual({ number: "Q-2026-000123" });
      // A static segment outranks a dynamic one; an unknown path falls to the splat.
      expect(ids(routes, "/products")).toEqual(["root", "products"]);
      expect(matchRoutes(routes, "/products/%E6%A9%9F")?.at(-1)?.params).toEqual({ code: "機" });
      expect(ids(routes, "/admin/applications/O-1")).toEqual(["root", "admin", "admin-app"]);
      expect(ids(routes, "/nowhere/at/all")).toEqual(["root", "splat"]);
      expect(ids(routes, "/ACCOUNT/HISTORY")).toEqual(["root", "history"]);
    }
  });

  it("trees of the same shape, built afresh as Remix's server does for every page, answer with their own routes", () => {
    const paths = ["/", "/account/history", "/account/history/Q-1", "/products/P-9", "/admin/applications/O-1", "/x/y"];
    const first = tree();
    const answers = paths.map((path) => matchRoutes(first, path));
    for (let round = 0; round < 3; round++) {
      const again = tree();
      paths.forEach((path, i) => {
        const matches = matchRoutes(again, path);
        expect(matches, path).toEqual(answers[i]);
        // The routes of the tree asked, in new match objects (a caller may change its own).
        for (const m of matches ?? []) expect(allRoutes(again)).toContain(m.route);
        expect(matches).not.toBe(answers[i]);
        expect(matches?.[0]).not.toBe(answers[i]?.[0]);
      });
      // A caller that changes its answer changes nothing for the next.
      const changed = matchRoutes(again, "/account/history/Q-1");
      (changed?.at(-1)?.params as Record<string, string>).number = "changed";
      changed?.pop();
      expect(matchRoutes(again, "/account/history/Q-1")).toEqual(answers[2]);
    }
  });

  it("trees of another shape do not take the first's answers: other paths, case sensitivity, index routes", () => {
    expect(ids(tree(), "/products/P-1")).toEqual(["root", "product"]);
    const moved = tree();
    childrenOf(moved)[4] = { id: "product", path: "catalog/:code" };
    expect(ids(moved, "/products/P-1")).toEqual(["root", "splat"]);
    expect(ids(moved, "/catalog/P-1")).toEqual(["root", "product"]);
    expect(ids(tree(), "/ACCOUNT/HISTORY")).toEqual(["root", "history"]);
    const strict = tree();
    childrenOf(strict)[1] = { id: "history", path: "account/history", caseSensitive: true };
    expect(ids(strict, "/ACCOUNT/HISTORY")).toEqual(["root", "splat"]);
    expect(ids(strict, "/account/history")).toEqual(["root", "history"]);
    const noIndex = tree();
    childrenOf(noIndex)[0] = { id: "home", path: "home" };
    expect(ids(noIndex, "/")).toEqual(["root"]);
    expect(ids(tree(), "/")).toEqual(["root", "home"]);
  });

  it("answers stay right past the memory's bound of pathnames", () => {
    const routes = tree();
    for (let n = 0; n < 2500; n++) {
      const matches = matchRoutes(routes, `/account/history/Q-${n}`);
      expect(matches?.at(-1)?.params.number).toBe(`Q-${n}`);
    }
    expect(ids(routes, "/account/history")).toEqual(["root", "history"]);
  });

  it("a compiled path serves both its case-sensitive and its end variants apart", () => {
    expect(matchPath({ path: "/a/:id", caseSensitive: true }, "/A/1")).toBeNull();
    expect(matchPath({ path: "/a/:id" }, "/A/1")?.params).toEqual({ id: "1" });
    expect(matchPath({ path: "/a", end: false }, "/a/b")?.pathnameBase).toBe("/a");
    expect(matchPath({ path: "/a", end: true }, "/a/b")).toBeNull();
  });

  it("routes patched in later (lazy route discovery) are matched, not hidden by the cache", () => {
    const router = createRouter({ routes: tree(), history: createMemoryHistory() });
    const before = router.routes as AgnosticRouteObject[];
    expect(ids(before, "/admin/new")).toEqual(["root", "splat"]);
    router.patchRoutes("admin", [{ id: "admin-new", path: "new" }]);
    expect(ids(router.routes as AgnosticRouteObject[], "/admin/new")).toEqual(["root", "admin", "admin-new"]);
    // The tree held before the patch shares the patched route objects: its cached branches are stale and
    // must be rebuilt, not served.
    expect(ids(before, "/admin/new")).toEqual(["root", "admin", "admin-new"]);
    router.dispose();
  });
});
