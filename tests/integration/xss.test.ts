import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MailTemplateName, mailTemplates } from "../../emails/templates";
import { createAccount } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { builtinIntake, IntakeWorker } from "../../server/services/ordering/intake";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { createHarness, type Harness, type TestBrowser } from "../support/harness";
import { serve } from "../support/server";

/**
 * XSS: classic payloads stored in every free-text field a customer can set, then every page and mail
 * that shows them. Each page must show the payload as text (escaped, so the test cannot pass by not
 * showing the field) and never as markup: no script without the nonce, no event-handler attribute, no
 * element a payload opened, no `javascript:` URL, no textarea or option closed early.
 */

/** One payload per field, each unique (so a page that shows it proves it was rendered) and within the field's limit. */
const P = {
  company: `"><img src=x onerror=alert("co")>&lt;b&gt;{{loginId}}`,
  userName: `<script>alert("u")</script>{{url}}`,
  userName2: `'><svg onload=alert("u2")>{{accountCompany}}`,
  templateName: `</option><script>alert("t")</script>`,
  tCompany: `"><img src=x onerror=alert("tc")>`,
  department: `javascript:alert("d")//&amp;`,
  person: `</textarea><script>alert("p")</script>`,
  address: `<svg onload=alert("a")>東京都港区&lt;i&gt;`,
  building: `' onmouseover='alert("b")' x='`,
  notes: `</textarea><script>alert("n")</script>\n"><img src=x onerror=alert("n2")>\n&lt;&amp;{{number}}`,
  poNumber: `=HYPERLINK("http://evil.example","<i>x</i>")`,
  cancelNotes: `</textarea><img src=x onerror=alert("c")>\n{{url}}`,
};
const DELIVERY_PAYLOADS = [P.tCompany, P.department, P.person, P.address, P.building];
const HEADER = [P.company, P.userName];

const USER = { loginId: "acme01", email: "taro@example.jp", password: "Rental-2026" };
const HANAKO = { email: "hanako@example.jp", password: "Garden-2026x" };

/** How React writes text and attribute values. */
const reactEscaped = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
/** How the mail renderer writes a value into the HTML part (server/mail/render.ts). */
const mailEscaped = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");

const TAG = /<([a-zA-Z][\w:-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*\/?>/g;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

function tagsOf(html: string) {
  return [...html.matchAll(TAG)].map((m) => ({
    name: (m[1] as string).toLowerCase(),
    attrs: [...(m[2] ?? "").matchAll(ATTR)].map((a) => ({
      name: (a[1] as string).toLowerCase(),
      value: a[2] ?? a[3] ?? a[4] ?? "",
    })),
    raw: m[0],
  }));
}

const count = (html: string, re: RegExp) => html.match(re)?.length ?? 0;

/**
 * Nothing a payload typed became markup. `scripts`: "nonce" (a page: every script carries the CSP nonce)
 * or "none" (a mail).
 */
function expectInert(html: string, where: string, scripts: { nonce: string } | "none") {
  for (const payload of Object.values(P)) {
    expect(html, `${where}: raw payload ${payload}`).not.toContain(payload);
  }
  expect(html, `${where}: <script>alert`).not.toMatch(/<script[^>]*>\s*alert/i);
  for (const tag of tagsOf(html)) {
    const label = `${where}: ${tag.raw}`;
    expect(["img", "svg", "iframe", "object", "embed"], label).not.toContain(tag.name);
    for (const attr of tag.attrs) {
      expect(attr.name, label).not.toMatch(/^on/);
      if (["href", "src", "action", "formaction", "xlink:href"].includes(attr.name)) {
        expect(attr.value.replace(/\s/g, ""), label).not.toMatch(/^javascript:/i);
      }
    }
    if (tag.name === "script") {
      if (scripts === "none") expect.fail(`${label}: a mail holds no script`);
      else expect(tag.attrs.find((a) => a.name === "nonce")?.value, label).toBe(scripts.nonce);
    }
  }
  // A payload that closed a textarea or an option early leaves one close too many.
  expect(count(html, /<\/textarea>/gi), `${where}: </textarea>`).toBe(count(html, /<textarea[\s>]/gi));
  expect(count(html, /<\/option>/gi), `${where}: </option>`).toBeLessThanOrEqual(count(html, /<option[\s>]/gi));
  expect(count(html, /<\/script>/gi), `${where}: </script>`).toBe(count(html, /<script[\s>]/gi));
}

/** The payload is on the page as text: escaped once, not twice. */
function expectShown(html: string, payload: string, where: string) {
  expect(html, `${where}: shows ${payload}`).toContain(reactEscaped(payload));
  expect(html, `${where}: double-escaped ${payload}`).not.toContain(reactEscaped(reactEscaped(payload)));
}

let h: Harness;
let url: string;
let closeServer: () => Promise<void>;
let b: TestBrowser;
let cookie = "";
let productId = "";
let templateId = "";
let hanakoId = "";
let orderNumber = "";
/** The built-in intake accepts what waits (and mails 申込受付). */
const acceptAll = () =>
  new IntakeWorker({ db: h.db, clock: h.clock, handler: builtinIntake, pollIntervalMs: 1000, mail: h.deps }).runOnce();
let rentalId = "";
let cancelNumber = "";

async function post(path: string, fields: Record<string, string>): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { Origin: url, Cookie: cookie },
    redirect: "manual",
  });
}

function nonceOf(res: Response): string {
  return /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1] as string;
}

/** Fetches (GET, or POST with fields) and checks the page at once: inert, with the nonce of its own answer. */
async function page(key: string, path: string, fields?: Record<string, string>): Promise<string> {
  const res = fields
    ? await post(path, fields)
    : await fetch(`${url}${path}`, { headers: { Cookie: cookie }, redirect: "manual" });
  expect(res.status, key).toBe(200);
  const html = await res.text();
  expectInert(html, key, { nonce: nonceOf(res) });
  for (const payload of HEADER) expectShown(html, payload, key);
  return html;
}

const FORM_KEY = "xss-form-key-0000000001";
const orderForm = (intent: string) => ({
  intent,
  formKey: FORM_KEY,
  [`qty.${productId}`]: "2",
  startDate: "2026-04-10",
  period: "3",
  periodUnit: "month",
  templateId,
  company: P.tCompany,
  department: P.department,
  person: P.person,
  postalCode: "105-0011",
  address: P.address,
  building: P.building,
  phone: "03-1234-5678",
  notes: P.notes,
  poNumber: P.poNumber,
});

beforeAll(async () => {
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
  ]);
  productId = (await h.db.selectFrom("products").select("id").executeTakeFirstOrThrow()).id;
  // 会社名 (staff open the account: createAccount).
  await createAccount(h.deps, { ...USER, companyName: P.company, permanentPassword: USER.password });
  const s = await serve(h);
  url = s.url;
  closeServer = s.close;

  const login = await fetch(`${url}/login`, {
    method: "POST",
    body: new URLSearchParams(USER),
    headers: { Origin: url },
    redirect: "manual",
  });
  expect(login.status).toBe(302);
  cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;

  // ユーザ名, through the お客様情報 form.
  expect((await post("/account?index", { intent: "profile", name: P.userName, mfa: "off" })).status).toBe(302);
  // Another browser of the same user, through the caller: draft lines, and later the mails' flows.
  b = h.browser();
  await b.call((c) => c.auth.login(USER));
  await b.call((c) => c.applications.addToDraft({ kind: "order", productId, quantity: 2 }));

  // お届け先テンプレート, through the form.
  const created = await post("/account/templates", {
    name: P.templateName,
    company: P.tCompany,
    department: P.department,
    person: P.person,
    postalCode: "1050011",
    address: P.address,
    building: P.building,
    phone: "03-1234-5678",
  });
  expect(created.status).toBe(302);
  templateId = (await b.call((c) => c.templates.list())).templates[0]?.id as string;

  // A second user who sets a name of their own (shown on 利用者管理 and the delete page).
  await b.call((c) => c.users.add({ email: HANAKO.email }));
  const setup = (await h.mailsTo(HANAKO.email))[0];
  const token = /\/setup-password\/([\w-]+)/.exec(setup?.text ?? "")?.[1] as string;
  const hb = h.browser();
  await hb.call((c) =>
    c.users.completeSetup({ token, newPassword: HANAKO.password, confirmPassword: HANAKO.password }),
  );
  await hb.call((c) => c.auth.login({ loginId: USER.loginId, ...HANAKO }));
  await hb.call((c) => c.account.updateProfile({ name: P.userName2, mfaEnabled: false }));
  hanakoId = (await b.call((c) => c.users.list())).users.find((u) => u.email === HANAKO.email)?.id as string;
});

afterAll(async () => {
  await closeServer?.();
  await h?.close();
});

describe("XSS: every page that shows what a customer typed", () => {
  it("/ and /account: 会社名 and ユーザ名 as text (the header shows them on every page)", async () => {
    await page("/", "/");
    const account = await page("/account", "/account");
    // The name is also the value of the ユーザ名 input: an attribute.
    expect(account).toContain(`value="${reactEscaped(P.userName)}"`);
  });

  it("/account/users and the delete page: the other user's name", async () => {
    expectShown(await page("/account/users", "/account/users"), P.userName2, "/account/users");
    const del = `/account/users/${hanakoId}/delete`;
    expectShown(await page(del, del), P.userName2, del);
  });

  it("/account/templates and the edit page: テンプレート名, 会社名, 部署名, 担当者名, 住所, 建物名", async () => {
    const list = await page("/account/templates", "/account/templates");
    for (const p of [P.templateName, ...DELIVERY_PAYLOADS]) expectShown(list, p, "/account/templates");
    const edit = `/account/templates/${templateId}/edit`;
    const html = await page(edit, edit);
    for (const p of [P.templateName, ...DELIVERY_PAYLOADS]) {
      expect(html, `${edit}: ${p} as an input value`).toContain(`value="${reactEscaped(p)}"`);
    }
  });

  it("/order: the template in its <option>, 届先情報へ反映, the confirmation step, 修正する (textarea), 申し込む", async () => {
    const form = await page("/order", "/order");
    expect(form).toContain(`>${reactEscaped(P.templateName)}</option>`);

    const applied = await page("/order 届先情報へ反映", "/order", { ...orderForm("apply-template"), notes: "" });
    for (const p of DELIVERY_PAYLOADS) expect(applied).toContain(`value="${reactEscaped(p)}"`);

    const confirm = await page("/order 確認", "/order", orderForm("confirm"));
    expect(confirm).toMatch(/注文(?:<!-- -->)?\(確認\)/);
    for (const p of [...DELIVERY_PAYLOADS, P.notes, P.poNumber]) expectShown(confirm, p, "/order 確認");
    // Hidden fields carry them on: attributes.
    expect(confirm).toContain(`name="notes" value="${reactEscaped(P.notes)}"`);

    const back = await page("/order 修正する", "/order", orderForm("back"));
    expect(back).toMatch(new RegExp(`<textarea[^>]*name="notes"[^>]*>${escapeRe(reactEscaped(P.notes))}</textarea>`));

    const submitted = await post("/order", orderForm("submit"));
    expect(submitted.status).toBe(302);
    orderNumber = /O-\d{4}-\d{6}/.exec(submitted.headers.get("location") ?? "")?.[0] as string;
    expect(orderNumber).toBeTruthy();
  });

  it("/account/history and the order's page: 備考, 注文番号(PO), お届け先", async () => {
    expect(orderNumber).toBeTruthy();
    await page("/account/history", "/account/history");
    const detail = `/account/history/${orderNumber}`;
    const html = await page(detail, detail);
    for (const p of [...DELIVERY_PAYLOADS, P.notes, P.poNumber]) expectShown(html, p, detail);
  });

  it("/rentals and the cancel page: 解約 備考 on the confirmation, 修正する, and the cancellation's page", async () => {
    await acceptAll();
    rentalId = (await arrangeOrder(h.deps, orderNumber, { type: "system" })).rentalId;
    await page("/rentals", "/rentals");
    const cancel = `/rentals/${rentalId}/cancel`;
    await page(cancel, cancel);
    const fields = (intent: string) => ({
      intent,
      formKey: "xss-cancel-key-000000001",
      mode: "all",
      returnDate: "2026-05-01",
      notes: P.cancelNotes,
    });
    expectShown(await page(`${cancel} 確認`, cancel, fields("confirm")), P.cancelNotes, `${cancel} 確認`);
    const back = await page(`${cancel} 修正する`, cancel, fields("back"));
    expect(back).toContain(`>${reactEscaped(P.cancelNotes)}</textarea>`);
    const submitted = await post(cancel, fields("submit"));
    expect(submitted.status).toBe(302);
    cancelNumber = /C-\d{4}-\d{6}/.exec(submitted.headers.get("location") ?? "")?.[0] as string;
    const detail = `/account/history/${cancelNumber}`;
    expectShown(await page(detail, detail), P.cancelNotes, detail);
  });

  it("/account/history.csv: formulas neutralised (=, +, -, @), quotes doubled", async () => {
    expect(orderNumber).toBeTruthy();
    const quote = (poNumber: string, i: number) =>
      b.call((c) =>
        c.applications.submit({
          kind: "quote",
          lines: [{ productId, quantity: "1" }],
          startDate: "2026-04-10",
          periodUnit: "month",
          period: "1",
          delivery: {
            company: "アクメ",
            department: "",
            person: "山田",
            postalCode: "105-0011",
            address: "東京都",
            building: "",
            phone: "03-1234-5678",
          },
          notes: "",
          poNumber,
          idempotencyKey: `xss-csv-key-${String(i).padStart(8, "0")}`,
        }),
      );
    const formulas = ["+SUM(1,2)", "-2+3", "@SUM(1)", "=1+1"];
    for (const [i, po] of formulas.entries()) await quote(po, i);
    const res = await fetch(`${url}/account/history.csv`, { headers: { Cookie: cookie } });
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const csv = await res.text();
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""<i>x</i>"")"`);
    for (const po of formulas) expect(csv).toContain(`,"'${po}"\r\n`);
    // No cell starts with a formula character outside its quotes, nor inside them.
    for (const line of csv
      .replace(/^\uFEFF/, "")
      .trimEnd()
      .split("\r\n")) {
      for (const cell of line.match(/"(?:[^"]|"")*"/g) ?? []) expect(cell).not.toMatch(/^"[=+\-@]/);
    }
  });
});

describe("XSS: every mail with a customer's text", () => {
  type Mail = { subject: string; text: string; html: string };
  /** The HTML part shows the text escaped and holds no markup of it; the text part holds it as typed. */
  function expectMail(mail: Mail | undefined, where: string, shown: string[]) {
    expect(mail, where).toBeDefined();
    const m = mail as Mail;
    expectInert(m.html, `${where} (HTML)`, "none");
    for (const value of shown) {
      expect(m.html, `${where} (HTML): ${value}`).toContain(mailEscaped(value));
      // Filled once: a {{…}} a customer typed stays as typed, in both parts.
      expect(m.text, `${where} (text): ${value}`).toContain(value);
    }
    expect(m.subject).not.toMatch(/[<>]/);
  }
  /** The newest mail with that subject (the clock moves before each flow, so "newest" is this flow's). */
  const latest = async (to: string, subject: string) => (await h.mailsTo(to)).find((m) => m.subject.includes(subject));

  it("ログイン通知, お申し込み受付 (注文 and 解約), パスワード再設定, メールアドレス変更依頼", async () => {
    h.clock.advance(1000);
    await b.call((c) => c.auth.login(USER));
    expectMail(await latest(USER.email, "ログイン通知"), "login-notice", [`${P.company} ${P.userName} 様`]);
    expect(orderNumber && cancelNumber).toBeTruthy();
    await acceptAll(); // 申込受付 is mailed once intake accepts
    for (const number of [orderNumber, cancelNumber]) {
      expectMail(await latest(USER.email, `お申し込み受付のお知らせ(${number})`), `application-received ${number}`, [
        `${P.company} ${P.userName} 様`,
      ]);
    }
    h.clock.advance(1000);
    await b.call((c) => c.auth.requestPasswordReset({ loginId: USER.loginId, email: USER.email }));
    expectMail(await latest(USER.email, "パスワード再設定"), "password-reset", [`${P.company} ${P.userName} 様`]);
    await b.call((c) => c.account.requestEmailChange({ currentPassword: USER.password }));
    expectMail(await latest(USER.email, "メールアドレス変更依頼"), "email-change-request", [
      `${P.company} ${P.userName} 様`,
    ]);
  });

  it("パスワード設定依頼 (company) and 利用者削除 (the deleted user's name), after the delete page's POST", async () => {
    expectMail(await latest(HANAKO.email, "パスワード設定依頼"), "password-setup", [P.company]);
    h.clock.advance(1000);
    const res = await post(`/account/users/${hanakoId}/delete`, {});
    expect(res.status).toBe(302);
    expectMail(await latest(HANAKO.email, "利用者削除"), "user-deleted", [`${P.company} ${P.userName2} 様`]);
  });

  it("every template, every variable a payload: <th>/<td>, href attributes and {{…}} stay inert", () => {
    const hostile = `"><script>alert(1)</script>'{{siteName}}`;
    for (const name of Object.keys(mailTemplates) as MailTemplateName[]) {
      const vars = Object.fromEntries(
        mailTemplates[name].vars.map((v) => [
          v,
          // url is made by the server; a quote in it must still not leave the href attribute.
          v === "url" ? `https://example.jp/x?a="onmouseover="alert(1)` : `${v}${hostile}`,
        ]),
      );
      const mail = h.renderer.render(name, vars as never);
      expectInert(mail.html, `render ${name}`, "none");
      for (const [v, value] of Object.entries(vars)) {
        if (v === "url") {
          expect(mail.html, name).toContain(`href="${mailEscaped(value)}"`);
        } else {
          expect(mail.html, `${name} ${v}`).toContain(mailEscaped(value));
        }
        expect(mail.text, `${name} ${v}`).toContain(value);
      }
      expect(mail.text, name).not.toContain("&lt;");
    }
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
