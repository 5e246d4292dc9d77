/**
 * Japan's clock: UTC plus nine hours. Japan has kept standard time, without daylight saving, since 1951, so
 * the fields of the shifted instant read in UTC are Tokyo's. This replaced `Intl.DateTimeFormat` with
 * `timeZone: "Asia/Tokyo"`, which cost about 1–2 µs a call: tens of µs on a page of 20 rows (decision 019).
 * tests/unit/helpers.test.ts checks these against Intl over a wide range of instants.
 */
const TOKYO_OFFSET_MS = 9 * 60 * 60 * 1000;

function inTokyo(date: Date): Date {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new RangeError("Invalid time value");
  return new Date(time + TOKYO_OFFSET_MS);
}

const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);

/** "YYYY/MM/DD HH:MM" of an instant shifted to Tokyo. */
function tokyoMinutes(t: Date): string {
  return `${t.getUTCFullYear()}/${two(t.getUTCMonth() + 1)}/${two(t.getUTCDate())} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}`;
}

/** "2026/04/01 09:00:00 (日本時間)" — how times are shown to customers. */
export function formatTokyo(date: Date): string {
  const t = inTokyo(date);
  return `${tokyoMinutes(t)}:${two(t.getUTCSeconds())} (日本時間)`;
}

/** Today's date in Japan, "YYYY-MM-DD" (what customers mean by "today"). */
export function tokyoDateString(date: Date): string {
  const t = inTokyo(date);
  return `${t.getUTCFullYear()}-${two(t.getUTCMonth() + 1)}-${two(t.getUTCDate())}`;
}

/** "2026/04/01 09:00" — Japan time to the minute, where a list shows when (申込日時). */
export function formatTokyoShort(date: Date): string {
  return tokyoMinutes(inTokyo(date));
}

/**
 * A calendar date as customers and staff read it everywhere (pages and mails): "2026-11-26" → "2026/11/26";
 * no date: "—". The pages' twin is displayDate in app/utils/dates.ts.
 */
export function formatDate(ymd: string | null): string {
  return ymd ? ymd.replaceAll("-", "/") : "—";
}
