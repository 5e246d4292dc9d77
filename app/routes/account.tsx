import { Outlet } from "@remix-run/react";
import { AccountTabs } from "~/components/AccountTabs";

/**
 * The frame of the お客様情報 pages. It has no loader: each page's own loader sends a visitor who is not signed in
 * to /login (`requireCustomer`), as its data needs a customer anyway. A loader here, only for that check, cost
 * every お客様情報 page one more loader (Remix turns its answer into a Response and reads it back; decision 019).
 * `tests/integration/http.test.ts` requests every page of the frame signed out.
 */
export default function AccountLayout() {
  return (
    <section className="card wide">
      <h1>お客様情報</h1>
      <AccountTabs />
      <Outlet />
    </section>
  );
}
