import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config";
import { compileTemplates, EMAILS_DIR, emailSourcesDigest, MailRenderer } from "../../server/mail/render";

let renderer: MailRenderer;
const site = {
  ...loadConfig({}).site,
  companyName: "テストレンタル株式会社",
  contactPhone: "0120-11-2222",
  contactHours: "平日 9:00〜17:00",
};
const vars = {
  accountCompany: "アクメ計測",
  userName: `<script>alert("x")</script>`,
  loginAt: "2026/04/01 09:00:00 (日本時間)",
  loginId: "acme01",
  ip: "203.0.113.1",
  browser: "Chrome 131 (Windows)",
  reportUrl: "https://example.jp/login-report/abc",
  reportExpiresAt: "2026/04/02 09:00 (日本時間)",
};

beforeAll(async () => {
  renderer = await MailRenderer.compile(site);
});

describe("mail templates", () => {
  it("puts the company and contact center at the foot of both parts", () => {
    const mail = renderer.render("login-notice", vars);
    for (const part of [mail.html, mail.text]) {
      expect(part).toContain("テストレンタル株式会社");
      expect(part).toContain("0120-11-2222");
      expect(part).toContain("平日 9:00〜17:00");
      expect(part).toContain("送信専用");
    }
  });

  it("never nests brackets around the default reception hours (which carry their own)", async () => {
    const defaults = loadConfig({}).site;
    expect(defaults.contactHours).toContain(")");
    const plain = await MailRenderer.compile(defaults);
    for (const template of ["login-notice", "user-deleted"] as const) {
      const mail = plain.render(template, { ...vars, deletedAt: vars.loginAt });
      expect(mail.text).not.toMatch(/[))]\s*[))]/);
      expect(mail.text).toContain(defaults.contactHours);
    }
  });

  it("applies the shared head (fonts) from the included partial", () => {
    expect(renderer.render("login-notice", vars).html).toContain("Hiragino Kaku Gothic ProN");
  });

  it("escapes values in HTML and keeps them as typed in text", () => {
    const mail = renderer.render("login-notice", vars);
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).toContain("&lt;script&gt;");
    expect(mail.text).toContain(`<script>alert("x")</script> 様`);
  });

  it("refuses to send a mail with a missing value", () => {
    const { ip: _ip, ...missing } = vars;
    expect(() => renderer.render("login-notice", missing as typeof vars)).toThrow(/\{\{ip\}\}/);
  });
});

describe("templates compiled by the build (MailRenderer.load)", () => {
  async function compiledFile(dir: string, sources: string, mark: string) {
    const templates = Object.fromEntries(
      [...(await compileTemplates())].map(([name, t]) => [
        name,
        { html: t.html.replace("<body", `<body data-mark="${mark}"`), text: t.text },
      ]),
    );
    const file = path.join(dir, "emails.json");
    fs.writeFileSync(file, JSON.stringify({ sources, templates }));
    return file;
  }

  it("uses the build's templates when they were compiled from the sources as they are now", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-mails-"));
    const file = await compiledFile(dir, await emailSourcesDigest(), "from-build");
    const loaded = await MailRenderer.load(site, { file });
    const mail = loaded.render("login-notice", vars);
    expect(mail.html).toContain('data-mark="from-build"');
    // The same mail as compiled now, but for the mark.
    expect(mail.html.replace(' data-mark="from-build"', "")).toBe(renderer.render("login-notice", vars).html);
    expect(mail.text).toBe(renderer.render("login-notice", vars).text);
  });

  it("compiles at start instead when a template changed after the build, or there is no build", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-mails-"));
    const stale = await compiledFile(dir, "0".repeat(64), "stale");
    expect((await MailRenderer.load(site, { file: stale })).render("login-notice", vars).html).not.toContain("stale");
    const none = await MailRenderer.load(site, { file: path.join(dir, "missing.json") });
    expect(none.render("login-notice", vars).html).toBe(renderer.render("login-notice", vars).html);
  });

  it("the digest covers every template and text twin: an edit changes it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-mails-"));
    for (const name of fs.readdirSync(EMAILS_DIR)) fs.copyFileSync(path.join(EMAILS_DIR, name), path.join(dir, name));
    const before = await emailSourcesDigest(dir);
    expect(before).toBe(await emailSourcesDigest());
    fs.appendFileSync(path.join(dir, "otp.txt"), " ");
    expect(await emailSourcesDigest(dir)).not.toBe(before);
  });
});
