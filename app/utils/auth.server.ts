import { type AppLoadContext, redirect } from "@remix-run/node";

/** The signed-in customer (even one who must change the password), or a redirect to /login and back. */
export async function requireSignedIn(context: AppLoadContext, request: Request) {
  const me = await context.caller.auth.me();
  if (!me) {
    const url = new URL(request.url);
    const back = `${url.pathname}${url.search}`;
    throw redirect(back === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
  }
  return me;
}

/**
 * The signed-in customer free to use the site. A user flagged to change the password is sent to
 * 初回ログイン時のパスワード変更 and can reach nothing else (the server refuses the calls too).
 */
export async function requireCustomer(context: AppLoadContext, request: Request) {
  const me = await requireSignedIn(context, request);
  if (me.user.mustChangePassword) throw redirect("/password/initial");
  return me;
}

/** Where to go once signed in. */
export function afterLogin(result: { mustChangePassword: boolean }, redirectTo: string): string {
  return result.mustChangePassword ? "/password/initial" : redirectTo;
}
