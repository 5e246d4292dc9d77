import { type ActionFunctionArgs, redirect } from "@remix-run/node";

export async function action({ context }: ActionFunctionArgs) {
  await context.caller.auth.logout();
  throw redirect("/login");
}

/** Logging out changes state, so it is POST only; a GET just goes home. */
export function loader() {
  throw redirect("/");
}
