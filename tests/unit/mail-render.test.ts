import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config";
import { MailRenderer } from "../../server/mail/render";

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
