import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/**
 * SQLite's WAL checkpoints, run by a thread of their own instead of by the commit that fills the WAL.
 *
 * By default SQLite checkpoints inside the commit that takes the WAL past 1,000 pages: that commit copies the
 * pages into the database file and syncs it, 5–13 ms on this machine, and better-sqlite3 runs it on the event
 * loop, so every other request waits (the HTTP bench listed such commits among its slow statements; see
 * docs/benchmarks.md). With the checkpointer, the app's connection never checkpoints (`wal_autocheckpoint = 0`)
 * and a worker thread with a connection of its own runs a PASSIVE checkpoint every `intervalMs`: it copies what
 * no reader still needs, never waits for a lock held by the app, and the app's writers go on meanwhile.
 *
 * While the app writes without pause (a burst of logins: hundreds of commits a second), a PASSIVE checkpoint
 * never catches the WAL's end, so SQLite cannot start the WAL over and the file grows. SQLite would shrink it
 * back (`journal_size_limit`) in the first commit after a checkpoint that caught up: 35–85 ms of `ftruncate`
 * on the event loop. So the app's connection never truncates (db/index.ts), and the thread empties a WAL
 * larger than `walSizeLimit` itself (a TRUNCATE checkpoint) once no write came for `QUIET_PASSES` passes.
 * It asks for the write lock without waiting, so it never holds up a writer that is already there.
 *
 * Should the thread fail or stop unasked, the app's connection takes up checkpointing again itself
 * (`onFailure`), so the WAL never grows without end.
 */
export interface Checkpointer {
  /** Stops the thread after one last checkpoint. */
  stop(): Promise<void>;
}

export interface CheckpointResult {
  /** Frames in the WAL, and how many of them are now in the database file. */
  log: number;
  checkpointed: number;
  /** The WAL file was larger than `walSizeLimit`, writes had paused, and the pass emptied it. */
  walTruncated: boolean;
}

export interface CheckpointerOptions {
  intervalMs?: number;
  /** How long the thread's connection waits for a lock (it rarely needs one). */
  lockWaitMs?: number;
  /** The WAL file's size (bytes) past which the thread empties it once writes pause. Default 64 MB. */
  walSizeLimit?: number;
  /** Told of each checkpoint that found frames in the WAL (tests and diagnostics). */
  onCheckpoint?: (result: CheckpointResult) => void;
  /** Told when the thread failed or ended unasked: the caller checkpoints itself from then on. */
  onFailure: (error: Error) => void;
}

/** How often the checkpointer runs by default. */
export const CHECKPOINT_INTERVAL_MS = 1000;
/** Passes in a row that found no new frame before an oversized WAL is emptied (about 2 s without a write). */
export const QUIET_PASSES = 2;

// CommonJS, evaluated in the worker: it needs no build step and loads only better-sqlite3.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const SQLite = require(workerData.module);
const fs = require("node:fs");
const db = new SQLite(workerData.file, { timeout: workerData.lockWaitMs, fileMustExist: true });
let lastLog = -1;
let quiet = 0;
function walBytes() {
  try { return fs.statSync(workerData.file + "-wal").size; } catch { return 0; }
}
function truncate() {
  // Without waiting: should the app be writing, a later quiet pass tries again.
  db.pragma("busy_timeout = 0");
  try {
    const [result] = db.pragma("wal_checkpoint(TRUNCATE)");
    return Boolean(result) && result.busy === 0;
  } finally {
    db.pragma("busy_timeout = " + workerData.lockWaitMs);
  }
}
function checkpoint() {
  const [result] = db.pragma("wal_checkpoint(PASSIVE)");
  if (!result) return;
  // No frame added since the last pass, and all of them in the database file: the app is not writing.
  quiet = result.log === lastLog && result.checkpointed === result.log ? quiet + 1 : 0;
  lastLog = result.log;
  const walTruncated = quiet >= workerData.quietPasses && walBytes() > workerData.walSizeLimit && truncate();
  if (result.log > 0 || walTruncated) {
    parentPort.postMessage({ type: "checkpoint", log: result.log, checkpointed: result.checkpointed, walTruncated });
  }
}
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on("message", (message) => {
  if (message !== "stop") return;
  clearInterval(timer);
  try { checkpoint(); } finally { db.close(); parentPort.postMessage({ type: "stopped" }); parentPort.close(); }
});
`;

export function startCheckpointer(file: string, options: CheckpointerOptions): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    // Not the process's flags: with --input-type=module the source above would not be read as CommonJS.
    execArgv: [],
    workerData: {
      file,
      module: createRequire(import.meta.url).resolve("better-sqlite3"),
      intervalMs: options.intervalMs ?? CHECKPOINT_INTERVAL_MS,
      lockWaitMs: options.lockWaitMs ?? 5000,
      walSizeLimit: options.walSizeLimit ?? 64 * 1024 * 1024,
      quietPasses: QUIET_PASSES,
    },
    // It holds a connection and a timer: a few MB of heap at most.
    resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 2 },
  });
  // The checkpointer never keeps the process alive by itself.
  worker.unref();
  let stopping = false;
  let failed = false;
  const fail = (error: Error) => {
    if (failed || stopping) return;
    failed = true;
    options.onFailure(error);
  };
  const stopped = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.on("message", (message: { type: string } & CheckpointResult) => {
    if (message.type === "checkpoint") {
      options.onCheckpoint?.({
        log: message.log,
        checkpointed: message.checkpointed,
        walTruncated: message.walTruncated,
      });
    }
  });
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`the checkpointer ended (exit code ${code})`)));
  return {
    async stop() {
      if (stopping) return stopped;
      stopping = true;
      // Held now, so that a process waiting for the stop (a script's last `await`) is not left empty-handed.
      worker.ref();
      worker.postMessage("stop");
      // A thread that does not answer (stuck on a lock) is ended.
      const deadline = setTimeout(() => void worker.terminate(), (options.lockWaitMs ?? 5000) + 1000);
      deadline.unref();
      await stopped;
      clearTimeout(deadline);
    },
  };
}
