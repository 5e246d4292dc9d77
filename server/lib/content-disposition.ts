/**
 * `Content-Disposition` for a download whose name may be Japanese (RFC 6266 / RFC 5987): an ASCII `filename`
 * for old clients (other characters as "_") and the real name in `filename*=UTF-8''…`. Node refuses raw
 * non-ASCII in a header; `encodeURIComponent` leaves `'()*` as they are, which RFC 5987 does not allow.
 * Pure: the pages' downloads (app/) and the dev mailbox use it alike.
 */
export function contentDisposition(filename: string, type: "attachment" | "inline" = "attachment"): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, "_").replace(/["\\;]/g, "_");
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
