import { sql } from "kysely";
import type { DB } from "../../../db";
import { compiledOnce } from "../../../db/compiled-once";

/**
 * What the catalog's readers keep between requests: search pages and facets. They change only when a
 * product is written, and the catalog's version (catalog_state, migration 0014) says when: every product
 * write counts it up in its own transaction (`catalogChanged`). A reader looks up the version (one
 * primary-key read) and serves what it kept for that version, else reads and keeps it. Every instance
 * therefore sees a product write at its next search, and a process keeps at most CATALOG_CACHE_SIZE
 * answers, dropping the least recently used.
 */
export const CATALOG_CACHE_SIZE = 500;

interface Kept {
  version: number;
  answers: Map<string, unknown>;
}

/** Per database handle: test harnesses and instances on other databases never share answers. */
const kept = new WeakMap<object, Kept>();

/** Counts the catalog's version up; call it in the transaction of every product write. */
export async function catalogChanged(db: DB): Promise<void> {
  await db
    .insertInto("catalog_state")
    .values({ id: 1, version: 1 })
    .onConflict((oc) => oc.column("id").doUpdateSet({ version: sql`catalog_state.version + 1` }))
    .execute();
}

const versionRow = compiledOnce((db: DB) => db.selectFrom("catalog_state").select("version").where("id", "=", 1));

export async function catalogVersion(db: DB): Promise<number> {
  const row = await versionRow.first(db);
  return row ? Number(row.version) : 0;
}

/**
 * The answer kept for `key` at the catalog's current version, else `read()`'s, kept. Answers are shared
 * between requests: callers must not change them.
 */
export async function keptForCatalog<T>(db: DB, key: string, read: () => Promise<T>): Promise<T> {
  const version = await catalogVersion(db);
  let cache = kept.get(db);
  if (!cache || cache.version !== version) {
    cache = { version, answers: new Map() };
    kept.set(db, cache);
  }
  if (cache.answers.has(key)) {
    const answer = cache.answers.get(key) as T;
    // Most recently used last: the first key is the one to drop.
    cache.answers.delete(key);
    cache.answers.set(key, answer);
    return answer;
  }
  // Read after the version: a write committed in between makes the next version, so this answer, even
  // if it already holds the write, is kept only under the version it will never be asked for again.
  const answer = await read();
  cache.answers.set(key, answer);
  if (cache.answers.size > CATALOG_CACHE_SIZE) cache.answers.delete(cache.answers.keys().next().value as string);
  return answer;
}
