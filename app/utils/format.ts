/** Yen with thousands separators: 12,800円. */
export function yen(value: number): string {
  return `${value.toLocaleString("ja-JP")}円`;
}

/** The href of a phone number, for a `tel:` link: "0120-000-000" → "tel:0120000000" (a leading + is kept). */
export function telHref(phone: string): string {
  return `tel:${phone.trim().replace(/(?!^\+)[^\d]/g, "")}`;
}
