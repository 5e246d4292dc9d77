import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet, useLoaderData } from "@remix-run/react";
import { AppLink, AppNavLink } from "~/components/AppLink";
import { MenuToggle } from "~/components/MenuToggle";
import { BACK_OFFICE_AREAS } from "~/utils/admin-areas";
import { ROLE_LABELS } from "~/utils/staff";
import { requireStaff } from "~/utils/staff.server";

/**
 * The back office's frame: every /admin page below it needs a staff session (the staff cookie; a
 * customer's session does not count) and anonymous visitors go to /admin/login. The server refuses
 * the calls on its own too (staffProcedure / adminProcedure).
 */
export async function loader({ context, request }: LoaderFunctionArgs) {
  const staff = await requireStaff(context, request);
  return { staff: { ...staff, roleLabel: ROLE_LABELS[staff.role] } };
}

export default function AdminLayout() {
  const { staff } = useLoaderData<typeof loader>();
  const areas = BACK_OFFICE_AREAS.filter((a) => !a.adminOnly || staff.role === "admin");
  return (
    <div className="admin">
      <div className="admin-bar">
        <AppLink to="/admin" className="admin-home">
          <strong>管理画面</strong>
        </AppLink>
        <MenuToggle id="admin-menu" label="管理メニュー" className="admin-menu">
          <nav aria-label="管理画面">
            {areas.map((a) => (
              <AppNavLink key={a.to} to={a.to}>
                {a.label}
              </AppNavLink>
            ))}
          </nav>
          <span className="admin-user">
            {staff.name || staff.email}({staff.roleLabel})
          </span>
          <AppLink to="/admin/password">パスワード変更</AppLink>
          {/* A plain form, as the customers' ログアウト (root.tsx): the login page loads whole. */}
          <form method="post" action="/admin/logout">
            <button type="submit" className="link-button">
              ログアウト
            </button>
          </form>
        </MenuToggle>
      </div>
      <Outlet />
    </div>
  );
}
