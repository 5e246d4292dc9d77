/** Emails are unique per account compared after trimming and lower-casing (SPEC §4). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const EMAIL =
  /^[^\s@"<>()[\]\\,;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function isValidEmail(email: string): boolean {
  const e = email.trim();
  return e.length <= 254 && EMAIL.test(e);
}

/** Login IDs: 3–32 half-width letters, digits, `-` and `_`, compared exactly (after trimming). */
export const LOGIN_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$/;

export function normalizeLoginId(loginId: string): string {
  return loginId.trim();
}
