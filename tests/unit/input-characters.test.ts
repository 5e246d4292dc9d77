import { describe, expect, it } from "vitest";
import { fieldErrorsOf } from "../../server/trpc/field-errors";
import {
  CONTROL_CHARACTER,
  characterIssues,
  characterProblem,
  LINE_BREAK,
  MULTI_LINE_FIELDS,
} from "../../server/trpc/input-characters";
import { expectJapanese } from "../support/japanese";
import { leaves, proceduresWithInput } from "../support/router-inputs";

/** The messages per form field a raw input is refused with, as a form reads them. */
const refusal = (raw: unknown) => fieldErrorsOf({ cause: { issues: characterIssues(raw) } } as never);

describe("characterProblem: what no text may hold", () => {
  it.each([
    ["NUL", "\u0000"],
    ["BEL", "\u0007"],
    ["backspace", "\b"],
    ["vertical tab", "\u000b"],
    ["form feed", "\f"],
    ["escape (terminal colours)", "\u001b[31m"],
    ["unit separator", "\u001f"],
    ["DEL", "\u007f"],
    ["C1: NEL", "\u0085"],
    ["C1: CSI", "\u009b"],
    ["line separator", "\u2028"],
    ["paragraph separator", "\u2029"],
    ["right-to-left override", "\u202e"],
    ["left-to-right mark", "\u200e"],
    ["first strong isolate", "\u2068"],
    ["Arabic letter mark", "\u061c"],
    ["lone high surrogate", "\ud83d"],
    ["lone low surrogate", "\ude00"],
    ["surrogates in the wrong order", "\ude00\ud83d"],
  ])("%s is refused in every field, a textarea too", (_, char) => {
    for (const text of [char, `前${char}後`, `${char}abc`]) {
      expect(characterProblem(text, false)).toBe(CONTROL_CHARACTER);
      expect(characterProblem(text, true)).toBe(CONTROL_CHARACTER);
    }
  });

  it.each([
    "アクメ計測株式会社",
    "ＡＣＭＥ　１２３",
    "山田 太郎",
    "東京都港区芝公園4-2-8",
    "Rental-2026!",
    "😀 👨‍👩‍👧 🇯🇵", // surrogate pairs and joiners
    "髙橋 𠮷野家", // characters outside the BMP
    "\ufeff先頭のBOM",
    "ゼロ幅\u200bスペース",
    "",
  ])("%j is plain text", (text) => {
    expect(characterProblem(text, false)).toBeUndefined();
    expect(characterProblem(text, true)).toBeUndefined();
  });

  it("line breaks: their own message in a one-line field, kept in a textarea", () => {
    for (const text of ["一行目\n二行目", "一行目\r\n二行目", "末尾\r", "\n"]) {
      expect(characterProblem(text, false)).toBe(LINE_BREAK);
      expect(characterProblem(text, true)).toBeUndefined();
    }
  });

  it("a tab: a control character in a one-line field, kept in a textarea", () => {
    expect(characterProblem("品番\t数量", false)).toBe(CONTROL_CHARACTER);
    expect(characterProblem("品番\t数量", true)).toBeUndefined();
  });

  it("a control character outweighs a line break", () => {
    expect(characterProblem("一行目\n\u0000", false)).toBe(CONTROL_CHARACTER);
  });

  it("the messages are Japanese", () => {
    expectJapanese(CONTROL_CHARACTER);
    expectJapanese(LINE_BREAK);
  });
});

describe("characterIssues: the raw input of a procedure, keyed by form field", () => {
  it("finds nothing in plain input of any shape", () => {
    for (const raw of [undefined, null, 3, true, "abc", [], {}, { a: ["x", { b: 1 }] }, new Date()]) {
      expect(characterIssues(raw)).toEqual([]);
    }
  });

  it("keys a value by its field, a nested one by its own name", () => {
    expect(refusal({ loginId: "a\u0000", email: "b", delivery: { company: "ア\nイ", phone: "03" } })).toEqual({
      loginId: [CONTROL_CHARACTER],
      company: [LINE_BREAK],
    });
  });

  it("keys a line's 数量 by the id the form names it by", () => {
    expect(
      refusal({
        lines: [
          { productId: "p1", quantity: "1" },
          { productId: "p2", quantity: "3\u0000" },
        ],
      }),
    ).toEqual({
      "qty.p2": [CONTROL_CHARACTER],
    });
    expect(refusal({ quantities: { l1: "1", l2: "\u00002" } })).toEqual({ "qty.l2": [CONTROL_CHARACTER] });
    expect(refusal({ lines: [{ productId: "p\u0000", quantity: "3" }] })).toEqual({ lines: [CONTROL_CHARACTER] });
  });

  it("refuses a name of a key at the object that holds it", () => {
    expect(refusal({ quantities: { "l\u00001": "1" } })).toEqual({ quantities: [CONTROL_CHARACTER] });
    expect(refusal({ "a\nb": "1" })).toEqual({ _form: [LINE_BREAK] });
  });

  it("refuses a bare text input at the form", () => {
    expect(refusal("\u0000")).toEqual({ _form: [CONTROL_CHARACTER] });
  });

  it("keeps line breaks and tabs in a textarea (備考) only, at any depth", () => {
    expect(refusal({ notes: "一行目\r\n\t二行目", delivery: { notes: "a\nb" } })).toEqual({});
    expect(refusal({ poNumber: "a\nb", notes: "a\nb" })).toEqual({ poNumber: [LINE_BREAK] });
  });

  it("one message per field", () => {
    expect(
      refusal({ lines: [{ productId: "\u0000" }, { productId: "\u0001" }, { productId: "\u0002", quantity: "1" }] }),
    ).toEqual({ lines: [CONTROL_CHARACTER] });
  });

  it("walks a deeply nested request without overflowing, and a cyclic object once", () => {
    let deep: unknown = "\u0000";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(refusal({ x: deep })).toEqual({ x: [CONTROL_CHARACTER] });
    let everywhere: unknown[] = [];
    for (let i = 0; i < 50_000; i++) everywhere = ["\u0000", everywhere];
    expect(refusal({ x: everywhere })).toEqual({ x: [CONTROL_CHARACTER] });
    const cyclic: Record<string, unknown> = { name: "ok" };
    cyclic.self = cyclic;
    expect(characterIssues(cyclic)).toEqual([]);
  });

  it("names no value in an issue (a password stays out of errors and logs)", () => {
    const [issue] = characterIssues({ password: "secret\u0000" });
    expect(JSON.stringify(issue)).not.toContain("secret");
  });
});

describe("MULTI_LINE_FIELDS", () => {
  it("names only fields some procedure has (no stale entry)", () => {
    const keys = new Set(proceduresWithInput().flatMap(([, schema]) => leaves(schema).map((leaf) => leaf.key)));
    for (const name of MULTI_LINE_FIELDS) expect(keys, name).toContain(name);
  });
});
