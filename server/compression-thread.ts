import { Worker } from "node:worker_threads";

export type Encoding = "br" | "gzip";

interface Job {
  id: number;
  encoding: Encoding;
  /** Bytes, or a text the thread encodes as UTF-8 first (a rendered page: the encoding is off the main thread too). */
  body: Uint8Array | string;
  /** zlib's brotli parameters (`zlib.constants.BROTLI_PARAM_*`); not used for gzip. */
  params: Record<number, number>;
}

interface Pending {
  resolve: (value: Buffer<ArrayBuffer>) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  /** Whether it has started and takes jobs at once. */
  online: boolean;
  pending: Map<number, Pending>;
}

/** How long the thread stays without work before it ends (the next burst of pages starts it again). */
export const COMPRESSION_THREAD_IDLE_MS = 5_000;

// CommonJS, evaluated in the thread: it loads node's zlib only. Jobs are compressed one at a time, each in one
// synchronous call, in their order of arrival (the messages waiting in the thread's port are its queue). A text
// is encoded as UTF-8 here, and brotli told its size. The result's memory is handed back to the main thread, not
// copied.
const THREAD_SOURCE = `
const { parentPort } = require("node:worker_threads");
const zlib = require("node:zlib");
parentPort.on("message", (job) => {
  try {
    const input = typeof job.body === "string" ? Buffer.from(job.body, "utf8") : job.body;
    const params = { ...job.params, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: input.length };
    const out = job.encoding === "br" ? zlib.brotliCompressSync(input, { params }) : zlib.gzipSync(input);
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
 * call it builds a zlib stream on the main thread and runs the stream's callbacks there: 0.1–0.2 ms of the main
 * thread a page, the thread that serves every request. A message to this thread and its answer cost the main
 * thread a fraction of that (docs/benchmarks.md, "pages compressed on a thread of their own").
 *
 * The thread runs while pages come: `compress` answers null while it is not running (the caller compresses as
 * before) and starts it, and it ends after `idleMs` without work. Kept running, the idle thread held about
 * 30 MB more at rest on the bench: most likely the bodies it was sent, freed only by a garbage collection that an
 * idle thread does not run. One thread: a page of 40 KB takes brotli (quality 4) well under a
 * millisecond, so it keeps up with what one main thread renders. A thread that fails fails its jobs (the caller
 * then compresses as before), and the next page starts a new one.
 */
export class CompressionThread {
  private static sharedThread: CompressionThread | null = null;

  /** The process's thread, shared by every page. */
  static shared(): CompressionThread {
    CompressionThread.sharedThread ??= new CompressionThread();
    return CompressionThread.sharedThread;
  }

  private thread: Thread | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private nextId = 1;
  private closed = false;

  constructor(private readonly idleMs = COMPRESSION_THREAD_IDLE_MS) {}

  /**
   * `body` compressed on the thread (`body` is copied to it and left as it was; a text is compressed as its UTF-8
   * bytes), or null when the thread is not running yet: it is then started for the pages that follow.
   */
  compress(
    encoding: Encoding,
    body: Uint8Array | string,
    params: Record<number, number> = {},
  ): Promise<Buffer<ArrayBuffer>> | null {
    if (this.closed) return null;
    const thread = this.thread ?? this.start();
    if (!thread.online) return null;
    if (this.idleTimer) {
      clearTimeout(this.idleTimer);
      this.idleTimer = null;
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, encoding, body, params } satisfies Job);
    });
  }

  /** Whether the thread is running and takes jobs. */
  get running(): boolean {
    return this.thread?.online === true;
  }

  /** Ends the thread for good; jobs not yet done fail. For a thread of one's own (tests): the shared one lives with the process. */
  async close(): Promise<void> {
    this.closed = true;
    await this.stop();
  }

  private async stop(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const thread = this.thread;
    this.thread = null;
    if (thread) await thread.worker.terminate();
  }

  private start(): Thread {
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      // Not the process's flags: with --input-type=module the source above would not be read as CommonJS.
      execArgv: [],
      // zlib's memory is outside the JavaScript heap; the thread's own heap stays small.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    // Never what keeps the process alive: a page waiting for it is an open request already.
    worker.unref();
    const thread: Thread = { worker, online: false, pending: new Map() };
    const fail = (error: Error) => {
      if (this.thread === thread) this.thread = null;
      for (const p of thread.pending.values()) p.reject(error);
      thread.pending.clear();
    };
    const idle = () => {
      if (this.thread !== thread || thread.pending.size > 0) return;
      this.idleTimer = setTimeout(() => void this.stop(), this.idleMs);
      this.idleTimer.unref();
    };
    worker.once("online", () => {
      thread.online = true;
      idle();
    });
    worker.on("message", (message: { id: number; bytes?: Uint8Array; error?: string }) => {
      const p = thread.pending.get(message.id);
      if (!p) return;
      thread.pending.delete(message.id);
      idle();
      if (message.bytes) {
        const { buffer, byteOffset, byteLength } = message.bytes;
        p.resolve(Buffer.from(buffer as ArrayBuffer, byteOffset, byteLength));
      } else p.reject(new Error(message.error ?? "the compression thread gave no result"));
    });
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the compression thread ended (exit code ${code})`)));
    this.thread = thread;
    return thread;
  }
}
