import { describe, expect, it } from "vitest";
import { checkPassword, passwordRules } from "../../server/services/password-policy";

const ctx = { loginId: "acme01", email: "taro.yamada@example.jp", symbols: ".-_" };
const rules = (pw: string, extra: Partial<typeof ctx & { currentPassword: string }> = {}) =>
  checkPassword(pw, { ...ctx, ...extra }).map((v) => v.rule);

describe("password policy", () => {
  it.each([
    ["Abcdef1", ["length"]],
    ["Abcdefg1", []],
    ["Abcdefghij12", []],
    ["Abcdefghij123", ["length"]],
    ["ＡＢ１abcdEF1", ["charset"]],
    ["Abcd!efg1", ["charset"]],
    ["Abcd efg1", ["charset"]],
    ["Ab.c-d_e1", []],
    ["abcdefg1", ["uppercase"]],
    ["ABCDEFG1", ["lowercase"]],
    ["Abcdefgh", ["digit"]],
    ["xAcMe01-Zz", ["contains_login_id"]],
    ["Yamada-Taro1", []],
    ["Taro.yamada1", ["contains_email"]],
  ])("%s → %j", (pw, expected) => {
    expect(rules(pw)).toEqual(expected);
  });

  it("refuses the current password", () => {
    expect(rules("Abcdefg1", { currentPassword: "Abcdefg1" })).toEqual(["same_as_current"]);
  });

  it("reports every violated rule at once, in Japanese", () => {
    const v = checkPassword("ｐ", ctx);
    expect(v.map((x) => x.rule)).toEqual(["length", "charset", "uppercase", "lowercase", "digit"]);
    expect(v.every((x) => /[ぁ-んァ-ン一-龯]/.test(x.message))).toBe(true);
  });

  it("follows the configured symbols", () => {
    expect(checkPassword("Abcd!efg1", { ...ctx, symbols: ".-_!" })).toEqual([]);
    expect(passwordRules(".-_!")[1]).toContain("「!」");
  });
});
