import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HOUR } from "../../server/lib/clock";
import { newId } from "../../server/lib/crypto";
import { tokyoDateString } from "../../server/lib/format";
import { createAccount } from "../../server/services/identity/accounts";
import { emptyApplication } from "../../server/services/ordering/applications";
import { insertProducts } from "../../server/services/ordering/catalog";
import { HISTORY_CSV_CHUNK, listHistory } from "../../server/services/ordering/history";
import { builtinIntake, IntakeWorker, webhookIntake } from "../../server/services/ordering/intake";
import { arrangeOrder, rentalsPage } from "../../server/services/ordering/rentals";
import { failure, fieldErrors as fields } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { recordingPlans } from "../support/query-plans";

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const DELIVERY = {
  company: "アクメ計測株式会社",
  department: "品質保証部",
  person: "山田 太郎",
  postalCode: "１０５００１１",
  address: "東京都港区芝公園4-2-8",
  building: "",
  phone: "03-1234-5678",
};

let h: Harness;
let b: TestBrowser;
let products: Record<string, string>;

beforeEach(async () => {
  h = await createHarness();
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
    {
      modelNo: "DSOX3034T",
      maker: "キーサイト・テクノロジー",
      name: "オシロスコープ 350MHz",
      category: "オシロスコープ",
      specSummary: "帯域350MHz / 4ch",
      dailyPrice: 8000,
      monthlyPrice: 96000,
    },
    {
      modelNo: "TBS1052C",
      maker: "テクトロニクス",
      name: "デジタル・ストレージ・オシロスコープ",
      category: "オシロスコープ",
      specSummary: "50MHz / 2ch",
      dailyPrice: 1500,
      monthlyPrice: 18000,
    },
    {
      modelNo: "87V",
      maker: "フルーク",
      name: "デジタルマルチメータ 真の実効値",
      category: "マルチメータ",
      specSummary: "6000カウント",
      dailyPrice: 600,
      monthlyPrice: 7200,
    },
    {
      modelNo: "CF-SV1",
      maker: "パナソニック",
      name: "ノートパソコン Let's note SV1",
      category: "ノートPC",
      specSummary: "Core i5 / 16GB",
      dailyPrice: 1200,
      monthlyPrice: 12000,
    },
  ]);
  const rows = await h.db.selectFrom("products").select(["id", "model_no"]).execute();
  products = Object.fromEntries(rows.map((r) => [r.model_no, r.id]));
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
  b = h.browser();
  await b.call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD }));
});
afterEach(async () => {
  await h.close();
});

const today = () => tokyoDateString(h.clock.now());
let keys = 0;
const newKey = () => `test-key-${String(++keys).padStart(8, "0")}-abcdef`;

/** The whole 申込履歴 CSV, as the page streams it: every keyset chunk, concatenated. */
async function wholeCsv(browser: TestBrowser, filter: { kind?: "quote" | "order" | "cancellation" } = {}) {
  let text = "";
  let cursor: string | null = null;
  do {
    const chunk: { text: string; nextCursor: string | null } = await browser.call((c) =>
      c.history.csvChunk({ ...filter, cursor }),
    );
    text += chunk.text;
    cursor = chunk.nextCursor;
  } while (cursor);
  return text;
}

function order(overrides: Record<string, unknown> = {}) {
  return {
    kind: "order" as const,
    lines: [{ productId: products.DSOX1204G as string, quantity: 3 }],
    startDate: today(),
    periodUnit: "month" as const,
    period: 3,
    delivery: DELIVERY,
    notes: "",
    poNumber: "PO-123",
    idempotencyKey: newKey(),
    ...overrides,
  };
}

describe("catalog search", () => {
  it("finds partial model numbers, Japanese words and full-width input, with filters", async () => {
    const search = (input: Record<string, string>) => b.call((c) => c.catalog.search(input));
    expect((await search({ keyword: "DSOX" })).items.map((p) => p.modelNo)).toEqual(["DSOX1204G", "DSOX3034T"]);
    expect((await search({ keyword: "ｄｓｏｘ１２" })).items.map((p) => p.modelNo)).toEqual(["DSOX1204G"]);
    expect((await search({ keyword: "オシロスコープ 350MHz" })).items.map((p) => p.modelNo)).toEqual(["DSOX3034T"]);
    expect((await search({ keyword: "マルチメータ" })).items.map((p) => p.modelNo)).toEqual(["87V"]);
    expect((await search({ maker: "テクトロニクス" })).items.map((p) => p.modelNo)).toEqual(["TBS1052C"]);
    expect((await search({ category: "ノートPC", keyword: "let's" })).total).toBe(1);
    expect((await search({ keyword: "100%" })).total).toBe(0);
    const all = await search({});
    expect(all.total).toBe(5);
    expect(all.facets.categories).toEqual(["オシロスコープ", "ノートPC", "マルチメータ"]);
  });
});

describe("delivery templates", () => {
  const template = (name: string) => ({ name, ...DELIVERY });

  it("validates the fields, normalises postal code and phone, and allows at most 5 (also in parallel)", async () => {
    const bad = await failure(
      b.call((c) => c.templates.create({ ...template(""), postalCode: "12345", phone: "abc" })),
    );
    expect(Object.keys(fields(bad)).sort()).toEqual(["name", "phone", "postalCode"]);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => b.call((c) => c.templates.create(template(`拠点${i}`)))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(5);
    const { templates } = await b.call((c) => c.templates.list());
    expect(templates).toHaveLength(5);
    expect(templates[0]?.postalCode).toBe("105-0011");
    const sixth = await failure(b.call((c) => c.templates.create(template("6件目"))));
    expect(sixth.message).toContain("最大5件");
  });

  it("edits and deletes only the account's own templates", async () => {
    const t = await b.call((c) => c.templates.create(template("本社")));
    await b.call((c) => c.templates.update({ id: t.id, ...template("本社(新)") }));
    expect((await b.call((c) => c.templates.get({ id: t.id }))).name).toBe("本社(新)");
    const other = await h.otherAccount();
    expect((await failure(other.call((c) => c.templates.get({ id: t.id })))).code).toBe("NOT_FOUND");
    expect((await failure(other.call((c) => c.templates.remove({ id: t.id })))).code).toBe("NOT_FOUND");
    await b.call((c) => c.templates.remove({ id: t.id }));
    expect((await b.call((c) => c.templates.list())).templates).toHaveLength(0);
  });
});

describe("quote requests and orders", () => {
  it("numbers each kind per year without gaps, mails the user and clears the draft", async () => {
    await b.call((c) =>
      c.applications.addToDraft({ kind: "order", productId: products.DSOX1204G as string, quantity: 2 }),
    );
    await b.call((c) =>
      c.applications.addToDraft({ kind: "order", productId: products.DSOX1204G as string, quantity: 1 }),
    );
    expect((await b.call((c) => c.applications.draft({ kind: "order" })))[0]?.quantity).toBe(3);
    const o1 = await b.call((c) => c.applications.submit(order()));
    const q1 = await b.call((c) => c.applications.submit(order({ kind: "quote" })));
    const o2 = await b.call((c) => c.applications.submit(order()));
    expect([o1.number, q1.number, o2.number]).toEqual(["O-2026-000001", "Q-2026-000001", "O-2026-000002"]);
    expect(await b.call((c) => c.applications.draft({ kind: "order" }))).toEqual([]);
    // 申込受付 is mailed once intake accepts (tests/integration/status-mails.test.ts), not before.
    const received = async () => (await h.mailsTo(USER.email)).find((m) => m.subject.includes("O-2026-000001"));
    expect(await received()).toBeUndefined();
    await new IntakeWorker({
      db: h.db,
      clock: h.clock,
      handler: builtinIntake,
      pollIntervalMs: 1000,
      mail: h.deps,
    }).runOnce();
    expect((await received())?.text).toContain("注文のお申し込みを受け付けました");
    // A refused application takes no number.
    await failure(b.call((c) => c.applications.submit(order({ lines: [] }))));
    expect((await b.call((c) => c.applications.submit(order()))).number).toBe("O-2026-000003");
  });

  it("is idempotent: a double click or a resend makes one application", async () => {
    const input = order();
    const results = await Promise.all([
      b.call((c) => c.applications.submit(input)),
      b.call((c) => c.applications.submit(input)),
      b.call((c) => c.applications.submit(input)),
    ]);
    expect(new Set(results.map((r) => r.number)).size).toBe(1);
    expect(await h.db.selectFrom("applications").select("id").execute()).toHaveLength(1);
  });

  it("checks every field: lines, quantities, dates, period, delivery", async () => {
    const yesterday = tokyoDateString(new Date(h.clock.now().getTime() - 24 * HOUR));
    const e = await failure(
      b.call((c) =>
        c.applications.submit(
          order({
            lines: [{ productId: products.DSOX1204G as string, quantity: 100 }],
            startDate: yesterday,
            period: 0,
            delivery: { ...DELIVERY, company: "", phone: "12" },
          }),
        ),
      ),
    );
    expect(Object.keys(fields(e)).sort()).toEqual(
      [`qty.${products.DSOX1204G}`, "company", "period", "phone", "startDate"].sort(),
    );
    expect(fields(e).startDate).toEqual(["レンタル開始日には本日以降の日付を指定してください。"]);
  });
});

describe("intake", () => {
  it("the built-in back office accepts: 受付完了", async () => {
    const { number } = await b.call((c) => c.applications.submit(order()));
    const worker = new IntakeWorker({
      db: h.db,
      clock: h.clock,
      handler: builtinIntake,
      pollIntervalMs: 1000,
      mail: h.deps,
    });
    expect(await worker.runOnce()).toBe(1);
    const { rows } = await b.call((c) => c.history.list({}));
    expect(rows.map((r) => [r.number, r.resultLabel, r.confirmation])).toEqual([[number, "受付完了", ""]]);
  });

  it("a webhook that keeps failing ends in 受付失敗 after its retries; one that answers 2xx accepts", async () => {
    let status = 500;
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        received.push(JSON.parse(body).number);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/intake`;
    try {
      const worker = new IntakeWorker({
        db: h.db,
        clock: h.clock,
        handler: webhookIntake(url),
        pollIntervalMs: 1000,
        mail: h.deps,
        maxAttempts: 3,
      });
      const failing = await b.call((c) => c.applications.submit(order()));
      for (let i = 0; i < 4; i++) {
        await worker.runOnce();
        h.clock.advance(60_000); // past the backoff (5 s, 10 s, …)
      }
      expect(received).toEqual([failing.number, failing.number, failing.number]);
      const detail = await b.call((c) => c.history.get({ number: failing.number }));
      expect(detail.resultLabel).toBe("受付失敗");

      status = 200;
      const ok = await b.call((c) => c.applications.submit(order()));
      await worker.runOnce();
      expect((await b.call((c) => c.history.get({ number: ok.number }))).resultLabel).toBe("受付完了");
    } finally {
      server.close();
    }
  });
});

describe("申込履歴", () => {
  it("lists newest first with keyset pages and filters, and exports CSV with a BOM", async () => {
    for (let i = 0; i < 25; i++) {
      h.clock.advance(60_000);
      await b.call((c) => c.applications.submit(order({ kind: i % 5 === 0 ? "quote" : "order" })));
    }
    const first = await b.call((c) => c.history.list({}));
    expect(first.rows).toHaveLength(20);
    expect(first.rows[0]?.number).toBe("O-2026-000020");
    const second = await b.call((c) => c.history.list({ cursor: first.nextCursor ?? undefined }));
    expect(second.rows).toHaveLength(5);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(25);
    expect((await b.call((c) => c.history.list({ kind: "quote" }))).rows).toHaveLength(5);
    expect((await b.call((c) => c.history.list({ result: "accepted" }))).rows).toHaveLength(0);
    expect((await b.call((c) => c.history.list({ from: "2030-01-01" }))).rows).toHaveLength(0);
    const csv = await wholeCsv(b);
    expect(csv.startsWith('\uFEFF"申込日時","申込番号","種別","申込結果","確認結果"')).toBe(true);
    expect(csv.trim().split("\r\n")).toHaveLength(26);
  });

  it("pages through every combination of 種別, 申込結果 and 期間 with exactly the matching applications", async () => {
    for (let i = 0; i < 45; i++) {
      h.clock.advance(60_000);
      await b.call((c) => c.applications.submit(order({ kind: i % 3 === 0 ? "quote" : "order" })));
    }
    const all = await h.db.selectFrom("applications").select(["id", "created_at"]).orderBy("created_at").execute();
    // Spread over twelve days (six hours apart, the newest now); every fourth accepted, every fifth failed, the
    // others still 処理中.
    const now = h.clock.now().getTime();
    for (const [i, a] of all.entries()) {
      const intake_status = i % 4 === 0 ? "accepted" : i % 5 === 0 ? "failed" : "pending";
      const created_at = new Date(now - (all.length - 1 - i) * 6 * HOUR).toISOString();
      await h.db.updateTable("applications").set({ intake_status, created_at }).where("id", "=", a.id).execute();
    }
    const rows = await h.db
      .selectFrom("applications")
      .select(["number", "kind", "intake_status", "created_at"])
      .execute();
    const days = [...new Set(rows.map((r) => tokyoDateString(new Date(r.created_at))))].sort();
    const [from, to] = [days[2] as string, days[days.length - 3] as string];
    for (const kind of [undefined, "order", "quote"] as const)
      for (const result of [undefined, "accepted", "pending"] as const)
        for (const range of [{}, { from }, { to }, { from, to }]) {
          const filter = { kind, result, ...range };
          const expected = rows
            .filter((r) => !kind || r.kind === kind)
            .filter((r) => !result || r.intake_status === result)
            .filter((r) => !("from" in range) || tokyoDateString(new Date(r.created_at)) >= from)
            .filter((r) => !("to" in range) || tokyoDateString(new Date(r.created_at)) <= to)
            .sort((x, y) => (x.created_at < y.created_at ? 1 : -1))
            .map((r) => r.number);
          const seen: string[] = [];
          let cursor: string | undefined;
          do {
            const page = await b.call((c) => c.history.list({ ...filter, cursor }));
            expect(page.rows.length).toBeLessThanOrEqual(20);
            seen.push(...page.rows.map((r) => r.number));
            cursor = page.nextCursor ?? undefined;
          } while (cursor);
          expect(seen, JSON.stringify(filter)).toEqual(expected);
        }
  });

  it("shows 手配済 once staff arranged an order, and hides other accounts' applications", async () => {
    const { number } = await b.call((c) => c.applications.submit(order()));
    await h.db.updateTable("applications").set({ intake_status: "accepted" }).execute();
    await arrangeOrder(h.deps, number, { type: "staff", id: "staff-1" });
    expect((await b.call((c) => c.history.get({ number }))).confirmation).toBe("手配済");
    const other = await h.otherAccount();
    expect((await failure(other.call((c) => c.history.get({ number })))).code).toBe("NOT_FOUND");
    expect((await other.call((c) => c.history.list({}))).rows).toHaveLength(0);
  });
});

describe("申込履歴: 申込者, 商品, 注文番号(PO) (#12 item 7)", () => {
  it("each row names its user (「削除済みの利用者」 once deleted), sums up its lines and shows the PO; the CSV ends with them", async () => {
    await b.call((c) => c.account.updateProfile({ name: "山田 太郎", mfaEnabled: false }));
    const three = await b.call((c) =>
      c.applications.submit(
        order({
          lines: [
            { productId: products.DSOX3034T as string, quantity: 1 },
            { productId: products.DSOX1204G as string, quantity: 2 },
            { productId: products["87V"] as string, quantity: 1 },
          ],
          poNumber: "PO-778",
        }),
      ),
    );
    h.clock.advance(60_000);
    const one = await b.call((c) => c.applications.submit(order({ kind: "quote", poNumber: "" })));
    // An application of a user deleted since.
    h.clock.advance(60_000);
    const theirs = await b.call((c) => c.applications.submit(order({ poNumber: "PO-9" })));
    await b.call((c) => c.users.add({ email: "hanako@example.jp" }));
    const hanako = await h.db
      .selectFrom("users")
      .select("id")
      .where("email_normalized", "=", "hanako@example.jp")
      .executeTakeFirstOrThrow();
    await h.db.updateTable("applications").set({ user_id: hanako.id }).where("id", "=", theirs.id).execute();
    await b.call((c) => c.users.remove({ id: hanako.id }));

    const { rows } = await b.call((c) => c.history.list({}));
    expect(rows.map((r) => [r.number, r.applicant, r.itemSummary, r.poNumber])).toEqual([
      [theirs.number, "削除済みの利用者", "DSOX1204G", "PO-9"],
      [one.number, "山田 太郎", "DSOX1204G", ""],
      [three.number, "山田 太郎", "DSOX3034T ほか2点", "PO-778"],
    ]);
    expect(await b.call((c) => c.history.get({ number: three.number }))).toMatchObject({
      applicant: "山田 太郎",
      itemSummary: "DSOX3034T ほか2点",
      poNumber: "PO-778",
    });
    // A user without a name is shown by email.
    await b.call((c) => c.account.updateProfile({ name: "", mfaEnabled: false }));
    expect((await b.call((c) => c.history.list({}))).rows[1]?.applicant).toBe(USER.email);

    const csv = (await wholeCsv(b))
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n");
    expect(csv[0]).toBe('"申込日時","申込番号","種別","申込結果","確認結果","申込者","商品","注文番号(PO)"');
    expect(csv[3]).toMatch(
      new RegExp(`^"[^"]+","${three.number}","注文","処理中","","${USER.email}","DSOX3034T ほか2点","PO-778"$`),
    );
    expect(csv[1]).toContain(`"削除済みの利用者","DSOX1204G","PO-9"`);
  });

  it("the CSV holds every application, however many: keyset chunks of HISTORY_CSV_CHUNK, each row once, newest first", async () => {
    const [user] = await h.db.selectFrom("users").select(["id", "account_id"]).execute();
    if (!user) throw new Error("fixture");
    // Two whole chunks and a part of a third; odd, so that the newest has its instant alone.
    const count = HISTORY_CSV_CHUNK * 2 + 85;
    const apps = Array.from({ length: count }, (_, i) =>
      emptyApplication(
        newId(),
        `O-2026-${String(i + 1).padStart(6, "0")}`,
        { accountId: user.account_id, userId: user.id },
        "order",
        `csv-${i}`,
        // Pairs at the same instant: the cursor must tell them apart by id.
        new Date(Date.parse("2026-03-01T00:00:00Z") + Math.floor(i / 2) * 60_000),
      ),
    );
    for (let i = 0; i < apps.length; i += 500)
      await h.db
        .insertInto("applications")
        .values(apps.slice(i, i + 500))
        .execute();

    const chunks: string[] = [];
    let cursor: string | null = null;
    do {
      const chunk: { text: string; nextCursor: string | null } = await b.call((c) => c.history.csvChunk({ cursor }));
      chunks.push(chunk.text);
      cursor = chunk.nextCursor;
    } while (cursor);
    expect(chunks).toHaveLength(3);
    expect(chunks[0]?.startsWith("\uFEFF")).toBe(true);
    expect(chunks.slice(1).every((c) => !c.startsWith("\uFEFF") && !c.includes("申込日時"))).toBe(true);
    const rows = chunks.join("").trimEnd().split("\r\n").slice(1);
    expect(rows).toHaveLength(count);
    const numbers = rows.map((r) => /"(O-2026-\d{6})"/.exec(r)?.[1]);
    expect(new Set(numbers).size).toBe(count);
    expect(numbers[0]).toBe(`O-2026-${String(count).padStart(6, "0")}`);
    // The oldest two share an instant: their order is by id.
    expect(["O-2026-000001", "O-2026-000002"]).toContain(numbers.at(-1));
  });

  it.runIf(process.env.TEST_DB !== "postgres")(
    "a page reads indexes only: applications by (account, created_at, id), lines by application, users by id (SQLite's plan)",
    async () => {
      const [user] = await h.db.selectFrom("users").select(["id", "account_id"]).execute();
      if (!user) throw new Error("fixture");
      const other = await h.otherAccount();
      const [otherUser] = await h.db
        .selectFrom("users")
        .select(["id", "account_id"])
        .where("id", "!=", user.id)
        .execute();
      if (!otherUser) throw new Error("fixture");
      // Many applications of two accounts, straight into the tables (the reads are what is under test).
      const apps = [];
      const lines = [];
      for (let i = 0; i < 400; i++) {
        const owner = i % 2 ? otherUser : user;
        const id = newId();
        const at = new Date(Date.parse("2026-03-01T00:00:00Z") + i * 3_600_000);
        apps.push({
          ...emptyApplication(
            id,
            `O-2026-${String(i + 1).padStart(6, "0")}`,
            { accountId: owner.account_id, userId: owner.id },
            "order",
            `plan-${i}`,
            at,
          ),
          intake_status: i % 7 ? ("accepted" as const) : ("pending" as const),
        });
        for (let n = 1; n <= 1 + (i % 3); n++) {
          lines.push({
            id: newId(),
            application_id: id,
            line_no: n,
            product_id: products.DSOX1204G as string,
            model_no: "DSOX1204G",
            product_name: "x",
            quantity: 1,
            rental_line_id: null,
          });
        }
      }
      await h.db.insertInto("applications").values(apps).execute();
      await h.db.insertInto("application_lines").values(lines).execute();

      // Without statistics (as the app runs: it never analyzes) and with them (two accounts only: the
      // all-accounts indexes look as selective as the account's own).
      for (const analyzed of [false, true]) {
        if (analyzed) await sql`analyze`.execute(h.db);
        const recording = recordingPlans(h);
        const deps = { ...h.deps, db: recording.db };
        for (const filter of [
          {},
          { kind: "order" as const },
          { result: "accepted" as const },
          { kind: "order" as const, result: "pending" as const },
          { from: "2026-03-05", to: "2026-03-09" },
        ]) {
          const page = await listHistory(deps, user.account_id, filter);
          expect(page.rows.length).toBeGreaterThan(0);
          expect(page.rows.every((r) => r.itemSummary.startsWith("DSOX1204G"))).toBe(true);
          if (page.nextCursor) await listHistory(deps, user.account_id, filter, page.nextCursor);
        }
        await other.call((c) => c.history.list({})); // the other account's own page works too
        const plans = recording.plans();
        // One statement a page (five filters, each with a next page): 申込者 and 商品 are read in it.
        expect(plans).toHaveLength(10);
        for (const { sql: statement, plan } of plans) {
          const where = `${statement} (analyzed: ${analyzed})`;
          expect(plan, where).not.toMatch(/SCAN (applications|application_lines|users)(?! USING)/);
          expect(plan, where).toContain("SEARCH applications USING INDEX applications_history_idx (account_id=?");
          expect(plan, where).not.toContain("TEMP B-TREE");
          // A next page seeks to its cursor on the index instead of walking the pages before it.
          if (/"created_at", "id"\) </.test(statement)) expect(plan, where).toMatch(/account_id=\? AND \(?created_at/);
          // Each row's user by primary key, its lines by application.
          expect(plan, where).toMatch(
            /SEARCH users USING (INDEX sqlite_autoindex_users_1|INTEGER PRIMARY KEY) \(id=\?\)/,
          );
          expect(
            plan.match(
              /SEARCH application_lines USING (COVERING )?INDEX application_lines_app_idx \(application_id=\?\)/g,
            ),
            where,
          ).toHaveLength(2);
        }
      }
    },
  );
});

describe("cancellation of a running rental", () => {
  async function rental() {
    const { number } = await b.call((c) =>
      c.applications.submit(
        order({
          lines: [
            { productId: products.DSOX1204G as string, quantity: 3 },
            { productId: products["87V"] as string, quantity: 5 },
          ],
        }),
      ),
    );
    await h.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", number).execute();
    const { rentalId } = await arrangeOrder(h.deps, number, { type: "system" });
    const view = await b.call((c) => c.rentals.get({ id: rentalId }));
    return view;
  }
  const cancel = (rentalId: string, quantities: Record<string, number>, mode: "all" | "partial" = "partial") => ({
    rentalId,
    mode,
    quantities,
    returnDate: today(),
    notes: "",
    idempotencyKey: newKey(),
  });

  it("cancels part of a line, then the rest; never more than on rent", async () => {
    const r = await rental();
    const [scope, meter] = r.lines;
    const c1 = await b.call((c) => c.rentals.requestCancellation(cancel(r.id, { [scope?.id as string]: 2 })));
    expect(c1.number).toBe("C-2026-000001");
    let view = await b.call((c) => c.rentals.get({ id: r.id }));
    expect(view.lines.map((l) => [l.quantity, l.cancelRequested, l.cancellable])).toEqual([
      [3, 2, 1],
      [5, 0, 5],
    ]);
    const tooMany = await failure(
      b.call((c) => c.rentals.requestCancellation(cancel(r.id, { [scope?.id as string]: 2 }))),
    );
    expect(fields(tooMany)[`qty.${scope?.id}`]?.[0]).toContain("レンタル中の数量(1)以下");
    await b.call((c) => c.rentals.requestCancellation(cancel(r.id, {}, "all")));
    view = await b.call((c) => c.rentals.get({ id: r.id }));
    expect(view.lines.map((l) => l.cancellable)).toEqual([0, 0]);
    const detail = await b.call((c) => c.history.get({ number: "C-2026-000002" }));
    expect(detail.lines.map((l) => [l.modelNo, l.quantity])).toEqual([
      ["DSOX1204G", 1],
      ["87V", 5],
    ]);
    expect(meter?.quantity).toBe(5);
    const nothing = await failure(b.call((c) => c.rentals.requestCancellation(cancel(r.id, {}, "all"))));
    expect(fields(nothing).lines).toEqual(["解約できる商品はありません。"]);
  });

  it("parallel partial cancellations of one line never exceed it", async () => {
    const r = await rental();
    const line = r.lines[1]?.id as string; // 5 on rent
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => b.call((c) => c.rentals.requestCancellation(cancel(r.id, { [line]: 2 })))),
    );
    expect(results.filter((x) => x.status === "fulfilled")).toHaveLength(2);
    const view = await b.call((c) => c.rentals.get({ id: r.id }));
    expect(view.lines[1]?.cancelRequested).toBe(4);
    const cancelled = await h.db
      .selectFrom("applications")
      .select("id")
      .where("kind", "=", sql.lit("cancellation"))
      .execute();
    expect(cancelled).toHaveLength(2);
  });

  it("another account's rental is not found", async () => {
    const r = await rental();
    const other = await h.otherAccount();
    expect((await failure(other.call((c) => c.rentals.requestCancellation(cancel(r.id, {}, "all"))))).code).toBe(
      "NOT_FOUND",
    );
  });
});

describe("レンタル中の注文: 20 a page, newest first (keyset)", () => {
  async function arranged(): Promise<string> {
    const { number } = await b.call((c) => c.applications.submit(order()));
    await h.db.updateTable("applications").set({ intake_status: "accepted" }).where("number", "=", number).execute();
    const { contractNo } = await arrangeOrder(h.deps, number, { type: "system" });
    h.clock.advance(60_000);
    return contractNo;
  }

  it("every running rental once, newest first, with the count; a rental arranged meanwhile shifts no page", async () => {
    const contracts: string[] = [];
    for (let i = 0; i < 23; i++) contracts.push(await arranged());
    const newestFirst = [...contracts].reverse();

    const first = await b.call((c) => c.rentals.list({}));
    expect(first.total).toBe(23);
    expect(first.rentals.map((r) => r.contractNo)).toEqual(newestFirst.slice(0, 20));
    expect(first.rentals.every((r) => r.lines.length === 1)).toBe(true);
    expect(first.nextCursor).not.toBeNull();

    const late = await arranged(); // arrives between page 1 and page 2
    const second = await b.call((c) => c.rentals.list({ cursor: first.nextCursor as string }));
    expect(second.rentals.map((r) => r.contractNo)).toEqual(newestFirst.slice(20));
    expect(second.nextCursor).toBeNull();
    expect(second.total).toBe(24);
    expect((await b.call((c) => c.rentals.list({}))).rentals[0]?.contractNo).toBe(late);

    // Another account sees none of them; a cursor that is not ours starts at the newest.
    const other = await h.otherAccount();
    expect(await other.call((c) => c.rentals.list({}))).toEqual({ rentals: [], nextCursor: null, total: 0 });
    expect((await b.call((c) => c.rentals.list({ cursor: "not-a-cursor" }))).rentals[0]?.contractNo).toBe(late);
    // A cursor longer than any of ours is refused before any query.
    expect((await failure(b.call((c) => c.rentals.list({ cursor: "x".repeat(201) })))).code).toBe("BAD_REQUEST");
  });

  it.runIf(process.env.TEST_DB !== "postgres")(
    "a page and its count read rentals_account_active_idx, seeking to the cursor, and its lines by rental (SQLite's plan)",
    async () => {
      for (let i = 0; i < 22; i++) await arranged();
      const [user] = await h.db.selectFrom("users").select(["account_id"]).execute();
      if (!user) throw new Error("fixture");
      // Another account's 1,000 rentals with a line each, straight into the tables: with statistics, a
      // page's lines are then a small part of rental_lines (else SQLite rightly scans a tiny table).
      await h.otherAccount();
      const other = await h.db
        .selectFrom("users")
        .select("account_id")
        .where("account_id", "!=", user.account_id)
        .executeTakeFirstOrThrow();
      const rentals = Array.from({ length: 1000 }, (_, i) => ({
        id: `other-rental-${i}`,
        contract_no: `K-OTHER-${i}`,
        account_id: other.account_id,
        order_application_id: `other-order-${i}`,
        status: "active" as const,
        start_date: "2026-04-01",
        created_at: "2026-03-01T00:00:00.000Z",
        ended_at: null,
      }));
      for (let i = 0; i < rentals.length; i += 200)
        await h.db
          .insertInto("rentals")
          .values(rentals.slice(i, i + 200))
          .execute();
      const lines = rentals.map((r, i) => ({
        id: `other-line-${i}`,
        rental_id: r.id,
        line_no: 1,
        product_id: products.DSOX1204G as string,
        model_no: "DSOX1204G",
        product_name: "x",
        quantity: 1,
        quantity_cancel_requested: 0,
        quantity_returned: 0,
      }));
      for (let i = 0; i < lines.length; i += 200)
        await h.db
          .insertInto("rental_lines")
          .values(lines.slice(i, i + 200))
          .execute();
      for (const analyzed of [false, true]) {
        if (analyzed) await sql`analyze`.execute(h.db);
        const recording = recordingPlans(h);
        const deps = { ...h.deps, db: recording.db };
        const first = await rentalsPage(deps, user.account_id);
        await rentalsPage(deps, user.account_id, first.nextCursor);
        const plans = recording.plans().filter((p) => /from "rentals"/.test(p.sql));
        expect(plans.length).toBe(4);
        let seeks = 0;
        for (const { sql: statement, plan } of plans) {
          const where = `${statement} (analyzed: ${analyzed})`;
          // The count is served by either index of the account's running rentals (both lead with them).
          if (/count\(/.test(statement)) expect(plan, where).toMatch(/rentals_account_(active|due)_idx/);
          else {
            expect(plan, where).toContain("rentals_account_active_idx");
            // Each rental's open 延長申込, in the same statement, on the index of a rental's applications.
            expect(plan, where).toContain(
              "SEARCH extension USING INDEX applications_rental_idx (rental_id=? AND kind=?)",
            );
          }
          expect(plan, where).not.toContain("TEMP B-TREE");
          if (/"created_at", "rentals"."id"\) </.test(statement)) {
            seeks++;
            // The next page seeks to its cursor on the index instead of walking the pages before it.
            expect(plan, where).toMatch(/account_id=\? AND status=\? AND \(?created_at/);
          }
        }
        expect(seeks).toBe(1);
        // Their lines, by rental, in the index's order (no sort of the page's lines).
        const lines = recording.plans().filter((p) => /from "rental_lines"/.test(p.sql));
        expect(lines.length).toBe(2);
        // Nothing else: a page is its rentals, their count and their lines.
        expect(recording.plans()).toHaveLength(6);
        for (const { sql: statement, plan } of lines) {
          expect(plan, statement).toContain("rental_lines_rental_idx");
          expect(plan, statement).not.toContain("TEMP B-TREE");
        }
      }
    },
  );
});
