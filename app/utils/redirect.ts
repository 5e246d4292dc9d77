/**
 * Only same-site relative paths may be redirect targets (SPEC §8): "/x" yes; "//evil", "/\\evil",
 * "https://…" and anything odd fall back to the default.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  // No backslashes or control characters (header splitting, browser normalisation tricks).
  if ([...to].some((c) => c === "\\" || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return fallback;
  return to;
}
