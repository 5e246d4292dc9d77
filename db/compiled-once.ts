import type { Compilable, CompiledQuery, DialectAdapter, KyselyPlugin } from "kysely";
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

/** The template compiled for an adapter and a list of plugins (`next`: the lists one plugin longer). */
interface Kept {
  template?: Template;
  next: WeakMap<KyselyPlugin, Kept>;
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
 * as a value of the query (`where(column, "=", arg)`), never in a branch of its own, a string it builds, an `in`
 * list, `sql.lit` or a LIMIT (on SQLite a limit is written into the SQL as a number, db/index.ts; a bound one would
 * make SQLite prepare the statement at every run, which the tests refuse: tests/support/reprepare.ts). What
 * decides the shape of the SQL (a limit, an optional filter) is a key of `compiledPerShape` instead. The first
 * compile checks what it can: every argument became a parameter, and no placeholder ended up inside the SQL text
 * or another parameter.
 *
 * A query is compiled once for each dialect adapter and list of Kysely plugins (a transaction shares its
 * database's). A plugin rewrites the query when it is compiled, and each call's result as usual. At each later
 * call it is shown the compiled query again (`transformQuery`, its answer unused: the query was rewritten
 * already), so a plugin that watches every statement, as the tests' checks and counts do, sees every run. The
 * call keeps the compiled query's id, so a plugin that keeps what it learnt of a query by its id finds it. The
 * server's database has no plugins.
 */
export function compiledOnce<A extends unknown[], R>(build: (db: DB, ...args: A) => Compilable<R>): CompiledOnce<A, R> {
  // By adapter, then by each plugin in order (a transaction has a copy of its database's list of plugins).
  const templates = new WeakMap<DialectAdapter, Kept>();

  /** The template for this database, and whether it was compiled by this call. */
  function templateFor(db: DB, argCount: number): [Template, boolean] {
    const { adapter, plugins } = db.getExecutor();
    let kept: Kept | undefined = templates.get(adapter);
    if (!kept) {
      kept = { next: new WeakMap() };
      templates.set(adapter, kept);
    }
    for (const plugin of plugins) {
      let next: Kept | undefined = kept.next.get(plugin);
      if (!next) {
        next = { next: new WeakMap() };
        kept.next.set(plugin, next);
      }
      kept = next;
    }
    const template = kept.template;
    if (!template) {
      const placeholders = Array.from({ length: argCount }, (_, i) => placeholderOf(i));
      kept.template = templateOf(build(db, ...(placeholders as A)).compile(), argCount);
      return [kept.template, true];
    }
    if (template.argCount !== argCount) {
      throw new Error(`compiledOnce: called with ${argCount} arguments, compiled with ${template.argCount}`);
    }
    return [template, false];
  }

  async function all(db: DB, ...args: A): Promise<R[]> {
    const [template, compiledNow] = templateFor(db, args.length);
    // Plugins watch every statement (the tests' checks and counts): each run shows them the compiled query.
    if (!compiledNow) {
      const { query: node, queryId } = template.query;
      for (const plugin of db.getExecutor().plugins) plugin.transformQuery({ node, queryId });
    }
    const parameters = template.slots.map((slot) => ("arg" in slot ? args[slot.arg] : slot.value));
    const query = { ...template.query, parameters } as CompiledQuery<R>;
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

/**
 * `compiledOnce` for each shape of a query: `shape` is what decides its SQL (a LIMIT, a flag), `build` makes the
 * builder for one shape. Each shape is compiled once per database, on first use. Shapes come from the code (page
 * sizes, "the first N"), never from a request: past MAX_SHAPES of them this throws rather than keep compiling.
 */
export function compiledPerShape<K extends string | number | boolean, A extends unknown[], R>(
  build: (shape: K) => (db: DB, ...args: A) => Compilable<R>,
): (shape: K) => CompiledOnce<A, R> {
  const shapes = new Map<K, CompiledOnce<A, R>>();
  return (shape) => {
    let query = shapes.get(shape);
    if (!query) {
      if (shapes.size >= MAX_SHAPES) throw new Error(`compiledPerShape: more than ${MAX_SHAPES} shapes (${shape})`);
      query = compiledOnce(build(shape));
      shapes.set(shape, query);
    }
    return query;
  };
}

/** How many shapes `compiledPerShape` compiles at most for one query. */
export const MAX_SHAPES = 32;

/** A query over an `in` list (`compiledForList`). */
export interface CompiledForList<V, R> {
  /** The rows of the query for these values (none for an empty list). */
  all(db: DB, values: readonly V[]): Promise<R[]>;
}

/**
 * A query whose only argument is the list of an `in` (a page's ids: its rows' users, lines, open extensions),
 * compiled once per database for each length of the list up to MAX_SHAPES, as `compiledPerShape` would with the
 * length as the shape; a longer list (a download's chunk of hundreds) is built and compiled at that call, as
 * before. The list must be a condition every row meets (`where(column, "in", values)`, never inside an `or`): an
 * empty list answers no rows without a statement.
 */
export function compiledForList<V, R>(build: (db: DB, values: readonly V[]) => Compilable<R>): CompiledForList<V, R> {
  const perLength = compiledPerShape(
    (_length: number) =>
      (db: DB, ...values: V[]) =>
        build(db, values),
  );
  return {
    async all(db, values) {
      if (!values.length) return [];
      if (values.length > MAX_SHAPES) return (await db.executeQuery(build(db, values).compile())).rows;
      return perLength(values.length).all(db, ...values);
    },
  };
}
