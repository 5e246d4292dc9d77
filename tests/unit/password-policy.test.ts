import { describe, expect, it } from "vitest";
import {
  checkPassword,
  commonPasswords,
  isCommonPassword,
  passwordRules,
} from "../../server/services/identity/password-policy";

const ctx = { loginId: "acme01", email: "taro.yamada@example.jp", symbols: ".-_" };
const rules = (pw: string, extra: Partial<typeof ctx & { currentPassword: string }> = {}) =>
  checkPassword(pw, { ...ctx, ...extra }).map((v) => v.rule);

describe("password policy", () => {
  it.each([
    ["Kqmzrt7", ["length"]],
    ["Kqmzrtw7", []],
    ["Kqmzrtwvbn12", []],
    ["Kqmzrtwvbn123", ["length"]],
    ["ＡＢ１kqmzRT7", ["charset"]],
    ["Kqmz!rtw7", ["charset"]],
    ["Kqmz rtw7", ["charset"]],
    ["Kq.m-z_rt7", []],
    ["kqmzrtw7", ["uppercase"]],
    ["KQMZRTW7", ["lowercase"]],
    ["Kqmzrtwv", ["digit"]],
    ["xAcMe01-Zz", ["contains_login_id"]],
    ["Yamada-Taro1", []],
    ["Taro.yamada1", ["contains_email"]],
    ["Password1", ["common"]],
    ["pass.WORD1", ["common"]],
    ["Qwerty123", ["common"]],
  ])("%s → %j", (pw, expected) => {
    expect(rules(pw)).toEqual(expected);
  });

  it("refuses the current password, given in clear or checked against its hash", () => {
    expect(rules("Kqmzrtw7", { currentPassword: "Kqmzrtw7" })).toEqual(["same_as_current"]);
    expect(checkPassword("Kqmzrtw7", { ...ctx, sameAsCurrent: true }).map((v) => v.rule)).toEqual(["same_as_current"]);
  });

  it("reports every violated rule at once, in Japanese", () => {
    const v = checkPassword("ｐ", ctx);
    expect(v.map((x) => x.rule)).toEqual(["length", "charset", "uppercase", "lowercase", "digit"]);
    expect(v.every((x) => /[ぁ-んァ-ン一-龯]/.test(x.message))).toBe(true);
  });

  it("follows the configured symbols", () => {
    expect(checkPassword("Kqmz!rtw7", { ...ctx, symbols: ".-_!" })).toEqual([]);
    expect(passwordRules(".-_!")[1]).toContain("「!」");
  });

  it("ships at least 1,000 common passwords that could otherwise pass the rules", () => {
    const list = commonPasswords();
    expect(list.size).toBeGreaterThanOrEqual(1000);
    expect(isCommonPassword("TrustNo1")).toBe(true);
    expect(isCommonPassword("Kqmzrtw7")).toBe(false);
  });
});
