import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { redirectWithFlash } from "~/utils/flash.server";

/** Ends the staff session only (a customer session in the same browser stays). POST only. */
export async function action({ context }: ActionFunctionArgs) {
  await context.caller.staffAuth.logout();
  throw await redirectWithFlash("/admin/login", "ログアウトしました。", context);
}

export function loader() {
  throw redirect("/admin");
}
