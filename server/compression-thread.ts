import { Worker } from "node:worker_threads";

export type Encoding = "br" | "gzip";

interface Job {
  id: number;
  encoding: Encoding;
  body: Uint8Array;
  /** zlib's brotli parameters (`zlib.constants.BROTLI_PARAM_*`); not used for gzip. */
  params: Record<number, number>;
}

interface Pending {
  resolve: (value: Buffer<ArrayBuffer>) => void;
  reject: (error: Error) => void;
}

// CommonJS, evaluated in the thread: it loads node's zlib only. Jobs are compressed one at a time, each in one
// synchronous call, in their order of arrival (the messages waiting in the thread's port are its queue). The
// result's memory is handed back to the main thread, not copied.
const THREAD_SOURCE = `
const { parentPort } = require("node:worker_threads");
const zlib = require("node:zlib");
parentPort.on("message", (job) => {
  try {
    const out = job.encoding === "br" ? zlib.brotliCompressSync(job.body, { params: job.params }) : zlib.gzipSync(job.body);
    const own = out.byteOffset === 0 && out.byteLength === out.buffer.byteLength ? out : Buffer.from(out);
    parentPort.postMessage({ id: job.id, bytes: own }, [own.buffer]);
  } catch (error) {
    parentPort.postMessage({ id: job.id, error: String((error && error.message) || error) });
  }
});
`;

/**
 * Compression of rendered pages on a thread of its own, one synchronous zlib call per page.
 *
 * Node's asynchronous one-call zlib (`zlib.brotliCompress`) compresses on libuv's thread pool too, but for each
 * call it builds a zlib stream on the main thread and runs the stream's callbacks there: about 0.1 ms of the
 * main thread a page, which serves every request. A message to this thread and its answer cost the main thread
 * a fraction of that (docs/benchmarks.md, "pages compressed on a thread of their own").
 *
 * One thread: a page of 40 KB takes brotli (quality 4) well under a millisecond, so the thread keeps up with
 * what one main thread can render. It starts with the first job, holds the process only while it has work, and
 * a thread that fails fails its jobs; the next job starts a new one.
 */
export class CompressionThread {
  private static sharedThread: CompressionThread | null = null;

  /** The process's thread, shared by every page. */
  static shared(): CompressionThread {
    CompressionThread.sharedThread ??= new CompressionThread();
    return CompressionThread.sharedThread;
  }

  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /** `body` compressed; `body` itself is copied to the thread and left as it was. */
  compress(encoding: Encoding, body: Uint8Array, params: Record<number, number> = {}): Promise<Buffer<ArrayBuffer>> {
    if (this.closed) return Promise.reject(new Error("the compression thread has been shut down"));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Held while it has work, so that a script awaiting a page is not ended under it.
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ id, encoding, body, params } satisfies Job);
    });
  }

  /** Whether the thread is running (it starts with the first job). */
  get running(): boolean {
    return this.worker !== null;
  }

  /** Ends the thread; jobs not yet done fail. For a thread of one's own (tests): the shared one lives with the process. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      // Not the process's flags: with --input-type=module the source above would not be read as CommonJS.
      execArgv: [],
      // zlib's memory is outside the JavaScript heap; the thread's own heap stays small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    worker.unref();
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on("message", (message: { id: number; bytes?: Uint8Array; error?: string }) => {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.bytes) {
        const { buffer, byteOffset, byteLength } = message.bytes;
        p.resolve(Buffer.from(buffer as ArrayBuffer, byteOffset, byteLength));
      } else p.reject(new Error(message.error ?? "the compression thread gave no result"));
    });
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the compression thread ended (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
