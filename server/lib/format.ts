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
