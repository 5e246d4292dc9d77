/**
 * A date as it is read everywhere on the site: "2026-11-26" → "2026/11/26" (date-times come from the server
 * already as "2026/11/26 14:05", server/lib/format.ts). No date (null): "—".
 */
export function displayDate(ymd: string | null): string {
  return ymd ? ymd.replaceAll("-", "/") : "—";
}

/** レンタル期間 in words: 3 and "month" → "3か月", 10 and "day" → "10日". */
export function periodLabel(period: { unit: "day" | "month"; count: number }): string {
  return `${period.count}${period.unit === "day" ? "日" : "か月"}`;
}

/** Where a rental stands, for レンタル中の注文 and the home page. */
export function rentalStatusLabel(r: { notStarted: boolean; daysLeft: number | null }): string {
  if (r.notStarted) return "開始前";
  if (r.daysLeft === null) return "レンタル中";
  if (r.daysLeft > 0) return `レンタル中(返却予定日まであと${r.daysLeft}日)`;
  if (r.daysLeft === 0) return "レンタル中(本日が返却予定日)";
  return `レンタル中(返却予定日を${-r.daysLeft}日過ぎています)`;
}
