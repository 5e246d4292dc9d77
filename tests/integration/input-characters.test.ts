import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { fieldErrorsOf } from "../../server/trpc/field-errors";
import { MULTI_LINE_FIELDS } from "../../server/trpc/input-characters";
import { failure } from "../support/errors";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { expectJapanese } from "../support/japanese";
import { leaves, proceduresWithInput } from "../support/router-inputs";
import { DELIVERY } from "../support/samples";
import { serve } from "../support/server";

/**
 * Characters no form field may hold: a NUL byte gave a 500 on PostgreSQL ("invalid byte sequence for
 * encoding UTF8: 0x00") in every field that reached a query. Control characters (and line and
 * paragraph separators, bidirectional controls, lone surrogates) are refused at the edge, before any
 * procedure reads its input, in Japanese beside the field, on both databases; CR/LF only where the form
 * has a textarea (備考), and nothing is stored.
 */

const CONTROL = "使用できない文字(制御文字)が含まれています。";
const NEWLINE = "改行は入力できません。";

const USER = { loginId: "acme01", companyName: "アクメ計測", email: "taro@example.jp" };
const PASSWORD = "Rental-2026";
const TODAY = "2026-04-01";

let h: Harness;
let b: TestBrowser;
let productId: string;
let templateId: string;
let applicationNumber: string;
let keys = 0;
const newKey = () => `chars-key-${String(++keys).padStart(8, "0")}-abcdef`;

beforeAll(async () => {
  h = await createHarness({ LOGIN_RATE_LIMIT_PER_MINUTE: "0" });
  await insertProducts(h.db, h.clock.now(), [
    {
      modelNo: "DSOX1204G",
      maker: "キーサイト・テクノロジー",
      name: "オシロスコープ",
      category: "測定器",
      specSummary: "",
      dailyPrice: 1000,
      monthlyPrice: 10000,
    },
  ]);
  productId = (await h.db.selectFrom("products").select("id").executeTakeFirstOrThrow()).id;
  await createAccount(h.deps, { ...USER, permanentPassword: PASSWORD });
  b = h.browser();
  await b.call((c) => c.auth.login({ loginId: USER.loginId, email: USER.email, password: PASSWORD }));
  templateId = (await b.call((c) => c.templates.create({ name: "本社", ...DELIVERY }))).id;
  applicationNumber = (await b.call((c) => c.applications.submit(order()))).number;
});
afterAll(async () => {
  await h?.close();
});

/** The 注文 form as its action sends it. */
function order(overrides: Record<string, unknown> = {}) {
  return {
    kind: "order" as const,
    lines: [{ productId, quantity: "3" }],
    startDate: TODAY,
    periodUnit: "month" as const,
    period: "3",
    delivery: DELIVERY,
    notes: "",
    poNumber: "",
    idempotencyKey: newKey(),
    ...overrides,
  };
}

/** Every row of every table, to show a refused call stored nothing and changed nothing. */
async function snapshot(): Promise<Record<string, string[]>> {
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

/** A call refused in Japanese with `message` at the form field `key` (and only there), storing nothing. */
async function expectRefused(call: () => Promise<unknown>, key: string, message: string) {
  const before = await snapshot();
  const error = await failure(call());
  expect(error.code, `${error.code}: ${error.message}`).toBe("BAD_REQUEST");
  expectJapanese(error.message);
  expect(fieldErrorsOf(error)).toEqual({ [key]: [message] });
  expect(await snapshot()).toEqual(before);
}

const anon = () => h.browser();
const NUL = "\u0000";

describe("a NUL byte in a field: refused beside it in Japanese, nothing stored (was a 500 on PostgreSQL)", () => {
  const login = { loginId: USER.loginId, email: USER.email, password: PASSWORD };
  it.each<[string, () => Promise<unknown>, string]>([
    [
      "ログインID (auth.login)",
      () => anon().call((c) => c.auth.login({ ...login, loginId: `acme01${NUL}` })),
      "loginId",
    ],
    [
      "メールアドレス (auth.login)",
      () => anon().call((c) => c.auth.login({ ...login, email: `${NUL}x@example.jp` })),
      "email",
    ],
    [
      "パスワード (auth.login)",
      () => anon().call((c) => c.auth.login({ ...login, password: `Rental${NUL}2026` })),
      "password",
    ],
    [
      "パスワードをお忘れの方 ログインID (auth.requestPasswordReset)",
      () => anon().call((c) => c.auth.requestPasswordReset({ loginId: `acme${NUL}01`, email: USER.email })),
      "loginId",
    ],
    [
      "パスワードをお忘れの方 メールアドレス (auth.requestPasswordReset)",
      () => anon().call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: `taro${NUL}@example.jp` })),
      "email",
    ],
    [
      "テンプレート名 (templates.create)",
      () => b.call((c) => c.templates.create({ ...DELIVERY, name: `支社${NUL}` })),
      "name",
    ],
    [
      "会社名 (templates.update)",
      () => b.call((c) => c.templates.update({ id: templateId, name: "本社", ...DELIVERY, company: `ア${NUL}` })),
      "company",
    ],
    [
      "ユーザ名 (account.updateProfile)",
      () => b.call((c) => c.account.updateProfile({ name: `山田${NUL}`, mfaEnabled: false })),
      "name",
    ],
    ["検索キーワード (catalog.search)", () => b.call((c) => c.catalog.search({ keyword: `オシロ${NUL}` })), "keyword"],
    ["申込番号 (history.get)", () => b.call((c) => c.history.get({ number: `${applicationNumber}${NUL}` })), "number"],
    [
      "利用者追加 メールアドレス (users.add)",
      () => b.call((c) => c.users.add({ email: `hanako${NUL}@example.jp` })),
      "email",
    ],
    [
      "お届け先 住所 (applications.submit)",
      () => b.call((c) => c.applications.submit(order({ delivery: { ...DELIVERY, address: `芝公園${NUL}4-2-8` } }))),
      "address",
    ],
    [
      "備考 (applications.submit)",
      () => b.call((c) => c.applications.submit(order({ notes: `よろしく${NUL}` }))),
      "notes",
    ],
    [
      "注文番号(PO) (applications.check)",
      () => b.call((c) => c.applications.check(order({ poNumber: `PO${NUL}` }))),
      "poNumber",
    ],
    [
      "数量 (applications.submit)",
      () => b.call((c) => c.applications.submit(order({ lines: [{ productId, quantity: `3${NUL}` }] }))),
      "qty.<product>",
    ],
    ["商品 (catalog.product)", () => b.call((c) => c.catalog.product({ id: `${productId}${NUL}` })), "id"],
    ["テンプレート (templates.get)", () => b.call((c) => c.templates.get({ id: `${templateId}${NUL}` })), "id"],
    [
      "再設定リンク (auth.resetTokenValid)",
      () => anon().call((c) => c.auth.resetTokenValid({ token: `t${NUL}` })),
      "token",
    ],
  ])("%s", async (_, call, key) => {
    // The form names a line's 数量 by its product (known once the product is in the database).
    await expectRefused(call, key.replace("<product>", productId), CONTROL);
  });

  it("refuses the other dangerous characters the same way, nothing stored", async () => {
    for (const bad of ["\u001b[31m", "\u007f", "\u0085", "\u2028", "\u2029", "\u202e", "\ud800", "\udc00x", "\u000b"]) {
      await expectRefused(
        () => b.call((c) => c.templates.create({ ...DELIVERY, name: `支社${bad}` })),
        "name",
        CONTROL,
      );
    }
  });

  it("keys a NUL in an id of a map by the map (解約数量), not by the id", async () => {
    const cancel = {
      rentalId: "r1",
      mode: "partial" as const,
      quantities: { [`l1${NUL}`]: "1" },
      returnDate: TODAY,
      notes: "",
      idempotencyKey: newKey(),
    };
    await expectRefused(() => b.call((c) => c.rentals.checkCancellation(cancel)), "quantities", CONTROL);
  });
});

describe("line breaks: only where the form has a textarea (備考)", () => {
  it.each<[string, () => Promise<unknown>, string]>([
    ["テンプレート名", () => b.call((c) => c.templates.create({ ...DELIVERY, name: "本社\n2" })), "name"],
    [
      "会社名",
      () => b.call((c) => c.templates.create({ ...DELIVERY, name: "支社", company: "アクメ\r\n計測" })),
      "company",
    ],
    [
      "お届け先 担当者名",
      () => b.call((c) => c.applications.check(order({ delivery: { ...DELIVERY, person: "山田\r太郎" } }))),
      "person",
    ],
    ["ユーザ名", () => b.call((c) => c.account.updateProfile({ name: "山田\n太郎", mfaEnabled: false })), "name"],
    [
      "ログインID",
      () => anon().call((c) => c.auth.login({ loginId: "acme01\n", email: USER.email, password: PASSWORD })),
      "loginId",
    ],
  ])("%s: CR/LF refused", async (_, call, key) => {
    await expectRefused(call, key, NEWLINE);
  });

  it("a tab in a one-line field is a control character", async () => {
    await expectRefused(() => b.call((c) => c.templates.create({ ...DELIVERY, name: "本社\t2" })), "name", CONTROL);
  });

  it("備考 keeps tabs and line breaks as typed", async () => {
    const notes = "搬入は裏口から。\r\n\t平日 9時〜17時\n担当: 山田";
    const { number } = await b.call((c) => c.applications.submit(order({ notes })));
    const detail = await b.call((c) => c.history.get({ number }));
    expect(detail.notes).toBe(notes);
  });

  it("備考 still refuses other control characters", async () => {
    await expectRefused(
      () => b.call((c) => c.applications.submit(order({ notes: "一行目\n\u0007二行目" }))),
      "notes",
      CONTROL,
    );
  });
});

describe("through HTTP", () => {
  it("the ログイン form answers 400 with the message beside ログインID; /api/trpc answers 400 in JSON", async () => {
    const s = await serve(h);
    try {
      const before = await snapshot();
      const page = await fetch(`${s.url}/login`, {
        method: "POST",
        headers: { Origin: s.url },
        body: new URLSearchParams({ loginId: `acme01${NUL}`, email: USER.email, password: PASSWORD }),
        redirect: "manual",
      });
      expect(page.status).toBe(400);
      expect(await page.text()).toContain(CONTROL);

      const api = await fetch(`${s.url}/api/trpc/auth.login`, {
        method: "POST",
        headers: { Origin: s.url, "Content-Type": "application/json" },
        body: JSON.stringify({ loginId: USER.loginId, email: `taro${NUL}@example.jp`, password: PASSWORD }),
      });
      expect(api.status).toBe(400);
      const { error } = (await api.json()) as { error: { message: string; data: Record<string, unknown> } };
      expect(error.message).toBe("入力内容をご確認ください。");
      expect(error.data.fieldErrors).toEqual({ email: [CONTROL] });
      expect(await snapshot()).toEqual(before);
    } finally {
      await s.close();
    }
  });
});

/**
 * Every field of every procedure of the root router (a procedure added later is walked too): a NUL
 * is refused beside the field in Japanese, never a 500; so is a line break outside a textarea.
 */
describe("every procedure of the root router", () => {
  // The textareas: 備考 (notes) and 見積回答's コメント (comment).
  const MULTI_LINE = MULTI_LINE_FIELDS;
  it("knows the textareas", () => expect([...MULTI_LINE].sort()).toEqual(["comment", "notes"]));

  async function call(path: string, input: unknown) {
    return b.call((c) => {
      const fn = path.split(".").reduce<unknown>((node, name) => (node as Record<string, unknown>)[name], c);
      return (fn as (input: unknown) => Promise<unknown>)(input);
    });
  }

  for (const [path, schema] of proceduresWithInput()) {
    it(path, async () => {
      for (const leaf of leaves(schema)) {
        const nul = await failure(call(path, leaf.put(`a${NUL}b`)));
        expect(nul.code, `${path} ${leaf.name}: ${nul.message}`).toBe("BAD_REQUEST");
        expectJapanese(nul.message);
        expect(fieldErrorsOf(nul), `${path} ${leaf.name}`).toEqual({ [leaf.key]: [CONTROL] });

        const lines = await call(path, leaf.put("a\r\nb")).then(
          () => null,
          (error) => error,
        );
        if (MULTI_LINE.has(leaf.key)) {
          expect(lines?.code, `${path} ${leaf.name}`).not.toBe("INTERNAL_SERVER_ERROR");
          if (lines) expect(fieldErrorsOf(lines)[leaf.key] ?? []).not.toContain(NEWLINE);
        } else {
          expect(lines?.code, `${path} ${leaf.name}`).toBe("BAD_REQUEST");
          expect(fieldErrorsOf(lines), `${path} ${leaf.name}`).toEqual({ [leaf.key]: [NEWLINE] });
        }
      }
    });
  }
});
