import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokyoDateString } from "../../server/lib/format";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { allProcedures } from "../support/router-inputs";
import { DELIVERY } from "../support/samples";
import { signedInStaff } from "../support/staff";

/**
 * SPEC §8 audit, issue 11: EVERY staff action is in the audit log, with the staff member as actor. The
 * test walks the root router: every mutation of the back office's routers (`staff`, `backoffice…`) must
 * have a case below — a new one without a case fails the first test — and each case, called through
 * the caller as a signed-in admin, must add an audit_events row with actor_type staff and that admin's
 * id. The staff sign-in (`staffAuth`) is public and audited by its own tests (staff-auth.test.ts).
 */

const isBackOffice = (path: string) => /^(staff|backoffice[A-Z]\w*)\./.test(path);
const isMutation = (path: string) =>
  (allProcedures[path] as unknown as { _def: { type: string } })._def.type === "mutation";

/** Mutations that change nothing, so record nothing: each with why. */
const WRITES_NOTHING: Record<string, string> = {
  "backofficeAccounts.previewMemberImport": "確認 only reads the file and shows the preview",
  "backofficeProducts.previewCsv": "確認 only reads the file and shows the preview",
};

/** 商品管理's form as its action sends it (text). */
const PRODUCT_FORM = {
  modelNo: "NEW-0001",
  maker: "テスト計測",
  name: "新しい測定器",
  category: "テスト",
  specSummary: "",
  dailyPrice: "1000",
  monthlyPrice: "12000",
};

const A = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const ADMIN = { email: "admin@example.jp", password: "Staff-2026b" };

interface Fixture {
  accountId: string;
  ownerId: string;
  pendingUserId: string;
  spareStaffId: string;
  productId: string;
  orderNumber: string;
  quoteNumber: string;
  quoteLineId: string;
  cancellationNumber: string;
  extensionNumber: string;
  failedNumber: string;
}

/** A sample input per staff mutation that makes it act (and so record). Order matters: suspend, then resume. */
const CASES: Record<string, (f: Fixture) => unknown> = {
  "staff.add": () => ({ email: "added@example.jp", name: "追加 四郎", role: "operator", password: "Staff-2026d" }),
  "staff.resetPassword": (f) => ({ id: f.spareStaffId, newPassword: "Staff-2026r", confirmPassword: "Staff-2026r" }),
  "staff.setStatus": (f) => ({ id: f.spareStaffId, status: "disabled" }),
  "backofficeApplications.arrange": (f) => ({ number: f.orderNumber }),
  "backofficeApplications.answerQuote": (f) => ({
    number: f.quoteNumber,
    unitPrices: { [f.quoteLineId]: "12000" },
    validUntil: tokyoDateString(new Date("2026-04-01T00:00:00Z")),
    comment: "",
  }),
  "backofficeApplications.confirmReturn": (f) => ({ number: f.cancellationNumber }),
  "backofficeApplications.confirmExtension": (f) => ({ number: f.extensionNumber }),
  "backofficeApplications.retryIntake": (f) => ({ number: f.failedNumber }),
  "backofficeAccounts.open": () => ({ loginId: "opened01", companyName: "開設商事", email: "opened@example.jp" }),
  "backofficeAccounts.unlockUser": (f) => ({ accountId: f.accountId, userId: f.ownerId }),
  "backofficeAccounts.resendSetupMail": (f) => ({ accountId: f.accountId, userId: f.pendingUserId }),
  "backofficeAccounts.requirePasswordChange": (f) => ({ accountId: f.accountId, userId: f.ownerId }),
  "backofficeAccounts.removeAuthenticator": (f) => ({ accountId: f.accountId, userId: f.ownerId }),
  "backofficeAccounts.suspend": (f) => ({ accountId: f.accountId }),
  "backofficeAccounts.resume": (f) => ({ accountId: f.accountId }),
  "backofficeProducts.create": () => PRODUCT_FORM,
  "backofficeProducts.update": (f) => ({ id: f.productId, ...PRODUCT_FORM, modelNo: "DSOX1204G", dailyPrice: "3100" }),
  "backofficeProducts.retire": (f) => ({ id: f.productId }),
  "backofficeProducts.resume": (f) => ({ id: f.productId }),
  "backofficeProducts.importCsv": () => ({
    file: Buffer.from(
      "型番,メーカー,商品名,カテゴリ,仕様,日額,月額\r\nCSV-0001,テスト計測,取込の測定器,テスト,,1000,12000\r\n",
    ).toString("base64"),
  }),
  "backofficeAccounts.importMembers": () => ({
    file: Buffer.from(
      "ログインID,会社名,メールアドレス,ユーザ名\r\nmigrated01,移行商事,migrated@example.jp,移行 一郎\r\n",
    ).toString("base64"),
  }),
};

describe("every staff mutation", () => {
  it("has a case here (or is listed as writing nothing)", () => {
    const staffMutations = Object.keys(allProcedures)
      .filter((p) => isBackOffice(p) && isMutation(p))
      .sort();
    expect(staffMutations.length).toBeGreaterThan(10);
    const missing = staffMutations.filter((p) => !(p in CASES) && !(p in WRITES_NOTHING));
    expect(
      missing,
      "a staff mutation must be audited: add a case to tests/integration/backoffice-audit-coverage.test.ts",
    ).toEqual([]);
    expect(
      Object.keys(CASES).filter((p) => !staffMutations.includes(p)),
      "stale case",
    ).toEqual([]);
  });
});

describe("each staff action records an audit row naming the staff member", () => {
  let h: Harness;
  let f: Fixture;
  let admin: TestBrowser;
  let adminId: string;
  let keys = 0;

  beforeAll(async () => {
    h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
    await insertProducts(h.db, h.clock.now(), [
      {
        modelNo: "DSOX1204G",
        maker: "キーサイト・テクノロジー",
        name: "デジタル・オシロスコープ 70MHz 4ch",
        category: "オシロスコープ",
        specSummary: "",
        dailyPrice: 3000,
        monthlyPrice: 36000,
      },
    ]);
    const productId = (await h.db.selectFrom("products").select("id").executeTakeFirstOrThrow()).id;
    const a = await createAccount(h.deps, { ...A, permanentPassword: PASSWORD });
    adminId = (await createStaff(h.deps, { ...ADMIN, role: "admin" })).staffId;
    const spare = await createStaff(h.deps, { email: "spare@example.jp", password: "Staff-2026c" });

    const customer = h.browser();
    await customer.call((c) => c.auth.login({ ...A, password: PASSWORD }));
    await customer.call((c) => c.users.add({ email: "hanako@example.jp" }));
    const pendingUserId = (
      await h.db
        .selectFrom("users")
        .select("id")
        .where("email_normalized", "=", "hanako@example.jp")
        .executeTakeFirstOrThrow()
    ).id;
    const submit = async (kind: "order" | "quote") => {
      const { number } = await customer.call((c) =>
        c.applications.submit({
          kind,
          lines: [{ productId, quantity: "2" }],
          startDate: tokyoDateString(h.clock.now()),
          periodUnit: "month",
          period: "1",
          delivery: DELIVERY,
          notes: "",
          poNumber: "",
          idempotencyKey: `coverage-key-${String(++keys).padStart(8, "0")}`,
        }),
      );
      await h.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", number).execute();
      return number;
    };
    const orderNumber = await submit("order");
    const quoteNumber = await submit("quote");
    const quoteLineId = (
      await h.db
        .selectFrom("application_lines")
        .innerJoin("applications", "applications.id", "application_lines.application_id")
        .select("application_lines.id")
        .where("applications.number", "=", quoteNumber)
        .executeTakeFirstOrThrow()
    ).id;
    const rented = await submit("order");
    const { rentalId } = await arrangeOrder(h.deps, rented, { type: "system" });
    const rental = await customer.call((c) => c.rentals.get({ id: rentalId }));
    const { number: cancellationNumber } = await customer.call((c) =>
      c.rentals.requestCancellation({
        rentalId,
        mode: "partial",
        quantities: Object.fromEntries(rental.lines.map((l) => [l.id, "1"])),
        returnDate: tokyoDateString(h.clock.now()),
        notes: "",
        idempotencyKey: `coverage-key-${String(++keys).padStart(8, "0")}`,
      }),
    );
    await h.db
      .updateTable("applications")
      .set({ intake_status: "accepted" })
      .where("number", "=", cancellationNumber)
      .execute();
    // 延長 of the same rental (due a month after today): one that staff can confirm.
    const { number: extensionNumber } = await customer.call((c) =>
      c.rentals.requestExtension({
        rentalId,
        endDate: "2026-06-15",
        notes: "",
        idempotencyKey: `coverage-key-${String(++keys).padStart(8, "0")}`,
      }),
    );
    await h.db
      .updateTable("applications")
      .set({ intake_status: "accepted" })
      .where("number", "=", extensionNumber)
      .execute();
    const failedNumber = await submit("order");
    await h.db
      .updateTable("applications")
      .set({ intake_status: "failed" })
      .where("number", "=", failedNumber)
      .execute();
    // The owner's 認証アプリ, for 認証アプリ解除.
    await h.db
      .insertInto("user_totp")
      .values({
        user_id: a.userId,
        secret_sealed: h.deps.secrets.seal(new Uint8Array(20), a.userId),
        confirmed_at: h.clock.now().toISOString(),
        last_step: 0,
        created_at: h.clock.now().toISOString(),
      })
      .execute();

    f = {
      accountId: a.accountId,
      ownerId: a.userId,
      pendingUserId,
      spareStaffId: spare.staffId,
      productId,
      orderNumber,
      quoteNumber,
      quoteLineId,
      cancellationNumber,
      extensionNumber,
      failedNumber,
    };

    admin = await signedInStaff(h, ADMIN, { ip: "198.51.100.9" });
  });
  afterAll(async () => {
    await h?.close();
  });

  const staffRows = () =>
    h.db
      .selectFrom("audit_events")
      .select(["id", "action", "actor_type", "actor_id", "ip"])
      .where("actor_id", "=", adminId)
      .execute();

  it.each(Object.keys(CASES))("%s", async (path) => {
    const before = new Set((await staffRows()).map((r) => r.id));
    await admin.call((caller) => {
      const procedure = path
        .split(".")
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
        input: unknown,
      ) => Promise<unknown>;
      return procedure(CASES[path]?.(f));
    });
    const added = (await staffRows()).filter((r) => !before.has(r.id));
    expect(added.length, `${path} recorded no audit row as the staff member`).toBeGreaterThan(0);
    for (const row of added) expect(row).toMatchObject({ actor_type: "staff", actor_id: adminId, ip: "198.51.100.9" });
  });

  it("the CSV export (a query) is recorded too", async () => {
    const before = (await staffRows()).length;
    await admin.call((c) => c.backofficeAudit.csvChunk({ cursor: null }));
    const rows = await staffRows();
    expect(rows.length).toBe(before + 1);
    expect(rows.map((r) => r.action)).toContain("audit.export");
  });
});
