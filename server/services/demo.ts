import { createAccount } from "./accounts";
import type { ServiceDeps } from "./deps";

/** The demo account named in the README's quick start. */
export const DEMO = {
  loginId: "demo",
  companyName: "デモ計測株式会社",
  email: "demo@example.com",
  userName: "テスト担当者1",
  password: "Sample-2026",
} as const;

/** Creates the demo account when the database has no account yet. Returns its login ID, or null. */
export async function seedDemo(deps: ServiceDeps): Promise<string | null> {
  const any = await deps.db.selectFrom("accounts").select("id").limit(1).executeTakeFirst();
  if (any) return null;
  await createAccount(deps, {
    loginId: DEMO.loginId,
    companyName: DEMO.companyName,
    email: DEMO.email,
    userName: DEMO.userName,
    permanentPassword: DEMO.password,
  });
  return DEMO.loginId;
}
