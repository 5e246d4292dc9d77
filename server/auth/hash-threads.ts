import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** argon2id's parameters, as @node-rs/argon2 takes them. */
export interface Argon2Options {
  algorithm: 2;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

type Job = { op: "hash"; input: string; options: Argon2Options } | { op: "verify"; input: string; hash: string };

interface Pending {
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

// CommonJS, evaluated in the thread: it needs no build step and loads only @node-rs/argon2. Jobs are done one at
// a time in their order of arrival: the messages waiting in the thread's port are its queue.
const THREAD_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const argon2 = require(workerData.module);
// Linux: a thread's nice value is its own, set through its thread id (/proc/thread-self); never raised above
// the process's. Elsewhere the thread keeps the process's priority.
try {
  const os = require("node:os");
  const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
  if (os.getPriority(tid) < workerData.nice) os.setPriority(tid, workerData.nice);
} catch {}
parentPort.on("message", (job) => {
  try {
    const value = job.op === "hash" ? argon2.hashSync(job.input, job.options) : argon2.verifySync(job.hash, job.input);
    parentPort.postMessage({ id: job.id, value });
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String((error && error.message) || error) });
  }
});
`;

/**
 * The nice value of the hashing threads (Linux; the main thread keeps the process's). When the cores are all busy,
 * the kernel gives the thread serving the pages about nine tenths of a core they share rather than half: a burst
 * of logins slows the pages less, and a hash still gets a tenth of a fully busy core (decision 025).
 */
export const HASH_THREAD_NICE = 10;

/**
 * Password hashing on `count` threads of its own, each one hash at a time: at most `count` cores hash at once,
 * whatever the number of logins, and the pages are served meanwhile.
 *
 * Each thread keeps its own queue (the jobs posted to it and not yet done), so it starts the next hash as soon as
 * one is done. With a pool of slots on the main thread instead (a limiter around @node-rs/argon2's async calls),
 * a slot came free only when the event loop got round to the finished hash's callback, behind every page being
 * rendered: on a busy server the hashing core stood idle between hashes for as long as a hash takes, and logins
 * waited twice as long (docs/benchmarks.md, "hashing threads").
 *
 * Threads start with the first job and do not keep the process alive while idle. A thread that fails fails its
 * jobs, and the next job starts a new one.
 */
export class HashThreads {
  private static readonly pools = new Map<number, HashThreads>();

  /**
   * The process's pool of `count` threads: every hasher of the process with the same concurrency shares it, so
   * the limit holds for the process (and a test suite does not start a thread per test).
   */
  static shared(count: number): HashThreads {
    let pool = HashThreads.pools.get(count);
    if (!pool) {
      pool = new HashThreads(count);
      HashThreads.pools.set(count, pool);
    }
    return pool;
  }

  private readonly threads: (Thread | null)[];
  private nextId = 1;
  private closed = false;

  constructor(count: number) {
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`HashThreads: count must be a whole number ≥ 1, not ${count}`);
    this.threads = Array.from({ length: count }, () => null);
  }

  hash(input: string, options: Argon2Options): Promise<string> {
    return this.run({ op: "hash", input, options }) as Promise<string>;
  }

  verify(hash: string, input: string): Promise<boolean> {
    return this.run({ op: "verify", input, hash }) as Promise<boolean>;
  }

  /** How many threads are running (they start with the first job that finds none free). */
  get threadCount(): number {
    return this.threads.filter((t) => t !== null).length;
  }

  /** Ends the threads; jobs not yet done fail. For a pool of one's own (tests): a shared pool lives as long as the process. */
  async close(): Promise<void> {
    this.closed = true;
    const running = this.threads.filter((t): t is Thread => t !== null);
    this.threads.fill(null);
    await Promise.all(running.map((t) => t.worker.terminate()));
  }

  private run(job: Job): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new Error("password hashing has been shut down"));
    const thread = this.leastBusy();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      // Held while it has work, so that a script awaiting a hash is not ended under it.
      if (thread.pending.size === 1) thread.worker.ref();
      thread.worker.postMessage({ ...job, id });
    });
  }

  /** The thread with the fewest jobs waiting (the first of equals), started if need be. */
  private leastBusy(): Thread {
    let best = 0;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.threads.length && bestLoad > 0; i++) {
      const load = this.threads[i]?.pending.size ?? 0;
      if (load < bestLoad) {
        best = i;
        bestLoad = load;
      }
    }
    return this.threads[best] ?? this.start(best);
  }

  private start(slot: number): Thread {
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      // Not the process's flags: with --input-type=module the source above would not be read as CommonJS.
      execArgv: [],
      workerData: { module: createRequire(import.meta.url).resolve("@node-rs/argon2"), nice: HASH_THREAD_NICE },
      // argon2's memory (19 MiB a hash) is outside the JavaScript heap; the thread's own heap stays small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
    });
    worker.unref();
    const thread: Thread = { worker, pending: new Map() };
    const fail = (error: Error) => {
      if (this.threads[slot] === thread) this.threads[slot] = null;
      for (const p of thread.pending.values()) p.reject(error);
      thread.pending.clear();
    };
    worker.on("message", (message: { id: number; value?: string | boolean; error?: string }) => {
      const p = thread.pending.get(message.id);
      if (!p) return;
      thread.pending.delete(message.id);
      if (thread.pending.size === 0) worker.unref();
      if (message.error !== undefined) p.reject(new Error(message.error));
      else p.resolve(message.value as string | boolean);
    });
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`a password hashing thread ended (exit code ${code})`)));
    this.threads[slot] = thread;
    return thread;
  }
}
