import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { displayDate } from "../../app/utils/dates";
import { telHref } from "../../app/utils/format";
import { safeRedirect } from "../../app/utils/redirect";
import { formatDate, formatTokyo, formatTokyoShort, tokyoDateString } from "../../server/lib/format";
import { backoffMs } from "../../server/lib/leased-queue";
import { describeUserAgent } from "../../server/lib/user-agent";
import { isValidEmail, normalizeEmail } from "../../server/services/identity/normalize";

describe("safeRedirect", () => {
  it.each([
    ["/account/users?x=1", "/account/users?x=1"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["/ok\nSet-Cookie:x", "/"],
    [null, "/"],
    // A Location header carries bytes: anything beyond ASCII is percent-encoded (UTF-8), once.
    ["/products?keyword=計測器", "/products?keyword=%E8%A8%88%E6%B8%AC%E5%99%A8"],
    ["/products?keyword=%E8%A8%88", "/products?keyword=%E8%A8%88"],
    ["/商品#一覧", "/%E5%95%86%E5%93%81#%E4%B8%80%E8%A6%A7"],
    ["/a b?q=é", "/a%20b?q=%C3%A9"],
    ["/\uD800", "/%EF%BF%BD"],
  ])("%s → %s", (to, expected) => {
    expect(safeRedirect(to)).toBe(expected);
  });
});

describe("formatTokyo", () => {
  it("shows Japan time, across the date line", () => {
    expect(formatTokyo(new Date("2026-03-31T15:30:00Z"))).toBe("2026/04/01 00:30:00 (日本時間)");
  });

  // The formatters add nine hours to UTC (Japan has had no daylight saving since 1951): the same answers as
  // Intl's Asia/Tokyo time zone, from 1970 to 2200, at any millisecond.
  it("answers as Intl's Asia/Tokyo does, for any instant from 1970 to 2200", () => {
    const fields = { year: "numeric", month: "2-digit", day: "2-digit" } as const;
    const intlTime = new Intl.DateTimeFormat("ja-JP", {
      timeZone: "Asia/Tokyo",
      ...fields,
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hour12: false,
    });
    const intlDate = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Tokyo", ...fields });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(2200, 0, 1) }), (ms) => {
        const date = new Date(ms);
        expect(formatTokyo(date)).toBe(`${intlTime.format(date)} (日本時間)`);
        expect(formatTokyoShort(date)).toBe(intlTime.format(date).slice(0, 16));
        expect(tokyoDateString(date)).toBe(intlDate.format(date));
      }),
      { numRuns: 5000, seed: 19 },
    );
    for (const iso of ["2026-12-31T14:59:59.999Z", "2026-12-31T15:00:00.000Z", "2028-02-28T15:00:00Z"]) {
      const date = new Date(iso);
      expect(formatTokyo(date)).toBe(`${intlTime.format(date)} (日本時間)`);
      expect(tokyoDateString(date)).toBe(intlDate.format(date));
    }
  });

  it("refuses an invalid date, as Intl did", () => {
    expect(() => formatTokyo(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => tokyoDateString(new Date("x"))).toThrow(RangeError);
  });
});

describe("describeUserAgent", () => {
  it.each([
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
      "Chrome 131 (Windows)",
    ],
    [
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
      "Edge 131 (Windows)",
    ],
    [
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      "Safari 17 (iOS)",
    ],
    ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox 128 (Linux)"],
    ["curl/8.5.0", "curl"],
    [null, "不明"],
  ])("%s → %s", (ua, expected) => {
    expect(describeUserAgent(ua)).toBe(expected);
  });
});

describe("mail backoff", () => {
  it("doubles from 5 s and stops growing at 30 min", () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(backoffMs(30)).toBe(30 * 60_000);
  });
});

describe("emails", () => {
  it("normalises by trimming and lower-casing", () => {
    expect(normalizeEmail("  Taro@Example.JP ")).toBe("taro@example.jp");
  });
  it("puts the local part in NFKC (full-width and other compatibility forms) before lower-casing", () => {
    expect(normalizeEmail("ｖｉｃｔｉｍ@example.jp")).toBe("victim@example.jp");
    expect(normalizeEmail("　ＶＩＣＴＩＭ@Example.jp　")).toBe("victim@example.jp");
    expect(normalizeEmail("ﬀ\u212A@example.jp")).toBe("ffk@example.jp");
    // Text without an ASCII "@" is no address: left as it was (a wrong combination at login).
    expect(normalizeEmail("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ")).toBe("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ");
  });
  it("is idempotent: a normalised address normalises to itself", () => {
    for (const e of [
      "ｖｉｃｔｉｍ@example.jp",
      "İstanbul@example.jp",
      "Ω㍿@example.jp",
      "a＠b@example.jp",
      "¨x@x.jp",
      "ÅÉ@x.jp",
    ]) {
      const once = normalizeEmail(e);
      expect(normalizeEmail(once)).toBe(once);
    }
  });
  it.each([
    ["taro@example.jp", true],
    ["taro.yamada+order@sub.example.co.jp", true],
    ["taro@", false],
    ["taro example.jp", false],
    ["taro@example", false],
  ])("%s valid: %s", (email, ok) => {
    expect(isValidEmail(email)).toBe(ok);
  });
});

describe("one date format everywhere: 2026/11/26, and 2026/11/26 14:05 with a time", () => {
  it("formats dates the same on pages and in mails", () => {
    expect(displayDate("2026-11-26")).toBe("2026/11/26");
    expect(formatDate("2026-11-26")).toBe("2026/11/26");
    expect(displayDate(null)).toBe("—");
    expect(formatDate(null)).toBe("—");
    expect(formatTokyoShort(new Date("2026-11-26T05:05:00Z"))).toBe("2026/11/26 14:05");
  });
});

describe("telHref", () => {
  it.each([
    ["0120-000-000", "tel:0120000000"],
    ["+81 3-1234-5678", "tel:+81312345678"],
    [" (03) 1234 5678 ", "tel:0312345678"],
  ])("%j → %j", (phone, href) => {
    expect(telHref(phone)).toBe(href);
  });
});
