import { useLocation, useNavigate } from "@remix-run/react";
import { type AnchorHTMLAttributes, useEffect } from "react";

/**
 * A path of this site from its root ("/rentals/…", "/products?q=…"). Never relative: the browser resolves an
 * `href` against the URL ("." on /admin/accounts is /admin/), where `<Link>` resolved it against the route.
 */
export type SitePath = `/${string}`;

type AppLinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: SitePath };

/**
 * A link to a page of this site: a plain `<a href>` that `ClientNavigation` (in the root layout) follows without
 * reloading the document, as Remix's `<Link>` does. `<Link>` resolves its path three times and sets up its own
 * handlers while the server renders it, 7–12 µs a link: about 0.2–0.3 ms of the 3 ms a レンタル中の注文 page with
 * 40 links cost (decision 019). `data-discover` lets Remix load the target's route module ahead, as for `<Link>`.
 * Before the scripts load, and for a click with a modifier key, it is an ordinary link.
 *
 * The attributes are added to the object the props' rest made for this call, not spread into a new one with
 * them after it: V8 copies a spread followed by more properties (`<a {...rest} href={to}>`) on its slow path,
 * about 2 µs a link against 0.1 (docs/benchmarks.md); a page of 40 links spent 0.1 ms on it.
 */
export function AppLink({ to, ...attributes }: AppLinkProps) {
  const anchor: AnchorHTMLAttributes<HTMLAnchorElement> & { "data-discover"?: string; "data-client-nav"?: string } =
    attributes;
  anchor.href = to;
  anchor["data-discover"] = "true";
  anchor["data-client-nav"] = "";
  return <a {...anchor} />;
}

/**
 * Whether a menu entry or tab for `to` marks the page at `pathname` as its own: the same path, or one below it
 * unless `end` (お客様情報設定 is /account, which every other tab's path starts with). A trailing slash does not
 * count, and case does not matter, as for `<NavLink>`.
 */
export function isCurrentPath(pathname: string, to: SitePath, end = false): boolean {
  const here = (pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname).toLowerCase();
  const target = to.toLowerCase();
  return here === target || (!end && target !== "/" && here.startsWith(`${target}/`));
}

/**
 * A tab or menu entry: an `AppLink` that marks the current page as `<NavLink>` did (`aria-current="page"` and
 * the class `active`), from the location alone. `<NavLink>` also resolved its path and watched the navigation
 * in progress, which costs as much as `<Link>` (decision 019).
 */
export function AppNavLink({ end, ...link }: AppLinkProps & { end?: boolean }) {
  const current = isCurrentPath(useLocation().pathname, link.to, end);
  // Added to the rest's own object, as in AppLink.
  link.className = [link.className, current ? "active" : null].filter(Boolean).join(" ") || undefined;
  link["aria-current"] = current ? "page" : undefined;
  return <AppLink {...link} />;
}

interface ClickLike {
  defaultPrevented: boolean;
  button: number;
  metaKey: boolean;
  altKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  target: EventTarget | null;
}

interface Here {
  origin: string;
  pathname: string;
  search: string;
  hash: string;
}

/**
 * Where a click should take the app without reloading, or null when the browser should follow it itself: not
 * an `AppLink`, a click that opens a new tab or window or downloads (a modifier key, another button, a
 * `target`, `download`), another origin, or a click a handler already took. The same rules as `<Link>`'s
 * (react-router's `useLinkClickHandler`); a link to the page being shown replaces its history entry.
 */
export function clientNavigationTarget(click: ClickLike, here: Here): { path: string; replace: boolean } | null {
  if (click.defaultPrevented || click.button !== 0) return null;
  if (click.metaKey || click.altKey || click.ctrlKey || click.shiftKey) return null;
  const element = click.target as { closest?: (selector: string) => Element | null } | null;
  const anchor = element?.closest?.("a[data-client-nav]") as HTMLAnchorElement | null | undefined;
  if (!anchor) return null;
  const target = anchor.getAttribute("target");
  if ((target && target !== "_self") || anchor.hasAttribute("download")) return null;
  const url = new URL(anchor.href, here.origin);
  if (url.origin !== here.origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return { path, replace: path === `${here.pathname}${here.search}${here.hash}` };
}

/** Follows clicks on every `AppLink` of the document with the router (one listener for the whole page). */
export function ClientNavigation() {
  const navigate = useNavigate();
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      const next = clientNavigationTarget(event, window.location);
      if (!next) return;
      event.preventDefault();
      navigate(next.path, { replace: next.replace });
    };
    document.addEventListener("click", onClick);
    return () => document.removeEventListener("click", onClick);
  }, [navigate]);
  return null;
}
