import zlib from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { CompressionThread } from "../../server/compression-thread";

let threads: CompressionThread[] = [];
afterEach(async () => {
  await Promise.all(threads.map((t) => t.close()));
  threads = [];
});

/** A thread of the test's own, already running (its first `compress` only starts it). */
async function running(idleMs?: number): Promise<CompressionThread> {
  const t = new CompressionThread(idleMs);
  threads.push(t);
  expect(t.compress("br", page(0))).toBeNull();
  await expect.poll(() => t.running).toBe(true);
  return t;
}

/** `compress` on a running thread: never null there. */
function compress(t: CompressionThread, ...args: Parameters<CompressionThread["compress"]>): Promise<Buffer> {
  const job = t.compress(...args);
  if (!job) throw new Error("the thread is not running");
  return job;
}

/** A stopped thread: the next page is compressed without it (null) and starts it for the pages after. */
async function expectStartedByNextPage(t: CompressionThread): Promise<void> {
  expect(t.running).toBe(false);
  expect(t.compress("gzip", page(2))).toBeNull();
  await expect.poll(() => t.running).toBe(true);
  expect(zlib.gunzipSync(await compress(t, "gzip", page(2))).equals(page(2))).toBe(true);
}

/** A page-like body: Japanese markup, a few tens of KB. */
function page(seed: number): Buffer<ArrayBuffer> {
  const rows = Array.from(
    { length: 200 },
    (_, i) => `<tr><td data-label="型番">MW-${seed}-${i}</td><td data-label="商品名">オシロスコープ ${i}</td></tr>`,
  );
  return Buffer.from(`<!DOCTYPE html><html lang="ja"><body><table>${rows.join("")}</table></body></html>`, "utf8");
}

/** Jobs that take the thread long enough (brotli's best quality on a large body) to still be waiting when it ends. */
function slowJobs(t: CompressionThread): Promise<Buffer>[] {
  const body = Buffer.concat(Array.from({ length: 20 }, (_, i) => page(i)));
  return Array.from({ length: 3 }, () => compress(t, "br", body, { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 }));
}

describe("CompressionThread", () => {
  it("brotli and gzip as node's zlib makes them: each result decompresses to its body, which is left as it was", async () => {
    const t = await running();
    const body = page(1);
    const before = Buffer.from(body);
    const br = await compress(t, "br", body, {
      [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
    });
    expect(zlib.brotliDecompressSync(br).equals(body)).toBe(true);
    expect(br.length).toBeLessThan(body.length / 4);
    const gz = await compress(t, "gzip", body);
    expect(zlib.gunzipSync(gz).equals(body)).toBe(true);
    expect(body.equals(before)).toBe(true);
    // Small bodies from Buffer's shared pool too: only their own bytes go.
    const small = Buffer.from("<p>ご注文ありがとうございました。</p>", "utf8");
    expect(small.buffer.byteLength).toBeGreaterThan(small.length);
    expect(zlib.brotliDecompressSync(await compress(t, "br", small)).equals(small)).toBe(true);
  });

  it("a text is compressed as its UTF-8 bytes", async () => {
    const t = await running();
    const text = page(3).toString("utf8");
    const br = await compress(t, "br", text, { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 });
    expect(zlib.brotliDecompressSync(br).toString("utf8")).toBe(text);
    const gz = await compress(t, "gzip", text);
    expect(zlib.gunzipSync(gz).toString("utf8")).toBe(text);
  });

  it("many pages at once: each answer is its own page's", async () => {
    const t = await running();
    const bodies = Array.from({ length: 40 }, (_, i) => page(i));
    const results = await Promise.all(
      bodies.map((b, i) => compress(t, i % 2 ? "gzip" : "br", b, { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 })),
    );
    results.forEach((r, i) => {
      const back = i % 2 ? zlib.gunzipSync(r) : zlib.brotliDecompressSync(r);
      expect(back.equals(bodies[i] as Buffer)).toBe(true);
    });
  });

  it("ends after a quiet spell, not while it has work; the next page starts it again", async () => {
    const t = await running(300);
    const jobs = slowJobs(t);
    // Busy for longer than the quiet spell: still running once its jobs are done.
    await Promise.all(jobs);
    expect(t.running).toBe(true);
    await expect.poll(() => t.running, { timeout: 5_000 }).toBe(false);
    await expectStartedByNextPage(t);
  });

  it("a thread that ends fails its jobs; the next page starts a new thread", async () => {
    const t = await running();
    const waiting = slowJobs(t);
    // As a crash would: the thread ends under its jobs.
    // biome-ignore lint/complexity/useLiteralKeys: the thread is private; the test ends it as a crash would.
    await t["thread"]?.worker.terminate();
    for (const job of waiting) await expect(job).rejects.toThrow(/ended/);
    await expectStartedByNextPage(t);
  });

  it("close fails the jobs still waiting and takes no more", async () => {
    const t = await running();
    const waiting = slowJobs(t);
    await t.close();
    for (const job of waiting) await expect(job).rejects.toThrow();
    expect(t.compress("br", page(1))).toBeNull();
    expect(t.running).toBe(false);
  });

  it("the process's pages share one thread", () => {
    expect(CompressionThread.shared()).toBe(CompressionThread.shared());
  });
});
