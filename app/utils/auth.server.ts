import { type AppLoadContext, redirect } from "@remix-run/node";

type Me = ReturnType<AppLoadContext["caller"]["auth"]["me"]>;
const asked = new WeakMap<AppLoadContext, Me>();

/**
 * The signed-in customer or null (`auth.me`), asked once per request: the root loader and the page's loader
 * run with the same load context and share the answer. The server reads the customer once per request anyway
 * (server/trpc/context.ts); a second call only ran tRPC's procedure chain again.
 */
export function signedInCustomer(context: AppLoadContext): Me {
  let me = asked.get(context);
  if (!me) {
    me = context.caller.auth.me();
    asked.set(context, me);
  }
  return me;
}

/** The signed-in customer (even one who must change the password), or a redirect to /login and back. */
export async function requireSignedIn(context: AppLoadContext, request: Request) {
  const me = await signedInCustomer(context);
  if (!me) throw redirect(withRedirectTo("/login", pathOf(request)));
  return me;
}

/** The page asked for (path and query), to come back to after a login or the forced password change. */
function pathOf(request: Request): string {
  const url = new URL(request.url);
  return `${url.pathname}${url.search}`;
}

/** `path?redirectTo=…`, or just `path` when the way back is the home page. */
export function withRedirectTo(path: string, redirectTo: string): string {
  return redirectTo === "/" ? path : `${path}?redirectTo=${encodeURIComponent(redirectTo)}`;
}

/**
 * The signed-in customer free to use the site. A user flagged to change the password is sent to
 * 初回ログイン時のパスワード変更 and can reach nothing else (the server refuses the calls too).
 */
export async function requireCustomer(context: AppLoadContext, request: Request) {
  const me = await requireSignedIn(context, request);
  if (me.user.mustChangePassword) throw redirect(withRedirectTo("/password/initial", pathOf(request)));
  return me;
}

/** Where to go once signed in: the page asked for, through the forced password change when one is due. */
export function afterLogin(result: { mustChangePassword: boolean }, redirectTo: string): string {
  return result.mustChangePassword ? withRedirectTo("/password/initial", redirectTo) : redirectTo;
}
