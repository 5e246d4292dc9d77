import fc from "fast-check";
import type { z } from "zod";
import type { DB } from "../../db";

/**
 * Hostile values for the property-based suite (tests/integration/hostile-inputs.test.ts): what an
 * attacker, a broken client or a careless paste sends, built from a procedure's input schema so a
 * field added later gets them too. Every field is sometimes missing, sometimes a plausible value (so
 * the call reaches the service's rules) and mostly something hostile; objects get extra keys; the
 * whole input is sometimes no object at all.
 */

const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

/** Texts chosen by hand: injection payloads, impossible dates, numbers in disguise, odd Unicode. */
export const HOSTILE_TEXTS: readonly string[] = [
  "",
  " ",
  "\u3000",
  "'",
  "\\",
  "%",
  "_",
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  "1; SELECT pg_sleep(1)--",
  '" OR ""="',
  "%' UNION SELECT * FROM sessions --",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "{{7*7}}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, on purpose
  "${7*7}",
  "../../etc/passwd",
  "__proto__",
  "constructor",
  "toString",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-Infinity",
  "-1",
  "-0",
  "0",
  "1.5",
  "1e3",
  "1e309",
  "0x10",
  "1_000",
  "99999999999999999999999999",
  "-99999999999999999999999999",
  "９９９９９９９９９",
  "－１",
  "2026-02-30",
  "2026-11-31",
  "2027-02-29",
  "2026-13-01",
  "2026-00-10",
  "0000-00-00",
  "0000-01-01",
  "9999-12-31",
  "275760-09-14",
  "2026-04-01T00:00:00Z",
  "2026年2月30日",
  "２０２６－０２－３０",
  "1970-01-01",
  "\u0000",
  "a\u0000b",
  "\u001b[31m",
  "\u007f",
  "\u0085",
  "\u2028",
  "\u202e",
  "\ud800",
  "\udc00x",
  "\ufeff",
  "a\r\nb",
  "\t",
  "👨‍👩‍👧‍👦",
  "🙂🙂🙂",
  "𠮷野家",
  "é",
  "ｱｲｳｴｵ",
  "ＡＢＣ＠ｅｘａｍｐｌｅ．ｊｐ",
  "x@example.jp",
  "a@b",
  "@@@",
];

const LONG_UNITS = ["a", "あ", "🙂", "Ａ", "'", "<", "1", "𠮷"];

/** Very long texts: past every cap, some far past it. */
const longText = fc
  .tuple(fc.constantFrom(...LONG_UNITS), fc.constantFrom(65, 129, 255, 1001, 4001, 20_000, 100_000))
  .map(([unit, n]) => unit.repeat(n));

/** Any text at all: hand-picked, random code points (lone surrogates and controls too), emoji, long. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_TEXTS) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 12 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 12 }).map(fullWidth) },
  { weight: 1, arbitrary: longText },
);

/** Numbers a JSON client (or the caller) can send: huge, negative, fractional, not finite. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    1.5,
    -99,
    100,
    2 ** 31,
    2 ** 53 + 1,
    -(2 ** 53) - 1,
    1e308,
    -1e308,
    Number.MIN_VALUE,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ),
  fc.integer(),
  fc.double(),
);

/** A value of the wrong kind for whatever field it lands in. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, true, false, [], {}, [[[[]]]], { length: 1e9 }),
  hostileNumber,
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(hostileText, hostileText, { maxKeys: 3 }),
  fc.constant(null).map(() => deeplyNested(500)),
);

function deeplyNested(depth: number): unknown {
  let value: unknown = "x";
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
}

/** Anything hostile: text, a number or a value of the wrong kind. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileText },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 2, arbitrary: wrongType },
);

/** Keys no form has: prototype names, odd characters, and names a form does have but in the wrong place. */
const extraKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "id", "userId", "accountId", "isAdmin", "role"),
  hostileText.filter((k) => k.length < 200),
);

const MISSING = Symbol("missing");

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string>;
};
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Plausible values by field name, so that part of each input gets past the router to the service's
 * rules: a value, or an arbitrary for a field that must differ per run (a form's idempotency key).
 */
export type Plausible = (name: string) => unknown;

/**
 * Inputs for a schema: each field missing (rarely), plausible, or hostile; nested objects, lists and
 * maps walked the same way; extra keys; sometimes the whole thing of a wrong kind.
 */
export function hostileInput(schema: z.ZodType | undefined, plausible: Plausible): fc.Arbitrary<unknown> {
  if (!schema) return fc.oneof(wrongType, fc.dictionary(extraKey, hostileValue, { maxKeys: 3 }));
  return fc.oneof({ weight: 9, arbitrary: forSchema(schema, "", plausible) }, { weight: 1, arbitrary: wrongType });
}

function forSchema(schema: z.ZodType, name: string, plausible: Plausible): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const guess = plausible(name);
  const options: fc.WeightedArbitrary<unknown>[] = [{ weight: 2, arbitrary: hostileValue }];
  if (guess !== undefined)
    options.push({ weight: 2, arbitrary: guess instanceof fc.Arbitrary ? guess : fc.constant(guess) });
  switch (def.type) {
    case "pipe":
      return forSchema(def.in as z.ZodType, name, plausible);
    case "optional":
    case "nullable":
    case "default":
      return fc.oneof(fc.constant(undefined), forSchema(def.innerType as z.ZodType, name, plausible));
    case "union":
      return fc.oneof(...(def.options ?? []).map((o) => forSchema(o, name, plausible)));
    case "object": {
      const fields: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, field] of Object.entries(def.shape ?? {})) {
        fields[key] = fc.oneof(
          { weight: 1, arbitrary: fc.constant(MISSING) },
          { weight: 8, arbitrary: forSchema(field, key, plausible) },
        );
      }
      const object = fc
        .tuple(fc.record(fields), fc.option(fc.dictionary(extraKey, hostileValue, { maxKeys: 2 }), { freq: 4 }))
        .map(([known, extra]) => {
          const out: [string, unknown][] = Object.entries(known).filter(([, v]) => v !== MISSING);
          // Extra keys first, so a known field of the same name still wins (as in a form body).
          return Object.fromEntries([...Object.entries(extra ?? {}), ...out]);
        });
      options.push({ weight: 8, arbitrary: object });
      break;
    }
    case "array":
      options.push({
        weight: 6,
        arbitrary: fc.array(forSchema(def.element as z.ZodType, name, plausible), { maxLength: 3 }),
      });
      // Past the cap on lines (100): the plausible line, over and over.
      options.push({
        weight: 1,
        arbitrary: fc.array(fc.constant(Array.isArray(guess) ? guess[0] : "x"), { minLength: 101, maxLength: 150 }),
      });
      break;
    case "record":
      options.push({
        weight: 6,
        arbitrary: fc.dictionary(
          fc.oneof(fc.constantFrom(...Object.keys((guess as object) ?? {}), "x"), extraKey),
          forSchema(def.valueType as z.ZodType, name, plausible),
          { maxKeys: 3 },
        ),
      });
      break;
    case "enum":
      options.push({ weight: 4, arbitrary: fc.constantFrom(...Object.values(def.entries ?? {})) });
      break;
    case "boolean":
      options.push({ weight: 4, arbitrary: fc.boolean() });
      break;
    case "number":
      options.push({ weight: 2, arbitrary: hostileNumber });
      break;
    default:
      // string and anything else: hostile text more often than other kinds.
      options.push({ weight: 3, arbitrary: hostileText });
  }
  return fc.oneof(...options);
}

/** Every row of every table, each table's rows as sorted JSON. */
export type Snapshot = Record<string, string[]>;

export async function snapshot(db: DB): Promise<Snapshot> {
  const tables = await db.introspection.getTables();
  const rows = await Promise.all(
    tables.map((t) =>
      db
        .selectFrom(t.name as "users")
        .selectAll()
        .execute(),
    ),
  );
  return Object.fromEntries(tables.map((t, i) => [t.name, (rows[i] ?? []).map((r) => JSON.stringify(r)).sort()]));
}

/**
 * A refused call changed nothing, except where a refusal is itself recorded (§8 brute force, audit):
 * the failure counters of the login lockout and the per-IP limit, and audit events of a failure. Any
 * other difference (a row added, changed or removed) is returned.
 */
export const FAILURE_RECORDS = ["login_failures", "rate_buckets"] as const;

export function unexpectedChanges(
  before: Snapshot,
  after: Snapshot,
): Record<string, { added: string[]; removed: string[] }> {
  const out: Record<string, { added: string[]; removed: string[] }> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if ((FAILURE_RECORDS as readonly string[]).includes(table)) continue;
    const was = new Set(before[table] ?? []);
    const is = new Set(after[table] ?? []);
    let added = [...is].filter((r) => !was.has(r));
    const removed = [...was].filter((r) => !is.has(r));
    if (table === "audit_events")
      added = added.filter((r) => (JSON.parse(r) as { result: string }).result !== "failure");
    if (added.length || removed.length) out[table] = { added, removed };
  }
  return out;
}
