import type { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { tokyoDateString } from "../../server/lib/format";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { ADMIN_ONLY, PASSWORD_CHANGE_REQUIRED, SIGN_IN_REQUIRED, STAFF_SIGN_IN_REQUIRED } from "../../server/trpc/init";
import { failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { allProcedures, proceduresWithInput } from "../support/router-inputs";
import { DELIVERY } from "../support/samples";

/**
 * Isolation (SPEC §8): who may call each procedure of the root router, and that an account never
 * reaches another account's objects. One table lists EVERY procedure of `appRouter`; a procedure added
 * to the router without a row here (or a row left after its procedure went) fails the first test.
 *
 * - Every caller the table says may not call a procedure is refused by the gate, with its code and
 *   message, before the input or the database is read, and nothing changes.
 * - Every caller it says may call one gets past the gate, with an input its schema accepts.
 * - Account B calling any signed-in procedure with account A's input: a procedure whose input names
 *   one of A's objects answers NOT_FOUND and changes nothing at all; every other one changes none of
 *   A's rows, and no answer holds anything of A's.
 *
 * The back office's callers are staff members signed in as staff sign in (/admin/login: password, then
 * the mailed code, a session in the staff cookie): an operator (`staff`) and an admin (`admin`). They
 * are refused by every customer procedure, and customers by every staff one (access levels `staff`
 * and `admin`); an operator is refused the admin-only ones.
 */

// ---------------------------------------------------------------------------------------------------
// Who calls, and what each access level lets them do.

/** The kinds of caller: one more kind of session is one more entry here, and TypeScript asks ACCESS. */
const CALLERS = ["anonymous", "forcedChange", "staff", "admin", "customer"] as const;
type Caller = (typeof CALLERS)[number];

interface Refusal {
  code: TRPCError["code"];
  message: string;
}
const SIGN_IN: Refusal = { code: "UNAUTHORIZED", message: SIGN_IN_REQUIRED };
const CHANGE_FIRST: Refusal = { code: "FORBIDDEN", message: PASSWORD_CHANGE_REQUIRED };
const STAFF_SIGN_IN: Refusal = { code: "UNAUTHORIZED", message: STAFF_SIGN_IN_REQUIRED };
const ADMINS_ONLY: Refusal = { code: "FORBIDDEN", message: ADMIN_ONLY };

/** The procedure bases of server/trpc/init.ts. */
type Access = "public" | "signedIn" | "customer" | "staff" | "admin";

/** Per access level, per caller: allowed, or the refusal the gate answers. */
const ACCESS: Record<Access, Record<Caller, "allowed" | Refusal>> = {
  public: { anonymous: "allowed", forcedChange: "allowed", staff: "allowed", admin: "allowed", customer: "allowed" },
  /** A signed-in customer, even one who must still change the temporary password. */
  signedIn: { anonymous: SIGN_IN, forcedChange: "allowed", staff: SIGN_IN, admin: SIGN_IN, customer: "allowed" },
  /** A signed-in customer free to use the site. A staff session is no customer's sign-in. */
  customer: { anonymous: SIGN_IN, forcedChange: CHANGE_FIRST, staff: SIGN_IN, admin: SIGN_IN, customer: "allowed" },
  /** Any active staff member. A customer's session is no staff sign-in. */
  staff: {
    anonymous: STAFF_SIGN_IN,
    forcedChange: STAFF_SIGN_IN,
    staff: "allowed",
    admin: "allowed",
    customer: STAFF_SIGN_IN,
  },
  /** A staff member with the admin role (staff management). */
  admin: {
    anonymous: STAFF_SIGN_IN,
    forcedChange: STAFF_SIGN_IN,
    staff: ADMINS_ONLY,
    admin: "allowed",
    customer: STAFF_SIGN_IN,
  },
};

// ---------------------------------------------------------------------------------------------------
// The objects two accounts hold, and the table.

/** An account's own objects: another account's id must be "not found". The catalog is shared by all. */
type Owned = "template" | "user" | "rental" | "application";
type IdNames = Owned | "product" | "staff" | "account";

/** A customer's session is minted as sign-in starts it; a staff member signs in (password, mailed code). */
type Principal = { kind: "customer"; id: string } | { kind: "staff"; email: string; password: string };

interface Fixture {
  productId: string;
  /** A staff member no caller is: what staff.setStatus may act on. */
  spareStaffId: string;
  /** Whose session each caller kind holds (anonymous: none). */
  principals: Record<Caller, Principal | null>;
  /** Account A: every object kind, owned by the `customer` caller. */
  a: {
    accountId: string;
    ownerId: string;
    pendingUserId: string;
    templateId: string;
    orderNumber: string;
    quoteNumber: string;
    rentalId: string;
    lineIds: string[];
  };
  /** Account B, the other account: a rental of its own. */
  b: { userId: string; rentalId: string };
  /** What only account A's rows and answers hold: its ids, numbers and addresses. */
  markers: string[];
}

const A = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const B = { loginId: "other01", companyName: "別会社", email: "jiro@example.jp" };
const FORCED = { loginId: "fresh01", companyName: "新規商事", email: "first@example.jp" };
const PASSWORD = "Rental-2026";
const NEW_PASSWORD = "Kqmzrtw7-2026";
const TOKEN = "a".repeat(43);
const TODAY = "2026-04-01"; // the harness clock's day in Japan

let keys = 0;
const newKey = () => `isolation-key-${String(++keys).padStart(8, "0")}`;

/** The 注文 form as its action sends it (text). */
const order = (f: Fixture, kind: "order" | "quote" = "order") => ({
  kind,
  lines: [{ productId: f.productId, quantity: "1" }],
  startDate: TODAY,
  periodUnit: "month" as const,
  period: "1",
  delivery: DELIVERY,
  notes: "",
  poNumber: "",
  idempotencyKey: newKey(),
});

/** 一部解約 of account A's rental (or `rentalId`), one of A's first line. */
const cancel = (f: Fixture, rentalId = f.a.rentalId) => ({
  rentalId,
  mode: "partial" as const,
  quantities: { [f.a.lineIds[0] as string]: "1" },
  returnDate: TODAY,
  notes: "",
  idempotencyKey: newKey(),
});

/** 延長 of account A's rental (or `rentalId`). */
const extend = (f: Fixture, rentalId = f.a.rentalId) => ({
  rentalId,
  endDate: "2027-01-15",
  notes: "",
  idempotencyKey: newKey(),
});

const template = (name: string) => ({ name, ...DELIVERY });

/** 会員データ移行's file as its action sends it (base64): one new account. */
const MEMBER_CSV = Buffer.from(
  "ログインID,会社名,メールアドレス,ユーザ名\r\nmigrated01,移行商事,migrated@example.jp,移行 一郎\r\n",
).toString("base64");

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

/** 商品管理's CSV as its action sends it (base64): one new product. */
const PRODUCT_CSV = Buffer.from(
  "型番,メーカー,商品名,カテゴリ,仕様,日額,月額\r\nCSV-0001,テスト計測,取込の測定器,テスト,,1000,12000\r\n",
).toString("base64");

interface Row {
  access: Access;
  /** A valid-shaped input: account A's objects wherever it takes an id (none: no input). */
  input?: (f: Fixture) => unknown;
  /** What the ids in its input name: one of the caller's account's objects, or the shared catalog. */
  ids?: IdNames;
}

/** EVERY procedure of appRouter, by path. */
const TABLE: Record<string, Row> = {
  "site.info": { access: "public" },

  "auth.login": { access: "public", input: () => ({ loginId: A.loginId, email: A.email, password: PASSWORD }) },
  "auth.otpChallenge": { access: "public" },
  "auth.verifyOtp": { access: "public", input: () => ({ code: "123456" }) },
  "auth.resendOtp": { access: "public" },
  "auth.verifyRecoveryCode": { access: "public", input: () => ({ recoveryCode: "abcde-fghij" }) },
  "auth.logout": { access: "public" },
  "auth.me": { access: "public" },
  "auth.requireCustomer": { access: "customer" },
  "auth.requestPasswordReset": { access: "public", input: () => ({ loginId: A.loginId, email: A.email }) },
  "auth.resetTokenValid": { access: "public", input: () => ({ token: TOKEN }) },
  "auth.resetPassword": {
    access: "public",
    input: () => ({ token: TOKEN, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
  },
  "auth.loginReportInfo": { access: "public", input: () => ({ token: TOKEN }) },
  "auth.reportLogin": { access: "public", input: () => ({ token: TOKEN }) },

  "account.settings": { access: "customer" },
  "account.security": { access: "customer" },
  "account.endSession": { access: "customer", input: () => ({ handle: "0".repeat(64) }) },
  "account.endOtherSessions": { access: "customer" },
  "account.startAuthenticator": { access: "customer" },
  "account.cancelAuthenticator": { access: "customer" },
  "account.confirmAuthenticator": { access: "customer", input: () => ({ code: "000000" }) },
  "account.regenerateRecoveryCodes": { access: "customer", input: () => ({ currentPassword: "Wrong-2026" }) },
  "account.removeAuthenticator": { access: "customer", input: () => ({ currentPassword: "Wrong-2026" }) },
  // The confirmation differs, so a caller the gate lets through is refused by the service and the
  // forced-change user stays flagged for the next row.
  "account.changeInitialPassword": {
    access: "signedIn",
    input: () => ({ newPassword: NEW_PASSWORD, confirmPassword: `${NEW_PASSWORD}x` }),
  },
  "account.changePassword": {
    access: "customer",
    input: () => ({ currentPassword: "Wrong-2026", newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
  },
  "account.updateProfile": { access: "customer", input: () => ({ name: "山田 花子", mfaEnabled: false }) },
  "account.requestEmailChange": { access: "customer", input: () => ({ currentPassword: "Wrong-2026" }) },
  "account.emailChangeLink": { access: "public", input: () => ({ token: TOKEN }) },
  "account.submitNewEmail": { access: "public", input: () => ({ token: TOKEN, newEmail: "new@example.jp" }) },
  "account.emailConfirmLink": { access: "public", input: () => ({ token: TOKEN }) },
  "account.confirmEmailChange": { access: "public", input: () => ({ token: TOKEN }) },

  "users.list": { access: "customer" },
  "users.get": { access: "customer", input: (f) => ({ id: f.a.pendingUserId }), ids: "user" },
  "users.add": { access: "customer", input: () => ({ email: "hanako@example.jp" }) },
  "users.resendSetup": { access: "customer", input: (f) => ({ id: f.a.pendingUserId }), ids: "user" },
  "users.remove": { access: "customer", input: (f) => ({ id: f.a.pendingUserId }), ids: "user" },
  "users.setupLink": { access: "public", input: () => ({ token: TOKEN }) },
  "users.completeSetup": {
    access: "public",
    input: () => ({ token: TOKEN, newPassword: NEW_PASSWORD, confirmPassword: NEW_PASSWORD }),
  },

  "catalog.search": { access: "customer", input: () => ({ keyword: "オシロ" }) },
  "catalog.product": { access: "customer", input: (f) => ({ id: f.productId }), ids: "product" },

  "templates.list": { access: "customer" },
  "templates.get": { access: "customer", input: (f) => ({ id: f.a.templateId }), ids: "template" },
  "templates.create": { access: "customer", input: () => template("大阪支社") },
  "templates.update": {
    access: "customer",
    input: (f) => ({ id: f.a.templateId, ...template("書き換え") }),
    ids: "template",
  },
  "templates.remove": { access: "customer", input: (f) => ({ id: f.a.templateId }), ids: "template" },

  "applications.draft": { access: "customer", input: () => ({ kind: "order" }) },
  "applications.addToDraft": {
    access: "customer",
    input: (f) => ({ kind: "order", productId: f.productId, quantity: "2" }),
    ids: "product",
  },
  "applications.removeFromDraft": {
    access: "customer",
    input: (f) => ({ kind: "order", productId: f.productId }),
    ids: "product",
  },
  "applications.newForm": { access: "customer" },
  "applications.check": { access: "customer", input: (f) => order(f), ids: "product" },
  "applications.submit": { access: "customer", input: (f) => order(f), ids: "product" },
  "applications.orderFromQuote": {
    access: "customer",
    input: (f) => ({ number: f.a.quoteNumber }),
    ids: "application",
  },
  "applications.draftQuote": { access: "customer" },
  "applications.reorder": {
    access: "customer",
    input: (f) => ({ number: f.a.orderNumber }),
    ids: "application",
  },
  "applications.draftSource": { access: "customer" },

  "history.list": { access: "customer", input: () => ({}) },
  "history.csvChunk": { access: "customer", input: () => ({ cursor: null }) },
  "history.get": { access: "customer", input: (f) => ({ number: f.a.orderNumber }), ids: "application" },
  "documents.pdf": {
    access: "customer",
    input: (f) => ({ number: f.a.orderNumber, kind: "order" }),
    ids: "application",
  },

  "account.home": { access: "customer" },
  "rentals.list": { access: "customer", input: () => ({}) },
  "rentals.get": { access: "customer", input: (f) => ({ id: f.a.rentalId }), ids: "rental" },
  "rentals.checkCancellation": { access: "customer", input: (f) => cancel(f), ids: "rental" },
  "rentals.requestCancellation": { access: "customer", input: (f) => cancel(f), ids: "rental" },
  "rentals.extension": { access: "customer", input: (f) => ({ id: f.a.rentalId }), ids: "rental" },
  "rentals.checkExtension": { access: "customer", input: (f) => extend(f), ids: "rental" },
  "rentals.requestExtension": { access: "customer", input: (f) => extend(f), ids: "rental" },

  // An unknown address: a failure that locks no caller out.
  "staffAuth.login": { access: "public", input: () => ({ email: "nobody@example.jp", password: "Staff-2026x" }) },
  "staffAuth.otpChallenge": { access: "public" },
  "staffAuth.verifyOtp": { access: "public", input: () => ({ code: "123456" }) },
  "staffAuth.resendOtp": { access: "public" },
  "staffAuth.logout": { access: "public" },
  "staffAuth.me": { access: "public" },
  "staffAuth.requireStaff": { access: "staff" },
  // A wrong current password: a field error, no change.
  "staffAuth.changePassword": {
    access: "staff",
    input: () => ({ currentPassword: "Wrong-2026x", newPassword: "Staff-2026n", confirmPassword: "Staff-2026n" }),
  },

  "staff.list": { access: "admin" },
  "staff.add": {
    access: "admin",
    input: () => ({ email: "added@example.jp", name: "追加 四郎", role: "operator", password: "Staff-2026d" }),
  },
  "staff.setStatus": { access: "admin", input: (f) => ({ id: f.spareStaffId, status: "disabled" }), ids: "staff" },
  "staff.resetPassword": {
    access: "admin",
    input: (f) => ({ id: f.spareStaffId, newPassword: "Staff-2026r", confirmPassword: "Staff-2026r" }),
    ids: "staff",
  },

  "backofficeApplications.dashboard": { access: "staff" },
  "backofficeApplications.list": { access: "staff", input: () => ({ keyword: A.loginId }) },
  "backofficeApplications.get": { access: "staff", input: (f) => ({ number: f.a.orderNumber }), ids: "application" },
  "backofficeApplications.arrange": {
    access: "staff",
    input: (f) => ({ number: f.a.orderNumber }),
    ids: "application",
  },
  "backofficeApplications.answerQuote": {
    access: "staff",
    input: (f) => ({ number: f.a.quoteNumber, unitPrices: {}, validUntil: TODAY, comment: "" }),
    ids: "application",
  },
  "backofficeApplications.confirmExtension": {
    access: "staff",
    input: (f) => ({ number: f.a.orderNumber }),
    ids: "application",
  },
  "backofficeApplications.confirmReturn": {
    access: "staff",
    input: (f) => ({ number: f.a.orderNumber }),
    ids: "application",
  },
  "backofficeApplications.retryIntake": {
    access: "staff",
    input: (f) => ({ number: f.a.orderNumber }),
    ids: "application",
  },
  "backofficeAccounts.search": { access: "staff", input: () => ({ keyword: "acme", cursor: null }) },
  "backofficeAccounts.get": { access: "staff", input: (f) => ({ accountId: f.a.accountId }), ids: "account" },
  "backofficeAccounts.open": {
    access: "staff",
    input: () => ({ loginId: "opened01", companyName: "開設商事", email: "opened@example.jp" }),
  },
  "backofficeAccounts.unlockUser": {
    access: "staff",
    input: (f) => ({ accountId: f.a.accountId, userId: f.a.ownerId }),
    ids: "account",
  },
  "backofficeAccounts.resendSetupMail": {
    access: "staff",
    input: (f) => ({ accountId: f.a.accountId, userId: f.a.pendingUserId }),
    ids: "account",
  },
  // The pending user (no password yet): refused by the service, so account A's owner stays free to act.
  "backofficeAccounts.requirePasswordChange": {
    access: "staff",
    input: (f) => ({ accountId: f.a.accountId, userId: f.a.pendingUserId }),
    ids: "account",
  },
  // A user without an authenticator: refused by the service, changing nothing.
  "backofficeAccounts.removeAuthenticator": {
    access: "staff",
    input: (f) => ({ accountId: f.a.accountId, userId: f.a.pendingUserId }),
    ids: "account",
  },
  // 利用停止 then 利用再開 (rows run in this order): account A ends as it was.
  "backofficeAccounts.suspend": { access: "staff", input: (f) => ({ accountId: f.a.accountId }), ids: "account" },
  "backofficeAccounts.resume": { access: "staff", input: (f) => ({ accountId: f.a.accountId }), ids: "account" },
  "backofficeAccounts.previewMemberImport": { access: "staff", input: () => ({ file: MEMBER_CSV }) },
  "backofficeAccounts.importMembers": { access: "staff", input: () => ({ file: MEMBER_CSV }) },
  "backofficeProducts.list": { access: "staff", input: () => ({ keyword: "dsox", status: "all", cursor: null }) },
  "backofficeProducts.get": { access: "staff", input: (f) => ({ id: f.productId }), ids: "product" },
  "backofficeProducts.create": { access: "staff", input: () => PRODUCT_FORM },
  // 編集 of the catalog's product, keeping its 型番.
  "backofficeProducts.update": {
    access: "staff",
    input: (f) => ({ id: f.productId, ...PRODUCT_FORM, modelNo: "DSOX1204G" }),
    ids: "product",
  },
  // 販売終了 then 販売再開 (rows run in this order): the product ends on sale, as account A's draft needs.
  "backofficeProducts.retire": { access: "staff", input: (f) => ({ id: f.productId }), ids: "product" },
  "backofficeProducts.resume": { access: "staff", input: (f) => ({ id: f.productId }), ids: "product" },
  "backofficeProducts.previewCsv": { access: "staff", input: () => ({ file: PRODUCT_CSV }) },
  "backofficeProducts.importCsv": { access: "staff", input: () => ({ file: PRODUCT_CSV }) },
  "backofficeAudit.actions": { access: "staff" },
  "backofficeAudit.list": { access: "staff", input: () => ({ loginId: A.loginId, action: "auth.login" }) },
  "backofficeAudit.csvChunk": { access: "staff", input: () => ({ loginId: A.loginId, cursor: null }) },
};

const ROWS = Object.entries(TABLE);
const OWNED: readonly IdNames[] = ["template", "user", "rental", "application"] satisfies Owned[];
const isOwned = (row: Row) => row.ids !== undefined && OWNED.includes(row.ids);

/**
 * Input fields that name an object: `id`, `…Id`, an application `number`, a form's `lines` (products).
 * A login ID is what a person types to sign in, not an object of an account.
 */
const ID_FIELD = /^(id|number|lines)$|(?<!login)Id$/;

// ---------------------------------------------------------------------------------------------------
// Set-up and helpers.

/** Two accounts with an object of every kind, a user who must change the password, and staff. */
async function arrange(h: Harness): Promise<Fixture> {
  expect(tokyoDateString(h.clock.now()), "the forms' dates are today's").toBe(TODAY);
  await insertProducts(h.db, h.clock.now(), [
    {
      modelNo: "DSOX1204G",
      maker: "キーサイト・テクノロジー",
      name: "デジタル・オシロスコープ 70MHz 4ch",
      category: "オシロスコープ",
      specSummary: "帯域70MHz / 4ch",
      dailyPrice: 3000,
      monthlyPrice: 36000,
    },
  ]);
  const productId = (await h.db.selectFrom("products").select("id").executeTakeFirstOrThrow()).id;
  const a = await createAccount(h.deps, { ...A, permanentPassword: PASSWORD });
  const b = await createAccount(h.deps, { ...B, permanentPassword: PASSWORD });
  const forced = await createAccount(h.deps, { ...FORCED, temporaryPassword: PASSWORD });
  const operator = { email: "ops@example.jp", password: "Staff-2026a" };
  const admin = { email: "admin@example.jp", password: "Staff-2026b" };
  await createStaff(h.deps, { ...operator, role: "operator" });
  await createStaff(h.deps, { ...admin, role: "admin" });
  const spare = await createStaff(h.deps, { email: "spare@example.jp", password: "Staff-2026c" });

  const f: Fixture = {
    productId,
    spareStaffId: spare.staffId,
    principals: {
      anonymous: null,
      forcedChange: { kind: "customer", id: forced.userId },
      staff: { kind: "staff", ...operator },
      admin: { kind: "staff", ...admin },
      customer: { kind: "customer", id: a.userId },
    },
    a: {
      accountId: a.accountId,
      ownerId: a.userId,
      pendingUserId: "",
      templateId: "",
      orderNumber: "",
      quoteNumber: "",
      rentalId: "",
      lineIds: [],
    },
    b: { userId: b.userId, rentalId: "" },
    markers: [],
  };

  /** An order of `who`, accepted and arranged: its rental. */
  async function rentalOf(who: TestBrowser) {
    const { number } = await who.call((c) => c.applications.submit(order(f)));
    await h.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", number).execute();
    const { rentalId } = await arrangeOrder(h.deps, number, { type: "system" });
    return { number, rental: await who.call((c) => c.rentals.get({ id: rentalId })) };
  }

  const owner = await signedIn(h, f.principals.customer);
  f.a.templateId = (await owner.call((c) => c.templates.create(template("本社")))).id;
  await owner.call((c) => c.users.add({ email: "hanako.a@example.jp" }));
  f.a.pendingUserId = (
    await h.db
      .selectFrom("users")
      .select("id")
      .where("email_normalized", "=", "hanako.a@example.jp")
      .executeTakeFirstOrThrow()
  ).id;
  f.a.quoteNumber = (await owner.call((c) => c.applications.submit(order(f, "quote")))).number;
  const { number, rental } = await rentalOf(owner);
  f.a.orderNumber = number;
  f.a.rentalId = rental.id;
  f.a.lineIds = rental.lines.map((l) => l.id);
  await owner.call((c) => c.applications.addToDraft({ kind: "order", productId, quantity: "3" }));
  f.b.rentalId = (await rentalOf(await signedIn(h, { kind: "customer", id: b.userId }))).rental.id;

  const applicationIds = (
    await h.db.selectFrom("applications").select("id").where("account_id", "=", a.accountId).execute()
  ).map((r) => r.id);
  f.markers = [
    a.accountId,
    a.userId,
    f.a.pendingUserId,
    f.a.templateId,
    f.a.quoteNumber,
    f.a.orderNumber,
    f.a.rentalId,
    ...f.a.lineIds,
    ...applicationIds,
    A.email,
    "hanako.a@example.jp",
  ];
  return f;
}

/**
 * A browser holding a new session of `principal` (none: anonymous): a customer's as sign-in would start
 * it, a staff member's through the staff sign-in itself (password, then the mailed code).
 */
async function signedIn(h: Harness, principal: Principal | null): Promise<TestBrowser> {
  const browser = h.browser();
  if (principal?.kind === "customer") {
    const id = await h.deps.sessions.create("customer", principal.id, { ip: "203.0.113.10", userAgent: "vitest" });
    browser.cookies.set(h.deps.sessions.cookieName, id);
  } else if (principal?.kind === "staff") {
    await browser.call((c) => c.staffAuth.login({ email: principal.email, password: principal.password }));
    const mail = (await h.mailsTo(principal.email)).find((m) => m.subject.includes("ワンタイムパスワード"));
    const code = mail && /ワンタイムパスワード: (\d{6})/.exec(mail.text)?.[1];
    if (!code) throw new Error(`no code mailed to ${principal.email}`);
    // The next sign-in reads its own code (the harness clock stands still: no order by time).
    await h.db.deleteFrom("dev_mailbox").where("to_address", "=", principal.email).execute();
    await browser.call((c) => c.staffAuth.verifyOtp({ code }));
    expect([...browser.cookies.keys()]).toEqual([h.deps.sessions.cookieNameFor("staff")]);
  }
  return browser;
}

/** Calls a procedure by its path (`templates.get`) through the browser's caller. */
function callPath(browser: TestBrowser, path: string, input: unknown): Promise<unknown> {
  return browser.call((caller) => {
    const procedure = path
      .split(".")
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
      input?: unknown,
    ) => Promise<unknown>;
    return procedure(input);
  });
}

/** Every row of every table. */
async function snapshot(h: Harness): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of await h.db.introspection.getTables()) {
    const rows = await h.db
      .selectFrom(table.name as "users")
      .selectAll()
      .execute();
    out[table.name] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return out;
}

/** The rows that hold anything of account A's (its ids, numbers, addresses), table by table. */
function rowsOfA(all: Record<string, string[]>, f: Fixture): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(all).map(([table, rows]) => [table, rows.filter((row) => f.markers.some((m) => row.includes(m)))]),
  );
}

const isGateRefusal = (e: TRPCError) =>
  [SIGN_IN_REQUIRED, PASSWORD_CHANGE_REQUIRED, STAFF_SIGN_IN_REQUIRED, ADMIN_ONLY].includes(e.message);

// ---------------------------------------------------------------------------------------------------

describe("the table", () => {
  it("lists every procedure of the root router, and only those", () => {
    const inRouter = Object.keys(allProcedures).sort();
    const missing = inRouter.filter((path) => !(path in TABLE));
    const stale = Object.keys(TABLE).filter((path) => !(path in allProcedures));
    expect(missing, "add it to the table in tests/integration/isolation.test.ts: who may call it").toEqual([]);
    expect(stale, "in the table but not in appRouter: remove the row").toEqual([]);
  });

  it("says what the ids of every input name, and gives an input to every procedure that takes one", () => {
    for (const [path, schema] of proceduresWithInput()) {
      const idFields = Object.keys(schema.shape).filter((k) => ID_FIELD.test(k));
      if (idFields.length) expect(TABLE[path]?.ids, `${path} takes ${idFields.join(", ")}: set \`ids\``).toBeDefined();
      expect(TABLE[path]?.input, `${path} takes an input: give a sample`).toBeDefined();
    }
  });
});

describe("with two accounts' objects", () => {
  let h: Harness;
  let f: Fixture;
  beforeAll(async () => {
    h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
    f = await arrange(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  describe("callers the gate refuses, before anything is read or changed", () => {
    const cases = ROWS.flatMap(([path, row]) =>
      CALLERS.flatMap((caller) => {
        const rule = ACCESS[row.access][caller];
        return rule === "allowed"
          ? []
          : [[`${path} ← ${caller}: ${rule.code}`, { path, row, caller, refusal: rule }] as const];
      }),
    );

    it.each(cases)("%s", async (_, { path, row, caller, refusal }) => {
      const browser = await signedIn(h, f.principals[caller]);
      const before = await snapshot(h);
      const e = await failure(callPath(browser, path, row.input?.(f)));
      expect({ code: e.code, message: e.message }).toEqual(refusal);
      expect(await snapshot(h)).toEqual(before);
    });
  });

  describe("account B with account A's ids and inputs", () => {
    let other: TestBrowser;
    beforeAll(async () => {
      other = await signedIn(h, { kind: "customer", id: f.b.userId });
    });

    const owned = ROWS.filter(([, row]) => isOwned(row) && ACCESS[row.access].customer === "allowed");
    it.each(owned)("%s: another account's object is not found, nothing changes", async (path, row) => {
      const before = await snapshot(h);
      const e = await failure(callPath(other, path, row.input?.(f)));
      expect(e.code, e.message).toBe("NOT_FOUND");
      for (const m of f.markers) expect(e.message).not.toContain(m);
      expect(await snapshot(h)).toEqual(before);
    });

    const others = ROWS.filter(
      ([, row]) => !isOwned(row) && row.access !== "public" && ACCESS[row.access].customer === "allowed",
    );
    it.each(others)(
      "%s: acts on B's own things only; A's rows unchanged, nothing of A's answered",
      async (path, row) => {
        const before = rowsOfA(await snapshot(h), f);
        const answer = await callPath(other, path, row.input?.(f)).catch((e: TRPCError) => e.message);
        const text = JSON.stringify(answer) ?? "";
        for (const m of f.markers) expect(text, `${path} answered ${m} of account A`).not.toContain(m);
        expect(rowsOfA(await snapshot(h), f)).toEqual(before);
      },
    );

    it("A's rental line ids on B's own rental cancel nothing", async () => {
      const before = await snapshot(h);
      const e = await failure(callPath(other, "rentals.requestCancellation", cancel(f, f.b.rentalId)));
      expect(e.code).toBe("BAD_REQUEST");
      expect(await snapshot(h)).toEqual(before);
    });

    it("account A still reaches every object B was refused, as it was", async () => {
      const owner = await signedIn(h, f.principals.customer);
      expect((await owner.call((c) => c.templates.get({ id: f.a.templateId }))).name).toBe("本社");
      expect((await owner.call((c) => c.users.get({ id: f.a.pendingUserId }))).email).toBe("hanako.a@example.jp");
      const rental = await owner.call((c) => c.rentals.get({ id: f.a.rentalId }));
      expect(rental.lines.map((l) => l.cancelRequested)).toEqual([0]);
      expect((await owner.call((c) => c.history.get({ number: f.a.orderNumber }))).number).toBe(f.a.orderNumber);
      expect((await owner.call((c) => c.history.list({}))).rows).toHaveLength(2);
      expect(await owner.call((c) => c.applications.draft({ kind: "order" }))).toMatchObject([{ quantity: 3 }]);
    });
  });
});

describe("callers the table allows get past the gate with their sample input", () => {
  // Its own database: these calls change things (a removed template, a cancellation…).
  let h: Harness;
  let f: Fixture;
  beforeAll(async () => {
    h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
    f = await arrange(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  const cases = ROWS.flatMap(([path, row]) =>
    CALLERS.filter((caller) => ACCESS[row.access][caller] === "allowed").map(
      (caller) => [`${path} ← ${caller}`, { path, row, caller }] as const,
    ),
  );
  it.each(cases)("%s", async (_, { path, row, caller }) => {
    const browser = await signedIn(h, f.principals[caller]);
    const e = await callPath(browser, path, row.input?.(f)).then(
      () => null,
      (error: TRPCError) => error,
    );
    if (!e) return;
    // The service may refuse what it is given; the gate and the input's schema may not.
    expect(isGateRefusal(e), `${e.code}: ${e.message}`).toBe(false);
    expect(e.cause instanceof ZodError, `${e.code}: ${e.message} ${JSON.stringify(e.cause)}`).toBe(false);
  });
});
