import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { brotliDecompressSync } from "node:zlib";
import { writeReadableStreamToWritable } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";

/**
 * How Remix's Express adapter writes a streamed body (a CSV download) with the project's patch of @remix-run/node
 * (patches/, applied by `npm install`; docs/decisions/027): it reads the body only as fast as the response takes
 * it, and stops reading when the client goes away. Without the patch every chunk was read and written at once.
 */

/** A body of `total` chunks made on demand, counting how many were asked for and whether it was cancelled. */
function countedBody(total: number, chunk: (n: number) => Uint8Array) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (seen.pulled === total) {
        controller.close();
        return;
      }
      seen.pulled++;
      controller.enqueue(chunk(seen.pulled));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { body, seen };
}

const kilobyte = (n: number) => new Uint8Array(1024).fill(n % 256);
const turn = () => new Promise((resolve) => setImmediate(resolve));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A writable that takes each chunk only when the test lets it (`release`), 4 KB of buffer. */
function heldWritable() {
  const received: Buffer[] = [];
  const held: (() => void)[] = [];
  const writable = new Writable({
    highWaterMark: 4096,
    write(chunk: Buffer, _encoding, callback) {
      received.push(chunk);
      held.push(() => callback());
    },
  });
  return { writable, received, release: () => held.shift()?.() };
}

describe("a streamed body written to a slow response", () => {
  it("is read no further than the response's buffer allows, then whole and in order as it drains", async () => {
    const { body, seen } = countedBody(100, kilobyte);
    const { writable, received, release } = heldWritable();
    let finished = false;
    const writing = writeReadableStreamToWritable(body, writable).then(() => {
      finished = true;
    });
    await pause(30);
    // 4 KB of buffer: a few 1 KB chunks in it, one waiting in the body's own queue.
    expect(seen.pulled).toBeLessThanOrEqual(8);
    expect(finished).toBe(false);

    while (!finished) {
      release();
      await turn();
    }
    await writing;
    expect(seen.pulled).toBe(100);
    expect(Buffer.concat(received)).toEqual(Buffer.concat(Array.from({ length: 100 }, (_, i) => kilobyte(i + 1))));
    expect(writable.writableEnded).toBe(true);
  });

  it("stops reading and cancels the body when the response closes while it waits", async () => {
    const { body, seen } = countedBody(100, kilobyte);
    const { writable } = heldWritable();
    const writing = writeReadableStreamToWritable(body, writable);
    await pause(30);
    const pulledBefore = seen.pulled;
    writable.destroy();
    await writing;
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBe(pulledBefore);
  });
});

describe("a streamed body through the compression middleware over HTTP", () => {
  let server: http.Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  /** An app that answers with the body the way Remix's Express adapter does, compressed by the middleware. */
  async function serve(body: ReadableStream<Uint8Array>) {
    const app = express();
    app.use(compression());
    app.get("/download", (_req, res) => {
      res.type("text/csv");
      void writeReadableStreamToWritable(body, res);
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server?.once("listening", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/download`;
  }

  function get(url: string): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) =>
      http.get(url, { headers: { "Accept-Encoding": "br" } }, resolve).on("error", reject),
    );
  }

  it("reads ahead of a client that stops taking it only as far as the buffers go, and stops when it leaves", async () => {
    // 64 MB that brotli cannot shrink: far more than the sockets' and the compressor's buffers hold.
    const { body, seen } = countedBody(1024, () => randomBytes(65536));
    const response = await get(await serve(body));
    expect(response.headers["content-encoding"]).toBe("br");
    response.pause();
    let last = -1;
    while (seen.pulled !== last) {
      last = seen.pulled;
      await pause(200);
    }
    expect(seen.pulled).toBeLessThan(1024);
    response.destroy();
    await expect.poll(() => seen.cancelled, { timeout: 10_000 }).toBe(true);
  });

  it("arrives whole when the client takes it slowly, with one drain listener however often it waits", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const chunks = Array.from({ length: 200 }, () => randomBytes(65536));
      const { body } = countedBody(chunks.length, (n) => chunks[n - 1] as Uint8Array);
      const response = await get(await serve(body));
      const received: Buffer[] = [];
      for await (const part of response) {
        received.push(part as Buffer);
        if (received.length % 16 === 0) await pause(1);
      }
      // Buffer#equals: a deep comparison of 13 MB byte by byte would take a minute.
      expect(brotliDecompressSync(Buffer.concat(received)).equals(Buffer.concat(chunks))).toBe(true);
      expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});
