import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Every source file under app/, with its path relative to the project. */
function appSources(dir = "app"): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return appSources(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

describe("app/entry.server.tsx renders each document whole, as a string", () => {
  // renderToString renders a suspended part as its fallback: a page that streamed or suspended would lose it.
  // React 18's streaming renderer puts NUL bytes into Japanese text (see the comment in entry.server.tsx).
  it("no page defers, awaits, suspends or lazy-loads, and nothing streams a document", () => {
    const files = appSources();
    expect(files).toContain(path.join("app", "entry.server.tsx"));
    const found: string[] = [];
    for (const file of files) {
      const code = fs
        .readFileSync(file, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/^\s*\/\/.*$/gm, "");
      for (const [what, pattern] of [
        ["defer()", /\bdefer\s*\(/],
        ["<Await>", /<Await\b/],
        ["<Suspense>", /<(React\.)?Suspense\b/],
        ["lazy()", /\blazy\s*\(/],
        ["renderToPipeableStream", /renderToPipeableStream|renderToReadableStream/],
      ] as const) {
        if (pattern.test(code)) found.push(`${file}: ${what}`);
      }
    }
    expect(found).toEqual([]);
    expect(fs.readFileSync(path.join("app", "entry.server.tsx"), "utf8")).toMatch(/\brenderToString\(/);
  });
});
