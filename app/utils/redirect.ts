/** A placeholder origin to resolve a path against: what resolves elsewhere was not a same-site path. */
const BASE = "http://same-site.invalid";

/**
 * Only same-site relative paths may be redirect targets (SPEC §8): "/x" yes; "//evil", "/\\evil",
 * "https://…" and anything odd fall back to the default.
 *
 * The result is ready for a Location header, which carries bytes, not text: anything beyond ASCII
 * ("/products?keyword=計測器") is percent-encoded as UTF-8, and what is already encoded stays as it is.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  // No backslashes or control characters (header splitting, browser normalisation tricks).
  if ([...to].some((c) => c === "\\" || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return fallback;
  // The URL parser does the encoding (path, query and fragment each by their own rules, a lone surrogate
  // as U+FFFD) and proves the target stays on this site.
  const url = new URL(to, BASE);
  if (url.origin !== BASE) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
