import { useRouteLoaderData } from "@remix-run/react";
import type { loader as rootLoader } from "~/root";

/**
 * パスワード入力の注意事項: the rules, shown above every form that sets a password. `level` 2 where the page's
 * form sits right under its h1, 3 inside a titled section (お客様情報設定's パスワード変更).
 */
export function PasswordRules({ level = 3 }: { level?: 2 | 3 } = {}) {
  const Heading = level === 2 ? "h2" : "h3";
  const rules = useRouteLoaderData<typeof rootLoader>("root")?.site.passwordRules ?? [];
  return (
    <section className="rules" aria-labelledby="password-rules-heading">
      <Heading id="password-rules-heading">パスワード入力の注意事項</Heading>
      <ul>
        {rules.map((rule) => (
          <li key={rule}>{rule}</li>
        ))}
      </ul>
    </section>
  );
}
