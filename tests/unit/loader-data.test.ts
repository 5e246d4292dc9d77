import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

/**
 * A page's loader data with the project's patch of @remix-run/server-runtime (patches/, applied by `npm install`;
 * docs/decisions/019): for a document, data that JSON gives back unchanged goes to the render as it is instead
 * of through a JSON Response that Remix parses back. Anything else, and a client navigation's ?_data= request,
 * takes Remix's usual path. The same patch hands a loader the request itself when its URL has no parameter for Remix
 * to strip (Remix copied it twice for every loader).
 */
const require = createRequire(import.meta.url);
const data = require("@remix-run/server-runtime/dist/data.js") as {
  callRouteLoader: (args: {
    request: Request;
    loader: () => unknown;
    loadContext: unknown;
    params: Record<string, string>;
    routeId: string;
    singleFetch: boolean;
  }) => Promise<unknown>;
  survivesJson?: (value: unknown, depth: number) => boolean;
};

/** The request a loader is given when Remix calls it for `request` (with or without single fetch). */
async function requestSeen(request: Request, singleFetch = false): Promise<Request> {
  let seen: Request | undefined;
  await data.callRouteLoader({
    request,
    loader: ({ request: given }: { request: Request }) => {
      seen = given;
      return null;
    },
    loadContext: {},
    params: {},
    routeId: "routes/rentals",
    singleFetch,
  } as never);
  if (!seen) throw new Error("the loader was not called");
  return seen;
}

function load(url: string, value: unknown): Promise<unknown> {
  return data.callRouteLoader({
    request: new Request(url),
    loader: () => value,
    loadContext: {},
    params: {},
    routeId: "routes/rentals",
    singleFetch: false,
  });
}

const PAGE = {
  rentals: [
    { id: "r1", contractNo: "R-2026-000001", lines: [{ quantity: 2, returned: 0, name: "オシロスコープ" }] },
    { id: "r2", contractNo: "R-2026-000002", lines: [], openExtension: null, lineDates: false },
  ],
  nextCursor: null,
  total: 2,
};

describe("loader data of a document (patched @remix-run/server-runtime)", () => {
  it("the patch is applied", () => {
    expect(typeof data.survivesJson).toBe("function");
  });

  it("a document's plain data goes to the render as it is; a client navigation's data request still gets JSON", async () => {
    expect(await load("http://site.test/rentals", PAGE)).toBe(PAGE);
    expect(await load("http://site.test/rentals?cursor=abc", null)).toBeNull();
    const forClient = await load("http://site.test/rentals?_data=routes%2Frentals", PAGE);
    expect(forClient).toBeInstanceOf(Response);
    expect((forClient as Response).headers.get("Content-Type")).toMatch(/application\/json/);
    expect(await (forClient as Response).json()).toEqual(PAGE);
  });

  it("data that JSON would change, and Responses, take Remix's usual path", async () => {
    for (const changed of [
      { at: new Date("2026-11-27T00:00:00Z") },
      { total: Number.NaN },
      { note: undefined },
      { list: [1, undefined, 3] },
      { map: new Map([["a", 1]]) },
      { custom: { toJSON: () => "x" } },
    ]) {
      const answer = await load("http://site.test/rentals", changed);
      expect(answer, JSON.stringify(changed)).toBeInstanceOf(Response);
    }
    const redirect = new Response(null, { status: 302, headers: { Location: "/login" } });
    expect(await load("http://site.test/rentals", redirect)).toBe(redirect);
  });

  it("a loader gets the request itself when its URL has nothing for Remix to strip, else Remix's copy without it", async () => {
    for (const url of ["http://site.test/rentals", "http://site.test/account/history?cursor=abc&kind=order"]) {
      const request = new Request(url, { headers: { cookie: "a=b" } });
      expect(await requestSeen(request), url).toBe(request);
    }
    const cases: [string, boolean, string][] = [
      ["http://site.test/rentals?_data=routes%2Frentals&cursor=abc", false, "http://site.test/rentals?cursor=abc"],
      ["http://site.test/account/templates?index", false, "http://site.test/account/templates"],
      ["http://site.test/account/templates?index=1&_data=x", false, "http://site.test/account/templates?index=1"],
      ["http://site.test/rentals?_routes=routes%2Frentals&cursor=abc", true, "http://site.test/rentals?cursor=abc"],
      // Single fetch strips `_routes` only: a `_data` parameter there is the page's own.
      ["http://site.test/rentals?_data=x", true, "http://site.test/rentals?_data=x"],
    ];
    for (const [url, singleFetch, expected] of cases) {
      const request = new Request(url, { headers: { cookie: "a=b" } });
      const seen = await requestSeen(request, singleFetch);
      if (expected === url) {
        expect(seen, url).toBe(request);
        continue;
      }
      expect(seen, url).not.toBe(request);
      expect(seen.url, url).toBe(expected);
      expect(seen.headers.get("cookie"), url).toBe("a=b");
    }
  });

  it("survivesJson: what it accepts, JSON gives back equal", () => {
    const survives = data.survivesJson as (value: unknown, depth: number) => boolean;
    const accepted: unknown[] = [
      PAGE,
      "文字列",
      0,
      -1.5,
      true,
      null,
      [],
      {},
      Object.create(null),
      { nested: { deeper: [[{ a: "b" }]] } },
    ];
    for (const value of accepted) {
      expect(survives(value, 0), JSON.stringify(value)).toBe(true);
      // JSON gives an object without a prototype back as a plain one: the same keys and values.
      const plain = value !== null && typeof value === "object" && Object.getPrototypeOf(value) === null;
      expect(JSON.parse(JSON.stringify(value))).toStrictEqual(plain ? {} : value);
    }
    const sparse = [1, 2];
    delete sparse[0];
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 40; i++) {
      at.next = {};
      at = at.next as Record<string, unknown>;
    }
    for (const value of [
      undefined,
      Number.POSITIVE_INFINITY,
      10n,
      () => 1,
      Symbol("s"),
      new Date(),
      new Uint8Array(2),
      sparse,
      { [Symbol("s")]: 1 },
      deep,
    ]) {
      expect(survives(value, 0), String(typeof value)).toBe(false);
    }
  });
});
