/**
 * The HTTP bench's data set (issue 13 item 1), written to a throwaway database before the server starts:
 * - `products` generated products through `insertProducts` (the search index written as in production);
 * - the customer account "bench" (known password, no MFA, no forced change) and `otherAccounts` more, through
 *   `createAccount` (the others share one argon2 hash, computed once: a thousand hashes would take minutes);
 * - `applications` applications of "bench" and 5 of each other account: direct batched inserts shaped as
 *   `submitApplication` writes them (applications + application_lines with list_price, numbers per kind and
 *   year, number_sequences left where the next submission continues), all 受付済 or 受付失敗 so the intake
 *   worker stays idle while the bench runs;
 * - `rentals` of those orders arranged through `arrangeOrder` (rentals, rental lines, 手配完了 mails);
 * - one admin through `createStaff`, and `auditEvents` audit events through `recordAudit`.
 * The mails the set-up queued are dropped at the end, so the mail worker is idle too.
 */
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import { createDb, dialectOf, migrateToLatest } from "../../db";
import type { ApplicationKind, ApplicationLineTable, ApplicationTable } from "../../db/schema";
import { loadConfig } from "../../server/config";
import { iso, systemClock } from "../../server/lib/clock";
import { tokyoDateString } from "../../server/lib/format";
import { MailRenderer } from "../../server/mail/render";
import { buildDeps } from "../../server/runtime";
import { recordAudit } from "../../server/services/audit";
import { createStaff } from "../../server/services/backoffice/staff";
import type { ServiceDeps } from "../../server/services/deps";
import { createAccount } from "../../server/services/identity/accounts";
import { emptyApplication } from "../../server/services/ordering/applications";
import { insertProducts, type ProductFields } from "../../server/services/ordering/catalog";
import { catalogPrice } from "../../server/services/ordering/pricing";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { generateProducts, int, pick, random, reseed } from "./catalog-data";

export interface DataScale {
  products: number;
  applications: number;
  rentals: number;
  otherAccounts: number;
  auditEvents: number;
}

export const FULL_SCALE: DataScale = {
  products: 50_000,
  applications: 100_000,
  rentals: 200,
  otherAccounts: 1_000,
  auditEvents: 10_000,
};

export const QUICK_SCALE: DataScale = {
  products: 5_000,
  applications: 10_000,
  rentals: 20,
  otherAccounts: 100,
  auditEvents: 1_000,
};

export const CUSTOMER = {
  loginId: "bench",
  email: "bench@example.jp",
  password: "Kizai-2026a",
  companyName: "株式会社 ベンチ計測",
};
/** The other accounts: member0001 … with member0001@example.jp; the login POSTs sign in as these. */
export const memberLogin = (i: number) => ({
  loginId: `member${String(i + 1).padStart(4, "0")}`,
  email: `member${String(i + 1).padStart(4, "0")}@example.jp`,
  password: CUSTOMER.password,
});
export const STAFF = { email: "bench-admin@example.jp", password: "Kanri-2026b", name: "ベンチ 管理者" };

export interface BenchData {
  products: ProductFields[];
  productIds: string[];
  timings: Record<string, number>;
}

const DELIVERY = {
  delivery_company: CUSTOMER.companyName,
  delivery_department: "技術部",
  delivery_person: "山田 太郎",
  delivery_postal_code: "100-0001",
  delivery_address: "東京都千代田区千代田1-1",
  delivery_building: "ベンチビル3階",
  delivery_phone: "03-1234-5678",
};

export async function buildBenchData(
  databaseUrl: string,
  pepper: string,
  scale: DataScale,
  log: (m: string) => void,
): Promise<BenchData> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, PEPPER: pepper, MAIL_TRANSPORT: "mailbox" });
  const db = createDb(config.databaseUrl, { poolSize: 4 });
  const timings: Record<string, number> = {};
  const timed = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await fn();
    timings[label] = (performance.now() - t0) / 1000;
    log(`  ${label}: ${timings[label].toFixed(1)} s`);
    return result;
  };
  try {
    await migrateToLatest(db);
    const renderer = await MailRenderer.compile(config.site);
    const deps: ServiceDeps = buildDeps(config, db, renderer, pepper, systemClock);
    const now = new Date();

    reseed();
    const products = generateProducts(scale.products);
    const productIds = await timed(`${scale.products} products (insertProducts)`, () =>
      db.transaction().execute(async (trx) => {
        const ids: string[] = [];
        for (let i = 0; i < products.length; i += 1000)
          ids.push(...(await insertProducts(trx, now, products.slice(i, i + 1000))));
        return ids;
      }),
    );

    const accounts = await timed(
      `${scale.otherAccounts + 1} accounts (createAccount), 1 staff (createStaff)`,
      async () => {
        const main = await createAccount(deps, {
          loginId: CUSTOMER.loginId,
          companyName: CUSTOMER.companyName,
          email: CUSTOMER.email,
          userName: "山田 太郎",
          permanentPassword: CUSTOMER.password,
        });
        await createStaff(deps, { ...STAFF, role: "admin" });
        // One argon2 hash for every member account (the same password): the services otherwise unchanged.
        const hash = await deps.hasher.hash(CUSTOMER.password);
        const sharedHash = Object.assign(Object.create(Object.getPrototypeOf(deps.hasher)), deps.hasher, {
          hash: async () => hash,
        });
        const fast: ServiceDeps = { ...deps, hasher: sharedHash };
        const others = [];
        for (let i = 0; i < scale.otherAccounts; i++) {
          const m = memberLogin(i);
          others.push(
            await createAccount(fast, {
              loginId: m.loginId,
              companyName: `株式会社 ${pick(["東和", "富士", "関東", "青葉", "北斗"])}${pick(["計測", "電機", "建設"])}${i}`,
              email: m.email,
              userName: `担当 ${i}`,
              permanentPassword: m.password,
            }),
          );
        }
        return { main, others };
      },
    );

    await timed(`${scale.applications + 5 * scale.otherAccounts} applications (direct inserts)`, () =>
      db.transaction().execute(async (trx) => {
        const counters = new Map<string, number>();
        const numberOf = (kind: ApplicationKind, at: Date) => {
          const year = Number(tokyoDateString(at).slice(0, 4));
          const key = `${kind}|${year}`;
          const value = (counters.get(key) ?? 0) + 1;
          counters.set(key, value);
          return `${kind === "quote" ? "Q" : "O"}-${year}-${String(value).padStart(6, "0")}`;
        };
        const owners = [
          ...Array.from({ length: scale.applications }, () => accounts.main),
          ...accounts.others.flatMap((o) => [o, o, o, o, o]),
        ];
        // Oldest first, one a minute up to now (the numbers grow with the time, as submissions give them).
        const step = 60_000;
        const start = now.getTime() - owners.length * step;
        let apps: ApplicationTable[] = [];
        let lines: ApplicationLineTable[] = [];
        const flush = async () => {
          for (let i = 0; i < apps.length; i += 400)
            await trx
              .insertInto("applications")
              .values(apps.slice(i, i + 400))
              .execute();
          for (let i = 0; i < lines.length; i += 800)
            await trx
              .insertInto("application_lines")
              .values(lines.slice(i, i + 800))
              .execute();
          apps = [];
          lines = [];
        };
        // The bench account's applications shuffled among the others' (the staff list sees both).
        const order = owners.map((owner) => ({ owner, key: random() }));
        order.sort((a, b) => a.key - b.key);
        for (let i = 0; i < order.length; i++) {
          const owner = (order[i] as (typeof order)[number]).owner;
          const at = new Date(start + i * step);
          const kind: "quote" | "order" = random() < 0.6 ? "order" : "quote";
          const id = `bench${String(i).padStart(10, "0")}`;
          const number = numberOf(kind, at);
          const periodUnit = random() < 0.7 ? ("day" as const) : ("month" as const);
          const failed = random() < 0.1;
          const answered = kind === "quote" && !failed && random() < 0.5;
          apps.push({
            ...emptyApplication(id, number, owner, kind, `bench-key-${String(i).padStart(10, "0")}`, at),
            ...DELIVERY,
            intake_status: failed ? ("failed" as const) : ("accepted" as const),
            intake_attempts: 1,
            intake_error: failed ? "受付システムがお申し込みを受け付けませんでした。" : null,
            start_date: tokyoDateString(at),
            period_unit: periodUnit,
            period: periodUnit === "day" ? int(1, 30) : int(1, 12),
            po_number: random() < 0.3 ? `PO-${int(10000, 99999)}` : "",
            answered_at: answered ? iso(new Date(at.getTime() + 3_600_000)) : null,
            answered_by: answered ? "system" : null,
            valid_until: answered ? tokyoDateString(new Date(at.getTime() + 30 * 86_400_000)) : null,
          });
          const count = int(1, 3);
          for (let n = 0; n < count; n++) {
            const p = Math.floor(random() * products.length);
            const product = products[p] as ProductFields;
            lines.push({
              id: `${id}-${n + 1}`,
              application_id: id,
              line_no: n + 1,
              product_id: productIds[p] as string,
              model_no: product.modelNo,
              product_name: product.name,
              quantity: int(1, 5),
              rental_line_id: null,
              list_price: catalogPrice(product, periodUnit).unitPrice,
              unit_price: answered ? catalogPrice(product, periodUnit).unitPrice * 2 : null,
            });
          }
          if (apps.length >= 4000) await flush();
        }
        await flush();
        for (const [key, last] of counters) {
          const [kind, year] = key.split("|") as [ApplicationKind, string];
          await trx
            .insertInto("number_sequences")
            .values({ kind, year: Number(year), last_value: last })
            .onConflict((oc) => oc.columns(["kind", "year"]).doUpdateSet({ last_value: last }))
            .execute();
        }
      }),
    );

    await timed(`${scale.rentals} rentals (arrangeOrder)`, async () => {
      const orders = await db
        .selectFrom("applications")
        .select("number")
        .where("account_id", "=", accounts.main.accountId)
        .where("kind", "=", "order")
        .where("intake_status", "=", "accepted")
        .orderBy("created_at", "desc")
        .limit(scale.rentals)
        .execute();
      for (const { number } of orders) await arrangeOrder(deps, number, { type: "system" });
    });

    await timed(`${scale.auditEvents} audit events (recordAudit)`, () =>
      db.transaction().execute(async (trx) => {
        const actions = ["auth.login", "auth.login", "auth.logout", "application.order", "application.quote"];
        for (let i = 0; i < scale.auditEvents; i++) {
          const who = pick([accounts.main, ...accounts.others.slice(0, 50)]);
          const action = pick(actions);
          await recordAudit(
            trx,
            systemClock,
            who,
            { ip: `203.0.113.${int(1, 254)}`, userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0" },
            action,
            { target: action.startsWith("application") ? `O-2026-${String(i + 1).padStart(6, "0")}` : undefined },
          );
        }
      }),
    );
    // The set-up's mails (手配完了, …): not part of what is measured.
    await db.deleteFrom("mail_outbox").execute();
    // PostgreSQL: statistics as autovacuum would have them on a database that grew to this size.
    if (dialectOf(db) === "postgres") await timed("vacuum analyze", () => sql`vacuum analyze`.execute(db));
    return { products, productIds, timings };
  } finally {
    await db.destroy();
  }
}
