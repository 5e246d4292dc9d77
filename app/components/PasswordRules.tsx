import { useRouteLoaderData } from "@remix-run/react";
import type { loader as rootLoader } from "~/root";

/** パスワード入力の注意事項: the rules, shown above every form that sets a password. */
export function PasswordRules() {
  const rules = useRouteLoaderData<typeof rootLoader>("root")?.site.passwordRules ?? [];
  return (
    <section className="rules" aria-labelledby="password-rules-heading">
      <h3 id="password-rules-heading">パスワード入力の注意事項</h3>
      <ul>
        {rules.map((rule) => (
          <li key={rule}>{rule}</li>
        ))}
      </ul>
    </section>
  );
}
