import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, loadConfig } from "../../server/config";
import { readDate, readNumber } from "../../server/routers/form-values";
import { fieldErrorsOf, fieldKeyOf } from "../../server/trpc/field-errors";
import { japaneseMessage } from "../../server/trpc/japanese-errors";
import { expectJapanese } from "../support/japanese";
import { allProcedures, leaves, proceduresWithInput } from "../support/router-inputs";

describe("readNumber: what a number field's text means", () => {
  it.each([
    ["", { ok: false, message: "数量を入力してください。" }],
    ["   ", { ok: false, message: "数量を入力してください。" }],
    [undefined, { ok: false, message: "数量を入力してください。" }],
    [Number.NaN, { ok: false, message: "数量を入力してください。" }],
    ["abc", { ok: false, message: "数量は数字で入力してください。" }],
    ["三", { ok: false, message: "数量は数字で入力してください。" }],
    ["1e3", { ok: false, message: "数量は数字で入力してください。" }],
    ["1,000", { ok: false, message: "数量は数字で入力してください。" }],
    [Number.POSITIVE_INFINITY, { ok: false, message: "数量は数字で入力してください。" }],
    ["3", { ok: true, value: 3 }],
    [" 3 ", { ok: true, value: 3 }],
    ["３", { ok: true, value: 3 }],
    ["１２", { ok: true, value: 12 }],
    ["　１２　", { ok: true, value: 12 }],
    // Decimals and negatives are numbers: the service refuses them, naming its limits.
    ["1.5", { ok: true, value: 1.5 }],
    ["－１", { ok: true, value: -1 }],
    ["100", { ok: true, value: 100 }],
    [7, { ok: true, value: 7 }],
  ])("%j → %j", (value, expected) => {
    expect(readNumber(value, "数量")).toEqual(expected);
  });

  it("reads a blank as the form's meaning when it has one (解約数量: none)", () => {
    expect(readNumber("", "解約数量", 0)).toEqual({ ok: true, value: 0 });
    expect(readNumber("x", "解約数量", 0)).toEqual({ ok: false, message: "解約数量は数字で入力してください。" });
  });
});

describe("readDate: what a date field's text means", () => {
  const FORMAT = "返却希望日は年-月-日(例: 2026-04-01)の形式で入力してください。";
  const NO_SUCH_DAY = "返却希望日に正しい日付を入力してください。";
  it.each([
    ["", { ok: true, value: "" }],
    ["2026-04-01", { ok: true, value: "2026-04-01" }],
    ["２０２６－０４－０１", { ok: true, value: "2026-04-01" }],
    ["2026/4/1", { ok: true, value: "2026-04-01" }],
    ["2026年4月1日", { ok: true, value: "2026-04-01" }],
    ["2028-02-29", { ok: true, value: "2028-02-29" }],
    ["来週", { ok: false, message: FORMAT }],
    ["20260401", { ok: false, message: FORMAT }],
    ["2026-04-01T00:00", { ok: false, message: FORMAT }],
    ["2026-02-30", { ok: false, message: NO_SUCH_DAY }],
    ["2026-13-01", { ok: false, message: NO_SUCH_DAY }],
    ["0099-01-01", { ok: false, message: NO_SUCH_DAY }],
  ])("%j → %j", (value, expected) => {
    expect(readDate(value, "返却希望日")).toEqual(expected);
  });
});

describe("the Japanese error map", () => {
  it("words every kind of issue in Japanese", () => {
    const issues = [
      { code: "invalid_type", expected: "number", input: undefined },
      { code: "invalid_type", expected: "number", input: "x" },
      { code: "too_small", origin: "string", minimum: 1, inclusive: true, input: "" },
      { code: "too_small", origin: "string", minimum: 8, inclusive: true, input: "" },
      { code: "too_small", origin: "number", minimum: 1, inclusive: true, input: 0 },
      { code: "too_small", origin: "number", minimum: 0, inclusive: false, input: 0 },
      { code: "too_small", origin: "array", minimum: 1, inclusive: true, input: [] },
      { code: "too_small", origin: "date", minimum: 0, inclusive: true, input: new Date() },
      { code: "too_big", origin: "string", maximum: 10, inclusive: true, input: "" },
      { code: "too_big", origin: "number", maximum: 99, inclusive: true, input: 100 },
      { code: "too_big", origin: "number", maximum: 99, inclusive: false, input: 100 },
      { code: "too_big", origin: "array", maximum: 30, inclusive: true, input: [] },
      { code: "too_big", origin: "file", maximum: 30, inclusive: true, input: null },
      { code: "invalid_format", format: "email", input: "x" },
      { code: "invalid_format", format: "regex", pattern: /x/, input: "y" },
      { code: "not_multiple_of", divisor: 5, input: 3 },
      { code: "invalid_value", values: ["quote", "order"], input: "x" },
      { code: "unrecognized_keys", keys: ["extra"], input: {} },
      { code: "invalid_union", errors: [], input: true },
      { code: "invalid_key", origin: "record", issues: [], input: "k" },
      { code: "invalid_element", origin: "map", key: "k", issues: [], input: {} },
      { code: "custom", input: null },
    ] as unknown as z.core.$ZodRawIssue[];
    for (const issue of issues) expectJapanese(japaneseMessage(issue));
  });

  it("is installed where the routers are built: any schema without its own message answers in Japanese", () => {
    // Importing the router (done above) installed it.
    const result = z.object({ n: z.number(), s: z.string().max(2), e: z.enum(["a", "b"]) }).safeParse({
      n: Number.NaN,
      s: "abc",
      e: "c",
    });
    expect(result.success).toBe(false);
    for (const issue of result.error?.issues ?? []) expectJapanese(issue.message);
  });

  it("leaves the operators' configuration messages in English", () => {
    const problems = (() => {
      try {
        loadConfig({ MAIL_TRANSPORT: "pigeon" });
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
      }
      return [];
    })();
    expect(problems[0]).toMatch(/^MAIL_TRANSPORT: Invalid option/);
  });
});

describe("field keys of nested values", () => {
  it.each([
    [{ path: ["email"], message: "" }, "email"],
    [{ path: ["delivery", "company"], message: "" }, "company"],
    [{ path: ["lines", 2, "quantity"], message: "", params: { field: "qty.p1" } }, "qty.p1"],
    [{ path: ["quantities", "l1"], message: "", params: { field: "qty.l1" } }, "qty.l1"],
    [{ path: ["lines", 2, "productId"], message: "" }, "lines"],
    [{ path: [], message: "" }, "_form"],
  ])("%j → %s", (issue, key) => {
    expect(fieldKeyOf(issue)).toBe(key);
  });
});

/**
 * Every input schema of every procedure, walked field by field with what a form can send (text:
 * blank, not a number, full-width, far too long) and what a program might (nothing, null, a wrong
 * type): every message is Japanese, and each issue of the field lands on the key its form shows it at.
 */
describe("every field of every router input", () => {
  const TYPED = ["", "  ", "abc", "三", "１２３", "ＡＢＣ", "-1", "1.5", "9".repeat(5000), "あ".repeat(5000)];
  const PROGRAMS: unknown[] = [undefined, null, true, 1e9, Number.NaN, {}, []];

  for (const [path, schema] of proceduresWithInput()) {
    it(path, () => {
      expect(schema).toBeInstanceOf(z.ZodObject);
      for (const leaf of leaves(schema)) {
        for (const value of [...TYPED, ...PROGRAMS]) {
          const result = schema.safeParse(leaf.put(value));
          if (result.success) continue;
          for (const issue of result.error.issues) expectJapanese(issue.message);
          // What forms send is text: its issues are shown beside the field.
          if (typeof value !== "string") continue;
          const at = leaf.name.split(".");
          const own = result.error.issues.filter((i) => at.every((segment, n) => i.path[n] === segment));
          for (const issue of own)
            expect(fieldKeyOf(issue), `${path} ${leaf.name} ${JSON.stringify(value)}`).toBe(leaf.key);
        }
      }
    });
  }

  it("keys a refused input the way the forms read it", () => {
    const schema = allProcedures["applications.check"]?._def.inputs[0] as z.ZodObject;
    const result = schema.safeParse({
      kind: "order",
      lines: [
        { productId: "p1", quantity: "" },
        { productId: "p2", quantity: "x" },
      ],
      period: "",
    });
    const errors = fieldErrorsOf({ cause: result.error } as never);
    expect(errors["qty.p1"]).toEqual(["数量を入力してください。"]);
    expect(errors["qty.p2"]).toEqual(["数量は数字で入力してください。"]);
    expect(errors.period).toEqual(["レンタル期間を入力してください。"]);
  });
});
