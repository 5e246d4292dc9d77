import { type Compilable, type CompiledQuery, createQueryId, type DialectAdapter } from "kysely";
import type { DB } from "./index";

/** What `build` is given instead of each argument, once: never a value a caller could pass. */
const PLACEHOLDER = "\u0000compiled-once:";
const placeholderOf = (index: number) => `${PLACEHOLDER}${index}\u0000`;

/** A parameter of the compiled SQL: the call's argument `arg`, or a value the builder wrote itself. */
type Slot = { arg: number } | { value: unknown };

interface Template {
  query: CompiledQuery;
  slots: Slot[];
  argCount: number;
}

/** A query compiled once per database (`compiledOnce`). */
export interface CompiledOnce<A extends unknown[], R> {
  /** The rows of the query with these arguments. */
  all(db: DB, ...args: A): Promise<R[]>;
  /** Its first row, if any. */
  first(db: DB, ...args: A): Promise<R | undefined>;
}

/**
 * A query of a fixed shape that Kysely builds and compiles once per database, then runs with each call's
 * values. Kysely builds an operation tree and compiles it to SQL for every statement it runs: 8–10 µs each on
 * this machine, as much as SQLite takes to answer the small reads every signed-in page makes (its session, its
 * customer, the home's lists; docs/benchmarks.md). The SQL text is the same as the builder's, so SQLite's
 * statement cache and PostgreSQL see no difference.
 *
 * `build` runs once per database, with placeholders instead of the arguments: it must use each argument only
 * as a value of the query (`where(column, "=", arg)`, `limit(arg)`), never in a branch of its own, a string it
 * builds, an `in` list or `sql.lit`. Queries whose shape depends on a value (an optional filter, a cursor, a list)
 * are not for this. The first compile checks what it can: every argument became a parameter, and no
 * placeholder ended up inside the SQL text or another parameter.
 *
 * A transaction shares its database's dialect and so its compiled queries. Kysely plugins (none are used here)
 * could rewrite a query or its result per instance: with any, the query is built for every call, as before.
 */
export function compiledOnce<A extends unknown[], R>(build: (db: DB, ...args: A) => Compilable<R>): CompiledOnce<A, R> {
  const templates = new WeakMap<DialectAdapter, Template>();

  function templateFor(db: DB, argCount: number): Template | null {
    const executor = db.getExecutor();
    if (executor.plugins.length > 0) return null;
    let template = templates.get(executor.adapter);
    if (!template) {
      const placeholders = Array.from({ length: argCount }, (_, i) => placeholderOf(i));
      template = templateOf(build(db, ...(placeholders as A)).compile(), argCount);
      templates.set(executor.adapter, template);
    }
    if (template.argCount !== argCount) {
      throw new Error(`compiledOnce: called with ${argCount} arguments, compiled with ${template.argCount}`);
    }
    return template;
  }

  async function all(db: DB, ...args: A): Promise<R[]> {
    const template = templateFor(db, args.length);
    if (!template) return (await db.executeQuery(build(db, ...args))).rows;
    const parameters = template.slots.map((slot) => ("arg" in slot ? args[slot.arg] : slot.value));
    const query: CompiledQuery<R> = { ...template.query, parameters, queryId: createQueryId() } as CompiledQuery<R>;
    return (await db.executeQuery(query)).rows;
  }

  return {
    all,
    async first(db, ...args) {
      return (await all(db, ...args))[0];
    },
  };
}

/** The compiled query's parameters as slots; throws when the builder used an argument other than as a value. */
function templateOf(query: CompiledQuery, argCount: number): Template {
  if (query.sql.includes(PLACEHOLDER)) {
    throw new Error(`compiledOnce: an argument was written into the SQL text: ${query.sql}`);
  }
  const used = new Set<number>();
  const slots = query.parameters.map((value): Slot => {
    if (typeof value === "string" && value.includes(PLACEHOLDER)) {
      const index = Array.from({ length: argCount }, (_, i) => i).find((i) => value === placeholderOf(i));
      if (index === undefined)
        throw new Error(`compiledOnce: an argument was made part of another value: ${query.sql}`);
      used.add(index);
      return { arg: index };
    }
    return { value };
  });
  for (let i = 0; i < argCount; i++) {
    if (!used.has(i)) throw new Error(`compiledOnce: argument ${i + 1} is not a parameter of the query: ${query.sql}`);
  }
  return { query, slots, argCount };
}
