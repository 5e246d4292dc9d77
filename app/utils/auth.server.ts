import { type AppLoadContext, redirect } from "@remix-run/node";

/** The signed-in customer, or a redirect to /login that brings the visitor back here afterwards. */
export async function requireCustomer(context: AppLoadContext, request: Request) {
  const me = await context.caller.auth.me();
  if (!me) {
    const url = new URL(request.url);
    const back = `${url.pathname}${url.search}`;
    throw redirect(back === "/" ? "/login" : `/login?redirectTo=${encodeURIComponent(back)}`);
  }
  return me;
}
