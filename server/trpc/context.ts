import { parseCookies } from "../auth/cookies";
import type { SessionInfo } from "../auth/session";
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
  /** The request's cookies (the session cookie is read by the session manager). */
  cookies: Record<string, string>;
  setCookie: (cookie: string) => void;
  /** Gives the browser the cookie of a session a service started (services know no cookies). */
  setSessionCookie: (sessionId: string) => void;
  /** Removes the session cookie (logout, or the session ended with a password or email change). */
  clearSessionCookie: () => void;
  session: SessionInfo | null;
  customer: CustomerIdentity | null;
}

/** One per request, for the HTTP endpoint and for the caller Remix loaders use alike. */
export async function createContext(deps: ServiceDeps, input: RequestInput): Promise<Context> {
  const sessionId = deps.sessions.readCookie(input.cookieHeader);
  let session = sessionId ? await deps.sessions.validate(sessionId) : null;
  let customer: CustomerIdentity | null = null;
  if (session?.kind === "customer") {
    customer = await findCustomer(deps, session.principalId);
    if (!customer) {
      // The user or account is gone or disabled: the session ends with it.
      await deps.sessions.invalidate(session.id);
      session = null;
    }
  }
  if (sessionId && !session) input.setCookie(deps.sessions.blankCookie());
  return {
    deps,
    meta: { ip: input.ip, userAgent: input.userAgent },
    cookies: parseCookies(input.cookieHeader),
    setCookie: input.setCookie,
    setSessionCookie: (id) => input.setCookie(deps.sessions.cookieFor(id)),
    clearSessionCookie: () => input.setCookie(deps.sessions.blankCookie()),
    session,
    customer,
  };
}
