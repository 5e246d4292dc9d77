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
}

export interface CheckpointerOptions {
  intervalMs?: number;
  /** How long the thread's connection waits for a lock (it rarely needs one). */
  lockWaitMs?: number;
  /** Told of each checkpoint that found frames in the WAL (tests and diagnostics). */
  onCheckpoint?: (result: CheckpointResult) => void;
  /** Told when the thread failed or ended unasked: the caller checkpoints itself from then on. */
  onFailure: (error: Error) => void;
}

/** How often the checkpointer runs by default. */
export const CHECKPOINT_INTERVAL_MS = 1000;

// CommonJS, evaluated in the worker: it needs no build step and loads only better-sqlite3.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const SQLite = require(workerData.module);
const db = new SQLite(workerData.file, { timeout: workerData.lockWaitMs, fileMustExist: true });
function checkpoint() {
  const [result] = db.pragma("wal_checkpoint(PASSIVE)");
  if (result && result.log > 0) parentPort.postMessage({ type: "checkpoint", log: result.log, checkpointed: result.checkpointed });
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
    if (message.type === "checkpoint") options.onCheckpoint?.({ log: message.log, checkpointed: message.checkpointed });
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
