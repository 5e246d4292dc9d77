import { type Kysely, sql } from "kysely";
import { type DB, dialectOf } from "../../db";
import type { Database } from "../../db/schema";
import { addMs, type Clock, iso } from "./clock";
import { PollingWorker } from "./polling-worker";

/** Delay before attempt n+1 after n failures: 5 s, 10 s, 20 s … capped at 30 min. */
export function backoffMs(failures: number): number {
  return Math.min(5_000 * 2 ** Math.max(0, failures - 1), 30 * 60_000);
}

type QueueTable = "mail_outbox" | "applications";
export type Item<T extends QueueTable> = Database[T];
type StateColumn = "status" | "nextAttemptAt" | "lockedUntil" | "attempts" | "error";

/** What a table's queue is: where an item's queue state lives, and how items are named in logs. */
export interface QueueSpec<T extends QueueTable> {
  table: T;
  columns: Record<StateColumn, keyof Item<T> & string>;
  /**
   * The status of an item waiting for its turn, claimed by a worker, done, given up. `leased` may be
   * `waiting` (intake stays "pending" while it is tried): a waiting item is one without a lease.
   */
  status: { waiting: string; leased: string; done: string; failed: string };
  /** Attempts before an item is given up, unless the worker says otherwise. */
  maxAttempts: number;
  /** More columns to set when an item is done (the mail's sent_at). */
  onDone?: (now: string) => Partial<Item<T>>;
  /**
   * Runs in the transaction that marks an item done (intake's 受付完了: the customer's mail), and only
   * when this worker's lease is still the item's: a worker whose lease ran out and was overtaken marks
   * nothing, so the hook runs once per item done.
   */
  onCompleted?: (trx: DB, item: Item<T>) => Promise<void>;
  /** Runs in the transaction that gives an item up (status `failed`), e.g. to tell someone. */
  onFailed?: (trx: DB, item: Item<T>) => Promise<void>;
  describe: (item: Item<T>) => string;
}

/** How one worker runs a queue (its options, passed straight through). */
export interface QueueRunOptions {
  db: DB;
  clock: Clock;
  /** Items claimed per pass (20). */
  batchSize?: number;
  maxAttempts?: number;
  /** How long a claimed item stays ours (2 min); a worker that died is overtaken after this. */
  claimMs?: number;
  log?: (message: string) => void;
}

export interface QueueWorkerOptions extends QueueRunOptions {
  /** Each worker polls at its own pace (MAIL_POLL_INTERVAL_MS, INTAKE_POLL_INTERVAL_MS). */
  pollIntervalMs: number;
}

// The table is a parameter, so the queries are built on a view of the database without its types.
type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

/**
 * A table used as a durable job queue (the mail outbox, the intake of applications). Items are
 * claimed with one conditional UPDATE that takes a lease and counts the attempt, so a crash loses
 * nothing (an expired lease is claimed again) and two instances never work on one item at once.
 * A failed item waits `backoffMs` before its next attempt, and is given up after `maxAttempts`.
 */
export class LeasedQueue<T extends QueueTable> {
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly claimMs: number;

  constructor(
    private readonly spec: QueueSpec<T>,
    private readonly o: QueueRunOptions,
  ) {
    this.batchSize = o.batchSize ?? 20;
    this.maxAttempts = o.maxAttempts ?? spec.maxAttempts;
    this.claimMs = o.claimMs ?? 120_000;
  }

  private get db(): AnyDb {
    return this.o.db as unknown as AnyDb;
  }

  private get table(): string {
    return this.spec.table;
  }

  private get columns(): Record<StateColumn, string> {
    return this.spec.columns;
  }

  /**
   * Claims up to a batch: items whose lease ran out (a worker died holding them) first, then waiting items
   * that are due, soonest first. Each kind is one conditional UPDATE (atomic on its own, so two workers never
   * claim one item) over a read that walks the (status, next attempt) index in order and stops at the batch:
   * a claim costs the same with a backlog of 10,000 mails as with none. (One query for both kinds, an OR
   * sorted by created_at, read and sorted every due row: 48 ms per claim at 14,000 pending mails, on the event
   * loop, twice per pass.)
   */
  private async claim(): Promise<Item<T>[]> {
    const c = this.columns;
    const { status } = this.spec;
    const now = iso(this.o.clock.now());
    const expired = (limit: number) =>
      this.lockable(
        this.db
          .selectFrom(this.table)
          .select("id")
          .where(c.status, "=", status.leased)
          .where(c.lockedUntil, "<=", now)
          .limit(limit),
      );
    const due = (limit: number) =>
      this.lockable(
        this.db
          .selectFrom(this.table)
          .select("id")
          .where(c.status, "=", status.waiting)
          .where(c.nextAttemptAt, "<=", now)
          .where(c.lockedUntil, "is", null)
          .orderBy(c.nextAttemptAt)
          .limit(limit),
      );
    const claimed: Item<T>[] = [];
    for (const pick of [expired, due]) {
      const room = this.batchSize - claimed.length;
      // Most polls find nothing: ask with a read first, so an idle worker never takes the write lock.
      if (room <= 0 || !(await pick(1).execute()).length) continue;
      const rows = await this.db
        .updateTable(this.table)
        .set({
          [c.status]: status.leased,
          [c.lockedUntil]: iso(addMs(this.o.clock.now(), this.claimMs)),
          [c.attempts]: sql<number>`${sql.ref(c.attempts)} + 1`,
        })
        .where("id", "in", pick(room))
        .returningAll()
        .execute();
      claimed.push(...(rows as unknown as Item<T>[]));
    }
    return claimed;
  }

  /**
   * PostgreSQL: instances skip each other's rows instead of waiting. SQLite: each UPDATE is atomic under the
   * database write lock, so claims never overlap.
   */
  private lockable<Q extends { forUpdate(): Q; skipLocked(): Q }>(query: Q): Q {
    return dialectOf(this.o.db) === "postgres" ? query.forUpdate().skipLocked() : query;
  }

  private async update(item: Item<T>, values: Record<string, unknown>, db: DB = this.o.db): Promise<void> {
    await (db as unknown as AnyDb)
      .updateTable(this.table)
      .set(values)
      .where("id", "=", (item as { id: string }).id)
      .execute();
  }

  /**
   * One pass: claims what is due and hands each item to `handle`; an item is done when it returns
   * and tried again later when it throws. Returns how many items are done.
   */
  async drain(handle: (item: Item<T>) => Promise<void>): Promise<number> {
    const c = this.columns;
    const { status } = this.spec;
    let done = 0;
    for (const item of await this.claim()) {
      try {
        await handle(item);
        const values = {
          [c.status]: status.done,
          [c.lockedUntil]: null,
          [c.error]: null,
          ...this.spec.onDone?.(iso(this.o.clock.now())),
        };
        const onCompleted = this.spec.onCompleted;
        if (onCompleted) {
          await this.o.db.transaction().execute(async (trx) => {
            // Still our lease: the status is the leased one and no later claim counted another attempt.
            const ours = await (trx as unknown as AnyDb)
              .updateTable(this.table)
              .set(values)
              .where("id", "=", (item as { id: string }).id)
              .where(c.status, "=", status.leased)
              .where(c.attempts, "=", item[this.spec.columns.attempts] as number)
              .executeTakeFirst();
            if (Number(ours.numUpdatedRows) === 1) await onCompleted(trx, item);
          });
        } else {
          await this.update(item, values);
        }
        done++;
      } catch (error) {
        const message = ((error as Error).message ?? String(error)).slice(0, 500);
        const attempts = item[this.spec.columns.attempts] as number;
        const givenUp = attempts >= this.maxAttempts;
        const values = {
          [c.status]: givenUp ? status.failed : status.waiting,
          [c.nextAttemptAt]: iso(addMs(this.o.clock.now(), backoffMs(attempts))),
          [c.lockedUntil]: null,
          [c.error]: message,
        };
        const onFailed = this.spec.onFailed;
        if (givenUp && onFailed) {
          await this.o.db.transaction().execute(async (trx) => {
            await this.update(item, values, trx);
            await onFailed(trx, item);
          });
        } else {
          await this.update(item, values);
        }
        this.o.log?.(`${this.spec.describe(item)} attempt ${attempts} failed: ${message}`);
      }
    }
    return done;
  }
}

/** A worker that drains one leased queue every `pollIntervalMs`: it says what to do with an item. */
export abstract class QueueWorker<T extends QueueTable> extends PollingWorker {
  private readonly queue: LeasedQueue<T>;

  constructor(name: string, spec: QueueSpec<T>, o: QueueWorkerOptions) {
    super(name, o.pollIntervalMs, o.log);
    this.queue = new LeasedQueue(spec, o);
  }

  /** Works on one claimed item; throwing schedules another attempt. */
  protected abstract handle(item: Item<T>): Promise<void>;

  protected work(): Promise<number> {
    return this.queue.drain((item) => this.handle(item));
  }
}
