// Yen with thousands separators (12,800円): the one formatter of pricing.ts, pure, shared with the server.
export { yen } from "../../server/services/ordering/pricing";

import { yen } from "../../server/services/ordering/pricing";

/** Yen, or "—" where there is no amount (a line filed before prices were kept, a field not yet typed). */
export function yenOrDash(value: number | null | undefined): string {
  return typeof value === "number" ? yen(value) : "—";
}

/** The href of a phone number, for a `tel:` link: "0120-000-000" → "tel:0120000000" (a leading + is kept). */
export function telHref(phone: string): string {
  return `tel:${phone.trim().replace(/(?!^\+)[^\d]/g, "")}`;
}
