/**
 * The cursor of a list paged newest first by (created_at, id): opaque to the browser (base64url), read back
 * into the row-value both databases seek to on an index ending in (created_at, id).
 */
export function cursorOf(row: { created_at: string; id: string }): string {
  return Buffer.from(`${row.created_at}|${row.id}`).toString("base64url");
}

/** The position a cursor names; null for none or one that is not ours (the list then starts at its newest). */
export function parseCursor(cursor: string | null | undefined): { at: string; id: string } | null {
  if (!cursor) return null;
  const [at, id] = Buffer.from(cursor, "base64url").toString().split("|");
  return at && id ? { at, id } : null;
}
