import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAccount, createStaff } from "../../server/services/identity/accounts";
import { insertProducts } from "../../server/services/ordering/catalog";
import { builtinIntake, IntakeWorker } from "../../server/services/ordering/intake";
import { arrangeOrder } from "../../server/services/ordering/rentals";
import { createHarness, type Harness } from "../support/harness";
import { pdfText } from "../support/pdf-text";
import { DELIVERY } from "../support/samples";
import { serve } from "../support/server";
import { signedInStaff } from "../support/staff";

/**
 * 見積書PDF / 注文請書PDF over HTTP (the production build): the download's headers, the login redirect, the
 * detail page's links, and the dev mailbox's JSON listing the status mails' attachments with a URL that serves
 * them (README "For QA suites"). The rules behind them: documents.test.ts.
 */

const USER = {
  loginId: "acme01",
  companyName: "アクメ計測",
  email: "taro@example.jp",
  permanentPassword: "Rental-2026",
};
const STAFF = { email: "ops@example.jp", password: "Staff-2026a" };

let h: Harness;
let url: string;
let close: () => Promise<void>;
let cookie: string;
let keys = 0;

beforeEach(async () => {
  h = await createHarness({ COMPANY_REGISTRATION_NUMBER: "T1234567890123" });
  await insertProducts(h.db, h.clock.now(), [
    {
      modelNo: "DSOX1204G",
      name: "デジタル・オシロスコープ 70MHz 4ch",
      maker: "テスト",
      category: "測定器",
      specSummary: "",
      dailyPrice: 3000,
      monthlyPrice: 36000,
    },
  ]);
  await createAccount(h.deps, USER);
  const s = await serve(h);
  url = s.url;
  close = s.close;
  const login = await fetch(`${url}/login`, {
    method: "POST",
    body: new URLSearchParams({ loginId: USER.loginId, email: USER.email, password: USER.permanentPassword }),
    headers: { Origin: url },
    redirect: "manual",
  });
  cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
});

afterEach(async () => {
  await close();
  await h.close();
});

async function submit(kind: "quote" | "order") {
  const customer = h.browser();
  await customer.call((c) =>
    c.auth.login({ loginId: USER.loginId, email: USER.email, password: USER.permanentPassword }),
  );
  const product = await h.db.selectFrom("products").select("id").executeTakeFirstOrThrow();
  const { number } = await customer.call((c) =>
    c.applications.submit({
      kind,
      lines: [{ productId: product.id, quantity: "2" }],
      startDate: "2026-04-10",
      periodUnit: "month",
      period: "3",
      delivery: DELIVERY,
      notes: "",
      poNumber: "",
      idempotencyKey: `documents-http-${String(++keys).padStart(8, "0")}`,
    }),
  );
  await new IntakeWorker({
    db: h.db,
    clock: h.clock,
    handler: builtinIntake,
    pollIntervalMs: 1000,
    mail: h.deps,
  }).runOnce();
  return number;
}

async function answered() {
  const number = await submit("quote");
  await createStaff(h.deps, { ...STAFF, role: "operator" });
  const staff = await signedInStaff(h, STAFF);
  const { lines } = await staff.call((c) => c.backofficeApplications.get({ number }));
  await staff.call((c) =>
    c.backofficeApplications.answerQuote({
      number,
      unitPrices: Object.fromEntries(lines.map((l) => [l.id, "50000"])),
      validUntil: "2026-04-30",
      comment: "",
    }),
  );
  return number;
}

describe("見積書PDF / 注文請書PDF", () => {
  it("downloads the file under its Japanese name, never cached; the detail page links it", async () => {
    const quote = await answered();
    const page = await (await fetch(`${url}/account/history/${quote}`, { headers: { Cookie: cookie } })).text();
    expect(page).toContain(`href="/account/history/${quote}/quote.pdf"`);
    expect(page).toContain("見積書PDF");
    expect(page).not.toContain("注文請書PDF");
    // The printout's head: the issuer with its registration number (shown on paper only).
    // (React separates adjacent text parts with an empty comment: compared without it.)
    expect(page.replaceAll("<!-- -->", "")).toContain("登録番号 T1234567890123");

    const res = await fetch(`${url}/account/history/${quote}/quote.pdf`, { headers: { Cookie: cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("cache-control")).toBe("no-store, private");
    const filename = `見積書_${quote}.pdf`;
    expect(res.headers.get("content-disposition")).toBe(
      `attachment; filename="____${quote}.pdf"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(Number(res.headers.get("content-length"))).toBe(bytes.byteLength);
    const { flat } = await pdfText(bytes);
    expect(flat).toContain(`見積書No.${quote}`.replace("見積書", ""));
    expect(flat).toContain("合計110,000円");
  });

  it("signed out: the login page, and back to the file after it; no document: 404 with a Japanese word", async () => {
    const quote = await submit("quote");
    const anonymous = await fetch(`${url}/account/history/${quote}/quote.pdf`, { redirect: "manual" });
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.get("location")).toBe(
      `/login?redirectTo=${encodeURIComponent(`/account/history/${quote}/quote.pdf`)}`,
    );
    const early = await fetch(`${url}/account/history/${quote}/quote.pdf`, { headers: { Cookie: cookie } });
    expect(early.status).toBe(404);
    expect(await early.text()).toBe("見積書は、当社が見積に回答した後にご利用いただけます。");
    const unknown = await fetch(`${url}/account/history/O-2026-999999/order.pdf`, { headers: { Cookie: cookie } });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe("指定されたお申し込みは見つかりません。");
    const page = await (await fetch(`${url}/account/history/${quote}`, { headers: { Cookie: cookie } })).text();
    expect(page).not.toContain("見積書PDF");
  });
});

describe("the dev mailbox", () => {
  it("lists each mail's attachments (filename, contentType, size, url) and serves them", async () => {
    const order = await submit("order");
    await arrangeOrder(h.deps, order, { type: "system" });
    await h.worker.runOnce();
    const json = (await (await fetch(`${url}/dev/mailbox/messages.json?to=${USER.email}`)).json()) as {
      messages: {
        subject: string;
        attachments: { id: string; filename: string; contentType: string; size: number; url: string }[];
      }[];
    };
    const arranged = json.messages.find((m) => m.subject.includes("手配完了のお知らせ"));
    expect(arranged?.attachments).toEqual([
      {
        id: expect.any(String),
        filename: `注文請書_${order}.pdf`,
        contentType: "application/pdf",
        size: expect.any(Number),
        url: expect.stringMatching(/^\/dev\/mailbox\/[^/]+\/attachments\/[^/]+$/),
      },
    ]);
    // Mails without files say so with an empty list.
    expect(json.messages.find((m) => m.subject.includes("お申し込み受付"))?.attachments).toEqual([]);
    const file = arranged?.attachments[0];
    const res = await fetch(`${url}${file?.url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("content-disposition")).toContain(
      `filename*=UTF-8''${encodeURIComponent(`注文請書_${order}.pdf`)}`,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.byteLength).toBe(file?.size);
    expect((await pdfText(bytes)).flat).toContain(`注文請書${order}1/1`);
    // The mailbox page links it too; an unknown attachment is 404.
    const messagePage = await (await fetch(`${url}${file?.url.replace(/\/attachments\/.*$/, "")}`)).text();
    expect(messagePage).toContain(`注文請書_${order}.pdf`);
    expect((await fetch(`${url}${file?.url}x`)).status).toBe(404);
  });
});
