import fs from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { StaticRouter } from "react-router-dom/server";
import { describe, expect, it } from "vitest";
import { AppLink, AppNavLink, clientNavigationTarget, isCurrentPath } from "../../app/components/AppLink";

const here = { origin: "https://order.example.jp", pathname: "/rentals", search: "?cursor=abc", hash: "" };

/** An element under an anchor with these attributes (or under none), as `closest` sees it. */
function inside(attributes: Record<string, string> | null) {
  const anchor = attributes && {
    href: new URL(attributes.href ?? "", here.origin).href,
    getAttribute: (name: string) => attributes[name] ?? null,
    hasAttribute: (name: string) => name in attributes,
  };
  return {
    closest: (selector: string) => {
      expect(selector).toBe("a[data-client-nav]");
      return anchor && "data-client-nav" in (attributes ?? {}) ? anchor : null;
    },
  } as unknown as EventTarget;
}

const click = (target: EventTarget, extra: Partial<Parameters<typeof clientNavigationTarget>[0]> = {}) => ({
  defaultPrevented: false,
  button: 0,
  metaKey: false,
  altKey: false,
  ctrlKey: false,
  shiftKey: false,
  target,
  ...extra,
});

describe("AppLink: which clicks the router follows without reloading the document", () => {
  const link = (href: string, more: Record<string, string> = {}) => inside({ href, "data-client-nav": "", ...more });

  it("a plain click on an AppLink: its path, query and fragment; the page shown is replaced, not stacked", () => {
    expect(clientNavigationTarget(click(link("/rentals/r1/cancel")), here)).toEqual({
      path: "/rentals/r1/cancel",
      replace: false,
    });
    expect(clientNavigationTarget(click(link("/products?q=%E7%99%BA%E9%9B%BB%E6%A9%9F#list")), here)).toEqual({
      path: "/products?q=%E7%99%BA%E9%9B%BB%E6%A9%9F#list",
      replace: false,
    });
    expect(clientNavigationTarget(click(link("/rentals?cursor=abc")), here)).toEqual({
      path: "/rentals?cursor=abc",
      replace: true,
    });
  });

  it("leaves to the browser: modifier keys, other buttons, a handled click, target, download, other origins", () => {
    for (const extra of [{ metaKey: true }, { ctrlKey: true }, { shiftKey: true }, { altKey: true }, { button: 1 }]) {
      expect(clientNavigationTarget(click(link("/rentals"), extra), here)).toBeNull();
    }
    expect(clientNavigationTarget(click(link("/rentals"), { defaultPrevented: true }), here)).toBeNull();
    expect(clientNavigationTarget(click(link("/account", { target: "_blank" })), here)).toBeNull();
    expect(clientNavigationTarget(click(link("/account", { target: "_self" })), here)).toEqual({
      path: "/account",
      replace: false,
    });
    expect(clientNavigationTarget(click(link("/account/history.csv", { download: "" })), here)).toBeNull();
    expect(clientNavigationTarget(click(link("https://example.com/")), here)).toBeNull();
  });

  it("leaves to the browser: an ordinary <a> (the skip link, tel:, a document's download) and clicks outside links", () => {
    expect(clientNavigationTarget(click(inside({ href: "#main" })), here)).toBeNull();
    expect(clientNavigationTarget(click(inside(null)), here)).toBeNull();
    expect(clientNavigationTarget(click(null as unknown as EventTarget), here)).toBeNull();
  });
});

describe("pages link with AppLink", () => {
  function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? sources(p) : /\.tsx?$/.test(e.name) ? [p] : [];
    });
  }
  // Remix's <Link> and <NavLink> cost 7–12 µs of the server's time per link rendered (decision 019).
  it("no file under app/ imports Remix's <Link> or <NavLink>", () => {
    const offenders = sources("app").filter((file) =>
      /import\s*\{[^}]*\b(?:Nav)?Link\b[^}]*\}\s*from\s*"@remix-run\/react"/.test(fs.readFileSync(file, "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});

describe("AppNavLink: which page a tab or menu entry marks as current", () => {
  it("its own path, and the paths below it unless `end`", () => {
    expect(isCurrentPath("/account/history", "/account/history")).toBe(true);
    expect(isCurrentPath("/account/history/Q-2026-000123", "/account/history")).toBe(true);
    expect(isCurrentPath("/account/history", "/account", true)).toBe(false);
    expect(isCurrentPath("/account", "/account", true)).toBe(true);
    expect(isCurrentPath("/admin/applications/A-1", "/admin/applications")).toBe(true);
  });

  it("not a path that merely starts with the same letters; a trailing slash and case do not count", () => {
    expect(isCurrentPath("/account/historyx", "/account/history")).toBe(false);
    expect(isCurrentPath("/admin/accounts-old", "/admin/accounts")).toBe(false);
    expect(isCurrentPath("/account/users/", "/account/users")).toBe(true);
    expect(isCurrentPath("/Account/Users", "/account/users")).toBe(true);
    expect(isCurrentPath("/products", "/")).toBe(false);
  });
});

describe("AppLink and AppNavLink: the anchors they render", () => {
  it("a plain anchor with its attributes, the path as href, and the current tab marked", () => {
    const html = renderToString(
      createElement(
        StaticRouter,
        { location: "/account/history?cursor=abc" },
        createElement(AppLink, { to: "/rentals", className: "more", "aria-label": "レンタル中の注文へ" }, "一覧"),
        createElement(AppNavLink, { to: "/account/history", className: "tab" }, "申込履歴"),
        createElement(AppNavLink, { to: "/account", end: true }, "お客様情報設定"),
      ),
    );
    expect(html).toBe(
      '<a class="more" aria-label="レンタル中の注文へ" href="/rentals" data-discover="true" data-client-nav="">一覧</a>' +
        '<a class="tab active" aria-current="page" href="/account/history" data-discover="true" data-client-nav="">申込履歴</a>' +
        '<a href="/account" data-discover="true" data-client-nav="">お客様情報設定</a>',
    );
  });

  it("leaves the props it was given as they were", () => {
    const props = { to: "/rentals" as const, className: "more" };
    renderToString(createElement(StaticRouter, { location: "/" }, createElement(AppNavLink, props, "一覧")));
    expect(props).toEqual({ to: "/rentals", className: "more" });
  });
});
