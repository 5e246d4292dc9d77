const tokyo = new Intl.DateTimeFormat("ja-JP", {
  timeZone: "Asia/Tokyo",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

/** "2026/04/01 09:00:00 (日本時間)" — how times are shown to customers. */
export function formatTokyo(date: Date): string {
  return `${tokyo.format(date)} (日本時間)`;
}

const tokyoDate = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Tokyo",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** Today's date in Japan, "YYYY-MM-DD" (what customers mean by "today"). */
export function tokyoDateString(date: Date): string {
  return tokyoDate.format(date);
}

/** "2026/04/01 09:00" in Japan time, for lists. */
export function formatTokyoShort(date: Date): string {
  return formatTokyo(date).replace(/:\d{2} \(日本時間\)$/, "");
}

/**
 * A calendar date as customers and staff read it everywhere (pages and mails): "2026-11-26" → "2026/11/26";
 * no date: "—". The pages' twin is displayDate in app/utils/dates.ts.
 */
export function formatDate(ymd: string | null): string {
  return ymd ? ymd.replaceAll("-", "/") : "—";
}
