/** Small cookie helpers for the cookies that are not the session (Lucia writes that one). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || name in out) continue;
    try {
      out[name] = decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      // a malformed value is treated as absent
    }
  }
  return out;
}

export interface CookieOptions {
  secure: boolean;
  /** Seconds; 0 deletes the cookie. */
  maxAge: number;
}

/** HttpOnly, SameSite=Lax, Path=/; over https also Secure (pair it with a __Host- name). */
export function serializeCookie(name: string, value: string, o: CookieOptions): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    "HttpOnly",
    `Max-Age=${o.maxAge}`,
    "Path=/",
    "SameSite=Lax",
    ...(o.secure ? ["Secure"] : []),
  ].join("; ");
}

/** The cookie that carries a login through the one-time-password step; it is not a session. */
export function challengeCookieName(secure: boolean): string {
  return secure ? "__Host-mos_login_challenge" : "mos_login_challenge";
}

/** The staff login's challenge cookie: its own, so a customer's and a staff login never meet. */
export function staffChallengeCookieName(secure: boolean): string {
  return secure ? "__Host-mos_staff_login_challenge" : "mos_staff_login_challenge";
}
