import { type AppLoadContext, json, redirect } from "@remix-run/node";
import { ADMIN_ONLY_PAGE } from "./staff";

/** The signed-in staff member, or a redirect to /admin/login and back. Customers' sessions do not count. */
export async function requireStaff(context: AppLoadContext, request: Request) {
  const staff = await context.caller.staffAuth.me();
  if (!staff) {
    const url = new URL(request.url);
    const back = `${url.pathname}${url.search}`;
    throw redirect(back === "/admin" ? "/admin/login" : `/admin/login?redirectTo=${encodeURIComponent(back)}`);
  }
  return staff;
}

/** A staff member with the admin role; an operator gets a 403 in Japanese (the server refuses the calls too). */
export async function requireAdmin(context: AppLoadContext, request: Request) {
  const staff = await requireStaff(context, request);
  if (staff.role !== "admin") throw json({ message: ADMIN_ONLY_PAGE }, { status: 403 });
  return staff;
}
