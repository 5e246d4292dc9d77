import type { LoaderFunctionArgs } from "@remix-run/node";
import { Outlet } from "@remix-run/react";
import { AccountTabs } from "~/components/AccountTabs";
import { requireCustomer } from "~/utils/auth.server";

export async function loader({ context, request }: LoaderFunctionArgs) {
  await requireCustomer(context, request);
  return null;
}

export default function AccountLayout() {
  return (
    <section className="card wide">
      <h1>お客様情報</h1>
      <AccountTabs />
      <Outlet />
    </section>
  );
}
