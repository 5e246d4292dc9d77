/** Yen with thousands separators: 12,800円. */
export function yen(value: number): string {
  return `${value.toLocaleString("ja-JP")}円`;
}
