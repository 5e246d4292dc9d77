import { tokyoDateString } from "../../server/lib/format";
import type { ServiceDeps } from "../../server/services/deps";
import { createAccount } from "../../server/services/identity/accounts";
import { submitApplication } from "../../server/services/ordering/applications";
import { insertProducts } from "../../server/services/ordering/catalog";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { createTemplate } from "../../server/services/ordering/templates";
import { DEMO_PRODUCTS } from "./catalog-data";

/** The demo account named in the README's quick start. */
export const DEMO = {
  loginId: "demo",
  companyName: "デモ計測株式会社",
  email: "demo@example.com",
  userName: "テスト担当者1",
  password: "Sample-2026",
} as const;

/** The demo catalog (server/services/catalog-data.ts) when the database has no product yet. Returns how many. */
export async function seedCatalog(deps: ServiceDeps): Promise<number> {
  const any = await deps.db.selectFrom("products").select("id").limit(1).executeTakeFirst();
  if (any) return 0;
  await deps.db.transaction().execute((trx) => insertProducts(trx, deps.clock.now(), DEMO_PRODUCTS));
  return DEMO_PRODUCTS.length;
}

const SYSTEM = { ip: null, userAgent: "seed" };

/**
 * Creates the demo account when the database has no account yet: a delivery template, a quote request,
 * and two orders that the back office has arranged, so レンタル中の注文 has something to cancel.
 * Returns its login ID, or null.
 */
export async function seedDemo(deps: ServiceDeps): Promise<string | null> {
  await seedCatalog(deps);
  const any = await deps.db.selectFrom("accounts").select("id").limit(1).executeTakeFirst();
  if (any) return null;
  const { accountId, userId } = await createAccount(deps, {
    loginId: DEMO.loginId,
    companyName: DEMO.companyName,
    email: DEMO.email,
    userName: DEMO.userName,
    permanentPassword: DEMO.password,
  });
  const actor = { accountId, userId };
  const delivery = {
    company: DEMO.companyName,
    department: "開発部 評価課",
    person: DEMO.userName,
    postalCode: "105-0011",
    address: "東京都港区芝公園4-2-8",
    building: "デモビル 5F",
    phone: "03-1234-5678",
  };
  await createTemplate(deps, actor, { name: "本社 開発部", ...delivery }, SYSTEM);
  const pick = async (modelNo: string) =>
    (await deps.db.selectFrom("products").select("id").where("model_no", "=", modelNo).executeTakeFirstOrThrow()).id;
  const products = await deps.db
    .selectFrom("products")
    .select(["id", "model_no"])
    .orderBy("model_no")
    .limit(6)
    .execute();
  const firstOf = async (modelNo: string, fallback: number) => {
    try {
      return await pick(modelNo);
    } catch {
      return products[fallback]?.id ?? (products[0]?.id as string);
    }
  };
  const today = tokyoDateString(deps.clock.now());
  const base = { startDate: today, periodUnit: "month" as const, delivery, notes: "", poNumber: "" };
  const orders: [string, { productId: string; quantity: number }[]][] = [
    [
      "demo-order-0001-seed",
      [
        { productId: await firstOf("DSOX1204G", 0), quantity: 3 },
        { productId: await firstOf("87V", 1), quantity: 5 },
      ],
    ],
    ["demo-order-0002-seed", [{ productId: await firstOf("PWR801L", 2), quantity: 2 }]],
  ];
  for (const [key, lines] of orders) {
    const { number } = await submitApplication(
      deps,
      actor,
      { ...base, kind: "order", lines, period: 3, poNumber: "PO-DEMO", idempotencyKey: key },
      SYSTEM,
    );
    await deps.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", number).execute();
    await arrangeOrder(deps, number, { type: "system" });
  }
  await submitApplication(
    deps,
    actor,
    {
      ...base,
      kind: "quote",
      lines: [{ productId: await firstOf("MS2830A", 3), quantity: 1 }],
      period: 1,
      idempotencyKey: "demo-quote-0001-seed",
    },
    SYSTEM,
  );
  return DEMO.loginId;
}
