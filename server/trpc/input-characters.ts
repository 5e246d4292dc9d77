import type { z } from "zod";
import { fieldKeyOf } from "./field-errors";

/**
 * Characters no text of any input may hold, checked on the raw input of every procedure before its
 * schema reads it (the base procedure's middleware, ./init.ts), so a procedure added later is covered
 * without a line of its own. A NUL byte reached PostgreSQL and failed the query with a 500 ("invalid
 * byte sequence for encoding UTF8: 0x00"); SQLite stored it. The others are refused for what they do
 * downstream: control characters and DEL in mails, CSV and logs; line and paragraph separators break
 * lines where no line may break; bidirectional controls reorder what staff read ("Trojan Source");
 * a lone surrogate is no character at all (PostgreSQL's driver would silently store U+FFFD instead).
 *
 * - Never: C0 and C1 controls and DEL (\p{Cc}), lone surrogates (\p{Cs}), U+2028 / U+2029 (\p{Zl},
 *   \p{Zp}) and the bidirectional controls (\p{Bidi_Control}: U+061C, U+200E/F, U+202A–E, U+2066–9).
 * - Tab, CR and LF only in a multi-line field (a textarea, MULTI_LINE_FIELDS); in any other field a
 *   CR or LF gets its own message, a tab is a control character like the rest.
 *
 * Ids, tokens, passwords and hidden fields are checked the same way: none of them ever holds one.
 */

export const CONTROL_CHARACTER = "使用できない文字(制御文字)が含まれています。";
export const LINE_BREAK = "改行は入力できません。";

/**
 * The form fields that are textareas, by the name the form gives them (the key fieldKeyOf shows a
 * message at; forms are flat, ADR 012): there a user types line breaks and pastes tabs. Every other
 * field is one line. A new textarea adds its name here (its first test with a line break says so);
 * a back-office field named `notes` is a textarea too, and so is 見積回答's `comment`.
 */
export const MULTI_LINE_FIELDS: ReadonlySet<string> = new Set(["notes", "comment"]);

const REFUSED = /[\p{Cc}\p{Cs}\p{Zl}\p{Zp}\p{Bidi_Control}]/u;
const REFUSED_ALL = new RegExp(REFUSED.source, "gu");

/** What is wrong with one text: a character no field may hold, a line break in a one-line field, or nothing. */
export function characterProblem(text: string, multiLine: boolean): string | undefined {
  if (!REFUSED.test(text)) return undefined;
  let lineBreak = false;
  for (const [char] of text.matchAll(REFUSED_ALL)) {
    if (char === "\n" || char === "\r") lineBreak ||= !multiLine;
    else if (!(char === "\t" && multiLine)) return CONTROL_CHARACTER;
  }
  return lineBreak ? LINE_BREAK : undefined;
}

type Path = (string | number)[];

/** A value met on the walk: the key it is under and the node of the object or list holding it. */
interface Node {
  value: unknown;
  key?: string | number;
  parent?: Node;
}

/** Its path from the input's root; built only for a value that is refused (a deep walk copies no paths). */
function pathOf(node: Node): Path {
  const path: Path = [];
  for (let n: Node | undefined = node; n?.parent; n = n.parent) path.push(n.key as string | number);
  return path.reverse();
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * The form field a value of the raw input is shown at: fieldKeyOf's rule, except a line's 数量, which
 * the form names by its id as the schemas do (`qty.<productId>` for `lines[n].quantity`,
 * `qty.<rentalLineId>` for `quantities.<rentalLineId>`; lineField in ../routers/form-values.ts).
 */
function formFieldAt(node: Node): string {
  const path = pathOf(node);
  const [name, container, owner] = [path.at(-1), path.at(-2), path.at(-3)];
  const line = node.parent?.value;
  let field: string | undefined;
  if (name === "quantity" && typeof container === "number" && owner === "lines" && isPlainObject(line)) {
    if (typeof line.productId === "string" && !REFUSED.test(line.productId)) field = `qty.${line.productId}`;
  } else if (container === "quantities" && typeof name === "string" && !REFUSED.test(name)) {
    field = `qty.${name}`;
  }
  return fieldKeyOf({ path, message: "", params: { field } });
}

/** Enough to tell the user every field at fault; past it the walk stops (a request made to be slow). */
const MAX_ISSUES = 50;

/**
 * Every text of a raw input (values and the names of its keys, at any depth) with a character it may
 * not hold, as zod issues keyed by form field (`params.field`), one per field. Walks with a stack, not
 * recursion, so a deeply nested request cannot overflow it; each object once, so a cycle ends; no
 * value is copied into an issue (a password stays out of errors and logs).
 */
export function characterIssues(raw: unknown): z.core.$ZodIssue[] {
  const issues = new Map<string, z.core.$ZodIssue>();
  let found = 0;
  const refuse = (field: string, path: Path, message: string) => {
    found++;
    if (!issues.has(field)) issues.set(field, { code: "custom", path, message, params: { field } });
  };
  const seen = new WeakSet<object>();
  const stack: Node[] = [{ value: raw }];
  for (let node = stack.pop(); node && found < MAX_ISSUES; node = stack.pop()) {
    const { value } = node;
    if (typeof value === "string") {
      if (!REFUSED.test(value)) continue;
      const field = formFieldAt(node);
      const problem = characterProblem(value, MULTI_LINE_FIELDS.has(field));
      if (problem) refuse(field, pathOf(node), problem);
      continue;
    }
    if (typeof value !== "object" || value === null || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) stack.push({ value: value[index], key: index, parent: node });
    } else if (isPlainObject(value)) {
      for (const [key, element] of Object.entries(value)) {
        // A bad name is shown at the object that holds it (a map of ids: the map's field).
        const problem = characterProblem(key, false);
        if (!problem) stack.push({ value: element, key, parent: node });
        else {
          const path = pathOf(node);
          refuse(fieldKeyOf({ path, message: "" }), path, problem);
        }
      }
    }
  }
  return [...issues.values()];
}
