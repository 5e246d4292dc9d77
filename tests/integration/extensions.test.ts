import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formErrorsFrom } from "../../app/utils/forms.server";
import { tokyoDateString } from "../../server/lib/format";
import { confirmReturn } from "../../server/services/backoffice/application-actions";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { sendReturnReminders } from "../../server/services/ordering/return-reminders";
import { domainCode, failure, fieldErrors } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { pdfText } from "../support/pdf-text";
import { DELIVERY } from "../support/samples";
import { signedInStaff } from "../support/staff";

/**
 * 延長申込 (issue 14 item 2): from a running rental, a new 返却予定日 → an application E-YYYY-NNNNNN in 申込履歴 →
 * staff 延長確認 moves the rental's 返却予定日; mails both ways.
 */

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const STAFF = { email: "ops@example.jp", password: "Staff-2026a" };
const COMPANY_MAIL = "orders@rental.example.jp";
const DAY = 86_400_000;

let h: Harness;
let customer: TestBrowser;
let productId: string;
let keys = 0;
const key = () => `extension-key-${String(++keys).padStart(8, "0")}`;

beforeEach(async () => {
  h = await createHarness({ STAFF_NOTIFY_EMAIL: COMPANY_MAIL, LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
  await insertProducts(h.db, h.clock.now(), [
    {
      modelNo: "DSOX1204G",
      maker: "キーサイト",
      name: "オシロスコープ",
      category: "測定器",
      specSummary: "",
      dailyPrice: 3000,
      monthlyPrice: 36000,
    },
  ]);
  productId = (await h.db.selectFrom("products").select("id").executeTakeFirstOrThrow()).id;
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
  await createStaff(h.deps, { ...STAFF, role: "operator" });
  customer = h.browser();
  await customer.call((c) => c.auth.login({ ...USER, password: PASSWORD }));
});
afterEach(async () => {
  await h.close();
});

/** An order of 2 for 30 days from today (2026-04-01), accepted and arranged: due 2026-05-01. */
async function rental(browser = customer) {
  const { number } = await browser.call((c) =>
    c.applications.submit({
      kind: "order",
      lines: [{ productId, quantity: "2" }],
      startDate: tokyoDateString(h.clock.now()),
      periodUnit: "day",
      period: "30",
      delivery: DELIVERY,
      notes: "",
      poNumber: "",
      idempotencyKey: key(),
    }),
  );
  await h.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", number).execute();
  const arranged = await arrangeOrder(h.deps, number, { type: "system" });
  return { ...arranged, number };
}

const accept = (number: string) =>
  h.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", number).execute();

const dueDate = async (rentalId: string) =>
  (await h.db.selectFrom("rentals").select("due_date").where("id", "=", rentalId).executeTakeFirstOrThrow()).due_date;

describe("延長申込", () => {
  it("checks, then makes E-YYYY-NNNNNN for the whole rental; 申込履歴 and the company are told; one open at a time", async () => {
    const r = await rental();
    const { rental: view, latestEndDate } = await customer.call((c) => c.rentals.extension({ id: r.rentalId }));
    expect(view.plannedEndDate).toBe("2026-05-01");
    expect(latestEndDate).toBe("2029-04-01");
    const input = { rentalId: r.rentalId, endDate: "2026-05-15", notes: " 現場が延びました ", idempotencyKey: key() };
    const checked = await customer.call((c) => c.rentals.checkExtension(input));
    expect(checked).toMatchObject({
      partial: false,
      currentEndDate: "2026-05-01",
      endDate: "2026-05-15",
      currentEndDateLabel: "2026/05/01",
      endDateLabel: "2026/05/15",
      addedDays: 14,
    });
    // 全ての商品を延長 (the default) covers every line still out.
    expect(checked.lines.map((l) => l.id)).toEqual(view.lines.map((l) => l.id));
    // 延長期間 instead of the date gives the same date: 1 month after 2026-05-01, or 14 days.
    for (const [addPeriod, addUnit, endDate] of [
      ["1", "month", "2026-06-01"],
      ["14", "day", "2026-05-15"],
    ] as const) {
      const byPeriod = await customer.call((c) =>
        c.rentals.checkExtension({ ...input, endDate: "", addPeriod, addUnit }),
      );
      expect(byPeriod.endDate).toBe(endDate);
    }
    const made = await customer.call((c) => c.rentals.requestExtension(input));
    expect(made).toMatchObject({ number: "E-2026-000001", created: true });
    // The same form sent again is the same application.
    expect(await customer.call((c) => c.rentals.requestExtension(input))).toMatchObject({
      number: "E-2026-000001",
      created: false,
    });
    // Nothing moves before staff confirm.
    expect(await dueDate(r.rentalId)).toBe("2026-05-01");

    const { rows } = await customer.call((c) => c.history.list({ kind: "extension" }));
    expect(rows.map((row) => [row.number, row.kindLabel, row.confirmation])).toEqual([["E-2026-000001", "延長", ""]]);
    const detail = await customer.call((c) => c.history.get({ number: "E-2026-000001" }));
    expect(detail).toMatchObject({
      kind: "extension",
      contractNo: r.contractNo,
      previousEndDate: "2026-05-01",
      requestedEndDate: "2026-05-15",
      notes: "現場が延びました",
      money: null,
    });
    expect(detail.lines.map((l) => [l.modelNo, l.quantity])).toEqual([["DSOX1204G", 2]]);
    const listed = await customer.call((c) => c.rentals.list({}));
    expect(listed.rentals[0]?.openExtension).toBe("E-2026-000001");

    // (Mails of one moment come in no set order: found by subject.)
    const told = (await h.mailsTo(COMPANY_MAIL)).find((m) => m.subject.includes("【新規申込】E-2026-000001"));
    expect(told?.text).toContain("種別: 延長");
    expect(told?.text).toContain("返却予定日 2026/05/01 → 延長後 2026/05/15");
    const audit = await h.db
      .selectFrom("audit_events")
      .select("target")
      .where("action", "=", "application.extension")
      .execute();
    expect(audit).toEqual([{ target: `E-2026-000001 (${r.contractNo})` }]);

    // A second extension waits for the first to be confirmed.
    const second = await failure(
      customer.call((c) => c.rentals.requestExtension({ ...input, endDate: "2026-06-01", idempotencyKey: key() })),
    );
    expect(second.message).toBe(
      "この注文には確認待ちの延長申込(E-2026-000001)があります。確認が済んでから、あらためてお申し込みください。",
    );
    // This is no order: この内容で再注文 refuses it.
    expect((await failure(customer.call((c) => c.applications.reorder({ number: "E-2026-000001" })))).message).toBe(
      "E-2026-000001 は延長のお申し込みのため、再注文できません。",
    );
  });

  it("refuses a date not after the current one, in the past, or past the longest period, beside the field", async () => {
    const r = await rental();
    const cases: [string, string][] = [
      ["", "延長後の返却予定日か延長期間を入力してください。"],
      ["2026-02-30", "延長後の返却予定日に正しい日付を入力してください。"],
      ["2026-05-01", "延長後の返却予定日には、現在の返却予定日(2026/05/01)より後の日付を指定してください。"],
      ["2029-04-02", "延長後の返却予定日は2029/04/01までの日付を指定してください(レンタル開始日から最長36か月)。"],
    ];
    for (const [endDate, message] of cases) {
      const e = await failure(
        customer.call((c) =>
          c.rentals.checkExtension({ rentalId: r.rentalId, endDate, notes: "", idempotencyKey: key() }),
        ),
      );
      expect(formErrorsFrom(e).errors.fieldErrors.endDate, endDate).toEqual([message]);
    }
    // 延長期間 instead of a date: its own messages, beside it.
    const byPeriod = async (addPeriod: string, addUnit: "day" | "month", endDate = "") =>
      formErrorsFrom(
        await failure(
          customer.call((c) =>
            c.rentals.checkExtension({
              rentalId: r.rentalId,
              endDate,
              addPeriod,
              addUnit,
              notes: "",
              idempotencyKey: key(),
            }),
          ),
        ),
      ).errors.fieldErrors.addPeriod;
    expect(await byPeriod("2", "day", "2026-05-20")).toEqual([
      "延長後の返却予定日と延長期間は、どちらか一方だけを入力してください。",
    ]);
    expect(await byPeriod("0.5", "month")).toEqual(["延長期間は1〜36の整数で入力してください(単位: か月)。"]);
    expect(await byPeriod("366", "day")).toEqual(["延長期間は1〜365の整数で入力してください(単位: 日)。"]);
    expect(await byPeriod("abc", "day")).toEqual(["延長期間は数字で入力してください。"]);
    expect(await byPeriod("36", "month")).toEqual([
      "延長後の返却予定日は2029/04/01までの日付を指定してください(レンタル開始日から最長36か月)。",
    ]);
    // Past the due date by weeks, an extension must still end from today on.
    h.clock.advance(60 * DAY);
    await customer.call((c) => c.auth.login({ ...USER, password: PASSWORD }));
    const past = await failure(
      customer.call((c) =>
        c.rentals.checkExtension({ rentalId: r.rentalId, endDate: "2026-05-20", notes: "", idempotencyKey: key() }),
      ),
    );
    expect(fieldErrors(past).endDate).toEqual(["延長後の返却予定日には本日以降の日付を指定してください。"]);
    const shortPeriod = await failure(
      customer.call((c) =>
        c.rentals.checkExtension({
          rentalId: r.rentalId,
          endDate: "",
          addPeriod: "7",
          addUnit: "day",
          notes: "",
          idempotencyKey: key(),
        }),
      ),
    );
    expect(fieldErrors(shortPeriod).addPeriod).toEqual([
      "この延長期間では延長後の返却予定日(2026/05/08)が本日より前になります。もっと長い期間か、日付を指定してください。",
    ]);
    expect(
      await h.db.selectFrom("applications").select("id").where("kind", "=", sql.lit("extension")).execute(),
    ).toEqual([]);
  });

  it("is refused for another account's rental, a rental without 返却予定日, or one whose goods are all asked back", async () => {
    const r = await rental();
    const other = await h.otherAccount();
    const notFound = await failure(
      other.call((c) =>
        c.rentals.requestExtension({ rentalId: r.rentalId, endDate: "2026-05-15", notes: "", idempotencyKey: key() }),
      ),
    );
    expect(domainCode(notFound)).toBe("NOT_FOUND");

    await h.db.updateTable("rentals").set({ due_date: null }).where("id", "=", r.rentalId).execute();
    expect(
      (
        await failure(
          customer.call((c) =>
            c.rentals.checkExtension({ rentalId: r.rentalId, endDate: "2026-05-15", notes: "", idempotencyKey: key() }),
          ),
        )
      ).message,
    ).toBe("返却予定日のないレンタルは延長できません。コンタクトセンタへお問い合わせください。");
    await h.db.updateTable("rentals").set({ due_date: "2026-05-01" }).where("id", "=", r.rentalId).execute();

    await customer.call((c) =>
      c.rentals.requestCancellation({
        rentalId: r.rentalId,
        mode: "all",
        quantities: {},
        returnDate: "2026-04-10",
        notes: "",
        idempotencyKey: key(),
      }),
    );
    expect(
      (
        await failure(
          customer.call((c) =>
            c.rentals.checkExtension({ rentalId: r.rentalId, endDate: "2026-05-15", notes: "", idempotencyKey: key() }),
          ),
        )
      ).message,
    ).toBe("すべての商品の解約を申し込み済みのため、延長できません。");
  });

  it("of two extensions sent at once for one rental, one is made", async () => {
    const r = await rental();
    const results = await Promise.allSettled(
      ["2026-05-10", "2026-05-20"].map((endDate) =>
        customer.call((c) =>
          c.rentals.requestExtension({ rentalId: r.rentalId, endDate, notes: "", idempotencyKey: key() }),
        ),
      ),
    );
    expect(results.filter((x) => x.status === "fulfilled")).toHaveLength(1);
    expect(
      await h.db.selectFrom("applications").select("number").where("kind", "=", sql.lit("extension")).execute(),
    ).toHaveLength(1);
  });
});

describe("延長確認", () => {
  it("moves the rental's 返却予定日, mails the customer, shows 延長済; once; the reminder follows the new date", async () => {
    const r = await rental();
    const { number } = await customer.call((c) =>
      c.rentals.requestExtension({ rentalId: r.rentalId, endDate: "2026-05-15", notes: "", idempotencyKey: key() }),
    );
    const staff = await signedInStaff(h, STAFF);
    // Not before intake accepted it.
    expect((await failure(staff.call((c) => c.backofficeApplications.confirmExtension({ number })))).message).toBe(
      `延長申込 ${number} は受付が完了していません。`,
    );
    await accept(number);
    const dashboard = await staff.call((c) => c.backofficeApplications.dashboard());
    expect(dashboard.unconfirmedExtensions).toBe(1);
    const open = await staff.call((c) => c.backofficeApplications.list({ confirmation: "unconfirmed" }));
    expect(open.rows.map((row) => [row.number, row.confirmationLabel])).toEqual([[number, "未確認"]]);
    const forStaff = await staff.call((c) => c.backofficeApplications.get({ number }));
    expect(forStaff).toMatchObject({ previousEndDate: "2026-05-01", requestedEndDate: "2026-05-15" });
    expect(forStaff.rental?.dueDate).toBe("2026-05-01");

    expect(await staff.call((c) => c.backofficeApplications.confirmExtension({ number }))).toEqual({
      confirmed: true,
      endDate: "2026-05-15",
    });
    expect(await staff.call((c) => c.backofficeApplications.confirmExtension({ number }))).toEqual({
      confirmed: false,
      endDate: "2026-05-15",
    });
    expect(await dueDate(r.rentalId)).toBe("2026-05-15");
    expect((await staff.call((c) => c.backofficeApplications.dashboard())).unconfirmedExtensions).toBe(0);

    const mail = (await h.mailsTo(USER.email)).find((m) => m.subject.includes("延長確認のお知らせ"));
    expect(mail?.subject).toContain(`(${number})`);
    expect(mail?.text).toContain("変更前の返却予定日: 2026/05/01");
    expect(mail?.text).toContain("延長後の返却予定日: 2026/05/15");
    const row = (await customer.call((c) => c.history.list({}))).rows.find((x) => x.number === number);
    expect(row?.confirmation).toBe("延長済");
    const listed = await customer.call((c) => c.rentals.list({}));
    expect(listed.rentals[0]).toMatchObject({ plannedEndDate: "2026-05-15", openExtension: null });
    // The home page's お手続き中 no longer lists it.
    const home = await customer.call((c) => c.account.home());
    expect(home.openApplications.map((a) => a.number)).not.toContain(number);
    const events = await h.db
      .selectFrom("audit_events")
      .select("details")
      .where("action", "=", "extension.confirm")
      .execute();
    expect(events).toHaveLength(1);

    // The order's 注文請書 still says what was arranged: the date the order gave, not the extended one.
    const file = await customer.call((c) => c.documents.pdf({ number: r.number, kind: "order" }));
    const { flat } = await pdfText(Buffer.from(file.base64, "base64"));
    expect(flat).toContain("返却予定日2026/05/01");
    expect(flat).not.toContain("2026/05/15");
    // 返却予定のお知らせ: 3 days before the new date, not the old one.
    h.clock.advance(27 * DAY); // 2026-04-28: 3 days before the old date
    expect(await sendReturnReminders(h.deps, 3)).toBe(0);
    h.clock.advance(14 * DAY); // 2026-05-12: 3 days before the new one
    expect(await sendReturnReminders(h.deps, 3)).toBe(1);
  });

  it("is refused, changing nothing, when the rental ended or its 返却予定日 changed meanwhile", async () => {
    const r = await rental();
    const { number } = await customer.call((c) =>
      c.rentals.requestExtension({ rentalId: r.rentalId, endDate: "2026-05-15", notes: "", idempotencyKey: key() }),
    );
    await accept(number);
    const staff = await signedInStaff(h, STAFF);
    await h.db.updateTable("rentals").set({ due_date: "2026-05-03" }).where("id", "=", r.rentalId).execute();
    expect((await failure(staff.call((c) => c.backofficeApplications.confirmExtension({ number })))).message).toBe(
      "レンタルの返却予定日が申込時(2026/05/01)から2026/05/03に変わっています。お客様にご確認ください。",
    );
    await h.db
      .updateTable("rentals")
      .set({ due_date: "2026-05-01", status: "closed" })
      .where("id", "=", r.rentalId)
      .execute();
    expect((await failure(staff.call((c) => c.backofficeApplications.confirmExtension({ number })))).message).toBe(
      "このレンタルはすでに終了しています(すべての商品の返却を確認済み)。",
    );
    const a = await h.db
      .selectFrom("applications")
      .select("confirmed_at")
      .where("number", "=", number)
      .executeTakeFirstOrThrow();
    expect(a.confirmed_at).toBeNull();
    expect(await dueDate(r.rentalId)).toBe("2026-05-01");
    // Another kind's number is not an extension.
    expect(
      domainCode(await failure(staff.call((c) => c.backofficeApplications.confirmExtension({ number: r.number })))),
    ).toBe("NOT_FOUND");
  });
});

/** Per line (issue 14 item 2, ADR 024): 一部の商品を延長 gives the lines picked a 返却予定日 of their own. */
describe("一部の商品を延長", () => {
  let secondId: string;
  beforeEach(async () => {
    await insertProducts(h.db, h.clock.now(), [
      {
        modelNo: "MS2830A",
        maker: "アンリツ",
        name: "スペクトラムアナライザ",
        category: "測定器",
        specSummary: "",
        dailyPrice: 5000,
        monthlyPrice: 60000,
      },
    ]);
    secondId = (
      await h.db.selectFrom("products").select("id").where("model_no", "=", "MS2830A").executeTakeFirstOrThrow()
    ).id;
  });

  /** An order of 2 × DSOX1204G and 1 × MS2830A for 30 days from 2026-04-01, arranged: due 2026-05-01. */
  async function twoLineRental() {
    const { number } = await customer.call((c) =>
      c.applications.submit({
        kind: "order",
        lines: [
          { productId, quantity: "2" },
          { productId: secondId, quantity: "1" },
        ],
        startDate: tokyoDateString(h.clock.now()),
        periodUnit: "day",
        period: "30",
        delivery: DELIVERY,
        notes: "",
        poNumber: "",
        idempotencyKey: key(),
      }),
    );
    await accept(number);
    const arranged = await arrangeOrder(h.deps, number, { type: "system" });
    const { rental: view } = await customer.call((c) => c.rentals.extension({ id: arranged.rentalId }));
    const [scope, analyzer] = view.lines;
    if (!scope || !analyzer) throw new Error("two lines expected");
    return { ...arranged, number, scope, analyzer };
  }

  const lineDates = async (rentalId: string) =>
    Object.fromEntries(
      (
        await h.db
          .selectFrom("rental_lines")
          .select(["model_no", "due_date"])
          .where("rental_id", "=", rentalId)
          .execute()
      ).map((l) => [l.model_no, l.due_date]),
    );

  it("asks for at least one line, each still out, beside 延長する商品; the date must pass each line's own", async () => {
    const r = await twoLineRental();
    const base = { rentalId: r.rentalId, endDate: "2026-05-15", notes: "", idempotencyKey: key() };
    const none = await failure(
      customer.call((c) => c.rentals.checkExtension({ ...base, mode: "partial", lineIds: [] })),
    );
    expect(fieldErrors(none)).toEqual({ lines: ["延長する商品を選んでください。"] });
    const stranger = await failure(
      customer.call((c) => c.rentals.checkExtension({ ...base, mode: "partial", lineIds: ["not-a-line-of-it"] })),
    );
    expect(fieldErrors(stranger).lines).toEqual([
      "延長できない商品(解約を申し込み済みの商品)が選ばれています。画面を開き直してください。",
    ]);
    const picked = await customer.call((c) =>
      c.rentals.checkExtension({ ...base, mode: "partial", lineIds: [r.scope.id] }),
    );
    expect(picked).toMatchObject({ partial: true, currentEndDate: "2026-05-01", endDate: "2026-05-15" });
    expect(picked.lines.map((l) => l.modelNo)).toEqual(["DSOX1204G"]);
    // Both lines ticked under 一部 is the whole rental.
    const both = await customer.call((c) =>
      c.rentals.checkExtension({ ...base, mode: "partial", lineIds: [r.scope.id, r.analyzer.id] }),
    );
    expect(both.partial).toBe(false);

    // A line asked back whole cannot be extended.
    await customer.call((c) =>
      c.rentals.requestCancellation({
        rentalId: r.rentalId,
        mode: "partial",
        quantities: { [r.analyzer.id]: "1" },
        returnDate: "2026-04-10",
        notes: "",
        idempotencyKey: key(),
      }),
    );
    const asked = await failure(
      customer.call((c) => c.rentals.checkExtension({ ...base, mode: "partial", lineIds: [r.analyzer.id] })),
    );
    expect(fieldErrors(asked).lines?.[0]).toContain("解約を申し込み済みの商品");
    // Nothing was written by any of these.
    expect(
      await h.db.selectFrom("applications").select("id").where("kind", "=", sql.lit("extension")).execute(),
    ).toEqual([]);
  });

  it("confirmed: the line gets its own date, the rental keeps the earliest; reminders per date; a return moves the rental's", async () => {
    const r = await twoLineRental();
    const staff = await signedInStaff(h, STAFF);
    const { number } = await customer.call((c) =>
      c.rentals.requestExtension({
        rentalId: r.rentalId,
        mode: "partial",
        lineIds: [r.scope.id],
        endDate: "2026-05-15",
        notes: "",
        idempotencyKey: key(),
      }),
    );
    const lines = await h.db
      .selectFrom("application_lines")
      .innerJoin("applications", "applications.id", "application_lines.application_id")
      .select(["application_lines.model_no", "application_lines.rental_line_id", "application_lines.quantity"])
      .where("applications.number", "=", number)
      .execute();
    expect(lines).toEqual([{ model_no: "DSOX1204G", rental_line_id: r.scope.id, quantity: 2 }]);
    await accept(number);
    const detail = await staff.call((c) => c.backofficeApplications.get({ number }));
    expect(detail.lines.map((l) => [l.modelNo, l.rentalLine?.dueDate])).toEqual([["DSOX1204G", null]]);
    await staff.call((c) => c.backofficeApplications.confirmExtension({ number }));

    expect(await lineDates(r.rentalId)).toEqual({ DSOX1204G: "2026-05-15", MS2830A: "2026-05-01" });
    expect(await dueDate(r.rentalId)).toBe("2026-05-01");
    const listed = (await customer.call((c) => c.rentals.list({}))).rentals[0];
    expect(listed).toMatchObject({ plannedEndDate: "2026-05-01", lineDates: true });
    expect(listed?.lines.map((l) => [l.modelNo, l.plannedEndDate])).toEqual([
      ["DSOX1204G", "2026-05-15"],
      ["MS2830A", "2026-05-01"],
    ]);
    const mail = (await h.mailsTo(USER.email)).find((m) => m.subject.includes("延長確認のお知らせ"));
    expect(mail?.text).toContain("延長した商品: DSOX1204G オシロスコープ\n");
    expect(mail?.text).toContain("延長後の返却予定日: 2026/05/15");

    // 返却予定のお知らせ: before 05-01 for the analyzer only, before 05-15 for the scope only; each once.
    h.clock.advance(27 * DAY); // 2026-04-28
    expect(await sendReturnReminders(h.deps, 3)).toBe(1);
    expect(await sendReturnReminders(h.deps, 3)).toBe(0);
    let reminders = (await h.mailsTo(USER.email)).filter((m) => m.subject.includes("返却予定のお知らせ"));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toContain("MS2830A");
    expect(reminders[0]?.text).not.toContain("DSOX1204G");

    // The analyzer comes back (解約 → 返却確認): the rental's 返却予定日 is now the scope's. (Four weeks later:
    // the customer signs in again.)
    await customer.call((c) => c.auth.login({ ...USER, password: PASSWORD }));
    const { number: cancellation } = await customer.call((c) =>
      c.rentals.requestCancellation({
        rentalId: r.rentalId,
        mode: "partial",
        quantities: { [r.analyzer.id]: "1" },
        returnDate: "2026-05-01",
        notes: "",
        idempotencyKey: key(),
      }),
    );
    await accept(cancellation);
    const staffActor = await h.db.selectFrom("staff").select("id").executeTakeFirstOrThrow();
    await confirmReturn(h.deps, { type: "staff", id: staffActor.id }, cancellation, null);
    expect(await dueDate(r.rentalId)).toBe("2026-05-15");
    const after = (await customer.call((c) => c.rentals.list({}))).rentals[0];
    expect(after).toMatchObject({ plannedEndDate: "2026-05-15", lineDates: false, daysLeft: 17 });

    h.clock.advance(14 * DAY); // 2026-05-12
    expect(await sendReturnReminders(h.deps, 3)).toBe(1);
    reminders = (await h.mailsTo(USER.email)).filter((m) => m.subject.includes("返却予定のお知らせ"));
    const second = reminders.find((m) => m.text.includes("2026/05/15"));
    expect(second?.text).toContain("DSOX1204G");
    expect(second?.text).not.toContain("MS2830A");

    // 全ての商品を延長 now covers the scope alone (the analyzer is back) and moves it and the rental.
    await customer.call((c) => c.auth.login({ ...USER, password: PASSWORD }));
    const staffAgain = await signedInStaff(h, STAFF);
    const { number: again } = await customer.call((c) =>
      c.rentals.requestExtension({ rentalId: r.rentalId, endDate: "2026-05-31", notes: "", idempotencyKey: key() }),
    );
    await accept(again);
    await staffAgain.call((c) => c.backofficeApplications.confirmExtension({ number: again }));
    expect(await lineDates(r.rentalId)).toEqual({ DSOX1204G: "2026-05-31", MS2830A: "2026-05-01" });
    expect(await dueDate(r.rentalId)).toBe("2026-05-31");
  });

  it("extends from the latest date of the lines picked, and is refused at 延長確認 once every line it covers is back", async () => {
    const r = await twoLineRental();
    const staff = await signedInStaff(h, STAFF);
    const first = await customer.call((c) =>
      c.rentals.requestExtension({
        rentalId: r.rentalId,
        mode: "partial",
        lineIds: [r.analyzer.id],
        endDate: "2026-05-20",
        notes: "",
        idempotencyKey: key(),
      }),
    );
    await accept(first.number);
    await staff.call((c) => c.backofficeApplications.confirmExtension({ number: first.number }));
    // Both lines: the date must pass the analyzer's 05-20, and 延長期間 adds to it.
    const base = { rentalId: r.rentalId, notes: "", idempotencyKey: key() };
    const early = await failure(customer.call((c) => c.rentals.checkExtension({ ...base, endDate: "2026-05-10" })));
    expect(fieldErrors(early).endDate?.[0]).toBe(
      "延長後の返却予定日には、現在の返却予定日(2026/05/20)より後の日付を指定してください。",
    );
    const byPeriod = await customer.call((c) =>
      c.rentals.checkExtension({ ...base, endDate: "", addPeriod: "5", addUnit: "day" }),
    );
    expect(byPeriod).toMatchObject({ currentEndDate: "2026-05-20", endDate: "2026-05-25", partial: false });
    // The scope alone still extends from its own 05-01.
    const scopeOnly = await customer.call((c) =>
      c.rentals.checkExtension({ ...base, mode: "partial", lineIds: [r.scope.id], endDate: "2026-05-10" }),
    );
    expect(scopeOnly).toMatchObject({ currentEndDate: "2026-05-01", addedDays: 9 });

    // An extension of the scope, whose goods all come back before staff confirm it.
    const { number } = await customer.call((c) =>
      c.rentals.requestExtension({
        ...base,
        mode: "partial",
        lineIds: [r.scope.id],
        endDate: "2026-05-10",
        idempotencyKey: key(),
      }),
    );
    await accept(number);
    await h.db.updateTable("rental_lines").set({ quantity_returned: 2 }).where("id", "=", r.scope.id).execute();
    expect((await failure(staff.call((c) => c.backofficeApplications.confirmExtension({ number })))).message).toBe(
      "延長を申し込まれた商品は、すべて返却を確認済みです。",
    );
    expect(await lineDates(r.rentalId)).toEqual({ DSOX1204G: "2026-05-01", MS2830A: "2026-05-20" });
    const a = await h.db
      .selectFrom("applications")
      .select("confirmed_at")
      .where("number", "=", number)
      .executeTakeFirstOrThrow();
    expect(a.confirmed_at).toBeNull();
  });
});
