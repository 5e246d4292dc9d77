import fs from "node:fs";
import { z } from "zod";
import { tokyoDateString } from "../../server/lib/format";
import { projectPath } from "../../server/lib/paths";
import { createStaff } from "../../server/services/backoffice/staff";
import type { ServiceDeps } from "../../server/services/deps";
import { createAccount } from "../../server/services/identity/accounts";
import { submitApplication } from "../../server/services/ordering/applications";
import { importProducts } from "../../server/services/ordering/product-import";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { createTemplate } from "../../server/services/ordering/templates";

// The demo is data (products.csv, demo.json) loaded through the services staff and customers use, so it
// can never hold what they could not enter.
// Found from the project root, so the compiled server (build/server/) reads the same files.
const DEMO_CATALOG_FILE = projectPath("db/seed/products.csv");
const DEMO_ACCOUNT_FILE = projectPath("db/seed/demo.json");

const text = z.string();
const demoSchema = z.object({
  account: z.object({
    loginId: text,
    companyName: text,
    user: z.object({ email: text, name: text, password: text }),
  }),
  /** A staff member for trying the back office (/admin/login) on one box; the mailed code is in the mailbox. */
  staff: z.object({ email: text, name: text, password: text, role: z.enum(["admin", "operator"]) }),
  templates: z.array(
    z.object({
      name: text,
      company: text,
      department: text,
      person: text,
      postalCode: text,
      address: text,
      building: text,
      phone: text,
    }),
  ),
  applications: z.array(
    z.object({
      kind: z.enum(["quote", "order"]),
      idempotencyKey: text,
      /** The name of one of `templates`: the delivery address. */
      template: text,
      periodUnit: z.enum(["day", "month"]),
      period: z.number(),
      poNumber: text,
      notes: text,
      /** An order the back office has arranged (手配済), so レンタル中の注文 has something to cancel. */
      arranged: z.boolean(),
      lines: z.array(z.object({ modelNo: text, quantity: z.number() })),
    }),
  ),
});

let loaded: z.infer<typeof demoSchema> | undefined;

/** db/seed/demo.json, read and checked on first use (a server with SEED_DEMO=false never reads it). */
function demoData(): z.infer<typeof demoSchema> {
  loaded ??= demoSchema.parse(JSON.parse(fs.readFileSync(DEMO_ACCOUNT_FILE, "utf8")));
  return loaded;
}

/** The demo account named in the README's quick start. */
export function demoAccount() {
  const { account } = demoData();
  return {
    loginId: account.loginId,
    companyName: account.companyName,
    email: account.user.email,
    userName: account.user.name,
    password: account.user.password,
  };
}

/** The demo staff member named in the README's quick start. */
export function demoStaff() {
  return demoData().staff;
}

const SYSTEM = { ip: null, userAgent: "seed" };

/**
 * Imports db/seed/products.csv through 商品管理's CSV import when the database has no product yet (so staff
 * edits to a running catalog are never overwritten). Returns how many products it added.
 */
export async function seedCatalog(deps: ServiceDeps): Promise<number> {
  const any = await deps.db.selectFrom("products").select("id").limit(1).executeTakeFirst();
  if (any) return 0;
  const result = await importProducts(deps, fs.readFileSync(DEMO_CATALOG_FILE), { type: "system" });
  if (!result.ok) {
    throw new Error(`${DEMO_CATALOG_FILE}:\n${result.errors.map((e) => e.message).join("\n")}`);
  }
  return result.inserted;
}

/**
 * Creates the demo account of db/seed/demo.json when the database has no account yet: its user, delivery
 * templates, and applications (orders arranged by the back office where it says so).
 * Returns its login ID, or null.
 */
export async function seedDemo(deps: ServiceDeps): Promise<string | null> {
  await seedCatalog(deps);
  const any = await deps.db.selectFrom("accounts").select("id").limit(1).executeTakeFirst();
  if (any) return null;
  const demo = demoData();
  const { account } = demo;
  const { accountId, userId } = await createAccount(deps, {
    loginId: account.loginId,
    companyName: account.companyName,
    email: account.user.email,
    userName: account.user.name,
    permanentPassword: account.user.password,
  });
  const actor = { accountId, userId };
  const noStaff = !(await deps.db.selectFrom("staff").select("id").limit(1).executeTakeFirst());
  if (noStaff) await createStaff(deps, demo.staff);
  for (const template of demo.templates) await createTemplate(deps, actor, template, SYSTEM);

  const today = tokyoDateString(deps.clock.now());
  for (const { template, arranged, lines, ...application } of demo.applications) {
    const delivery = demo.templates.find((t) => t.name === template);
    if (!delivery) throw new Error(`${DEMO_ACCOUNT_FILE}: no template named "${template}"`);
    const { number } = await submitApplication(
      deps,
      actor,
      { ...application, startDate: today, delivery, lines: await productLines(deps, lines) },
      SYSTEM,
    );
    if (arranged) {
      // What the intake worker would do before staff can arrange the order.
      await deps.db
        .updateTable("applications")
        .set({ intake_status: "accepted" })
        .where("number", "=", number)
        .execute();
      await arrangeOrder(deps, number, { type: "system" });
    }
  }
  return account.loginId;
}

/**
 * Lines by 型番 → by product id. A database whose catalog did not come from products.csv may lack a 型番:
 * another product on sale takes its place, so the demo still has its applications.
 */
async function productLines(deps: ServiceDeps, lines: { modelNo: string; quantity: number }[]) {
  const onSale = await deps.db
    .selectFrom("products")
    .select(["id", "model_no"])
    .where("active", "=", 1)
    .orderBy("model_no")
    .execute();
  const used = new Set<string>();
  return lines.map(({ modelNo, quantity }) => {
    const product = onSale.find((p) => p.model_no === modelNo) ?? onSale.find((p) => !used.has(p.id));
    if (!product) throw new Error("the demo needs products on sale: the catalog is empty");
    used.add(product.id);
    return { productId: product.id, quantity };
  });
}
