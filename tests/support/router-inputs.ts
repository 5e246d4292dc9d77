import { z } from "zod";
import { appRouter } from "../../server/routers/index";

/** Where one field's value goes in a procedure's input, and the key its form shows the messages at. */
export interface InputLeaf {
  name: string;
  put: (value: unknown) => Record<string, unknown>;
  key: string;
}

type Procedure = { _def: { inputs: z.ZodType[] } };

/** Every procedure of the root router, by path (`templates.create`): one added later is walked too. */
export const allProcedures = appRouter._def.procedures as unknown as Record<string, Procedure>;

/** The procedures that take an input, with their input schema. */
export function proceduresWithInput(): [string, z.ZodObject][] {
  return Object.entries(allProcedures)
    .filter(([, p]) => p._def.inputs.length > 0)
    .map(([path, p]) => [path, p._def.inputs[0] as z.ZodObject]);
}

/**
 * The fields of an input schema, one level into nested objects (`delivery.company` → key `company`); a
 * line's 数量 is put under a product `p1` (key `qty.p1`), a 解約数量 under a rental line `l1` (`qty.l1`),
 * as the forms name them (ADR 012).
 */
export function leaves(schema: z.ZodObject): InputLeaf[] {
  const out: InputLeaf[] = [];
  for (const [name, field] of Object.entries(schema.shape)) {
    if (name === "lines") {
      out.push({ name, put: (v) => ({ lines: [{ productId: "p1", quantity: v }] }), key: "qty.p1" });
    } else if (name === "quantities") {
      out.push({ name, put: (v) => ({ quantities: { l1: v } }), key: "qty.l1" });
    } else if (field instanceof z.ZodObject) {
      for (const sub of Object.keys(field.shape))
        out.push({ name: `${name}.${sub}`, put: (v) => ({ [name]: { [sub]: v } }), key: sub });
    } else {
      out.push({ name, put: (v) => ({ [name]: v }), key: name });
    }
  }
  return out;
}
