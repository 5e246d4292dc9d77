import { parseCookies } from "../auth/cookies";
import type { PrincipalKind, SessionInfo } from "../auth/session";
import { findStaff, type StaffIdentity } from "../services/backoffice/staff";
import type { RequestMeta, ServiceDeps } from "../services/deps";
import { type CustomerIdentity, findCustomer } from "../services/identity/accounts";

export interface RequestInput extends RequestMeta {
  cookieHeader: string | undefined;
  /** Adds a Set-Cookie header to the response of this request. */
  setCookie: (cookie: string) => void;
}

export interface Context {
  deps: ServiceDeps;
  meta: RequestMeta;
  /** The request's cookies (the session cookies are read by the session manager). */
  cookies: Record<string, string>;
  setCookie: (cookie: string) => void;
  /** Gives the browser the cookie of a session a service started (services know no cookies). */
  setSessionCookie: (sessionId: string) => void;
  /** Removes the session cookie (logout, or the session ended with a password or email change). */
  clearSessionCookie: () => void;
  /** The customer session (customer cookie, kind "customer"), or null. */
  session: SessionInfo | null;
  customer: CustomerIdentity | null;
  /** The staff session (staff cookie, kind "staff"), or null. Never read from the customer cookie. */
  staffSession: SessionInfo | null;
  staff: StaffIdentity | null;
  setStaffSessionCookie: (sessionId: string) => void;
  clearStaffSessionCookie: () => void;
}

/**
 * The live session of one kind, read from that kind's cookie only; a session of the other kind put in
 * this cookie is no session here. A cookie that names no live session is removed.
 */
async function sessionOf(deps: ServiceDeps, input: RequestInput, kind: PrincipalKind): Promise<SessionInfo | null> {
  const sessionId = deps.sessions.readCookie(input.cookieHeader, kind);
  if (!sessionId) return null;
  const found = await deps.sessions.validate(sessionId);
  const session = found?.kind === kind ? found : null;
  if (!session) input.setCookie(deps.sessions.blankCookie(kind));
  return session;
}

/** One per request, for the HTTP endpoint and for the caller Remix loaders use alike. */
export async function createContext(deps: ServiceDeps, input: RequestInput): Promise<Context> {
  let session = await sessionOf(deps, input, "customer");
  let customer: CustomerIdentity | null = null;
  if (session) {
    customer = await findCustomer(deps, session.principalId);
    if (!customer) {
      // The user or account is gone or disabled: the session ends with it.
      await deps.sessions.invalidate(session.id);
      input.setCookie(deps.sessions.blankCookie("customer"));
      session = null;
    }
  }
  let staffSession = await sessionOf(deps, input, "staff");
  let staff: StaffIdentity | null = null;
  if (staffSession) {
    staff = await findStaff(deps.db, staffSession.principalId);
    if (!staff) {
      // The staff member was disabled or removed.
      await deps.sessions.invalidate(staffSession.id);
      input.setCookie(deps.sessions.blankCookie("staff"));
      staffSession = null;
    }
  }
  return {
    deps,
    meta: { ip: input.ip, userAgent: input.userAgent },
    cookies: parseCookies(input.cookieHeader),
    setCookie: input.setCookie,
    setSessionCookie: (id) => input.setCookie(deps.sessions.cookieFor(id, "customer")),
    clearSessionCookie: () => input.setCookie(deps.sessions.blankCookie("customer")),
    session,
    customer,
    staffSession,
    staff,
    setStaffSessionCookie: (id) => input.setCookie(deps.sessions.cookieFor(id, "staff")),
    clearStaffSessionCookie: () => input.setCookie(deps.sessions.blankCookie("staff")),
  };
}
