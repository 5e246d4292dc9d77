import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { createDb, retryWhileBusy } from "../../db/index";

/**
 * Opening a SQLite file (db/index.ts). Turning a new file into WAL mode reads it, then upgrades to a write;
 * SQLite fails that upgrade at once, without its busy timeout, while another connection holds the write
 * lock. Two instances starting together on an empty database hit this (CI saw "database is locked").
 */
describe("opening a SQLite database", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("waits for another connection's write lock on a new file, then switches to WAL", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-open-"));
    dirs.push(dir);
    const file = path.join(dir, "new.sqlite");
    // Another connection, in a thread of its own, holds the write lock for 300 ms.
    const other = new Worker(
      `const { parentPort, workerData } = require("node:worker_threads");
       const SQLite = require(workerData.module);
       const db = new SQLite(workerData.file);
       db.exec("begin immediate");
       parentPort.postMessage("held");
       setTimeout(() => { db.exec("commit"); db.close(); parentPort.postMessage("released"); }, 300);`,
      { eval: true, workerData: { file, module: require.resolve("better-sqlite3") } },
    );
    const released = new Promise<void>((resolve, reject) => {
      other.on("message", (message: string) => {
        if (message === "released") resolve();
      });
      other.on("error", reject);
    });
    await new Promise<void>((resolve) => other.once("message", () => resolve()));

    // Without the retry this throws SQLITE_BUSY at once. createDb waits (blocking this thread) until the
    // other thread commits.
    const plain = new SQLite(file, { timeout: 5000 });
    expect(() => plain.pragma("journal_mode = WAL")).toThrow(expect.objectContaining({ code: "SQLITE_BUSY" }));
    plain.close();

    const db = createDb(`file:${file}`);
    try {
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(db);
      expect(mode.rows[0]?.journal_mode).toBe("wal");
    } finally {
      await db.destroy();
      await released;
      await other.terminate();
    }
  });

  it("retries only SQLITE_BUSY, and only until the wait is over", () => {
    let calls = 0;
    expect(
      retryWhileBusy(() => {
        calls += 1;
        if (calls < 3) throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
        return "done";
      }, 1000),
    ).toBe("done");
    expect(calls).toBe(3);

    calls = 0;
    const other = Object.assign(new Error("disk I/O error"), { code: "SQLITE_IOERR" });
    expect(() =>
      retryWhileBusy(() => {
        calls += 1;
        throw other;
      }, 1000),
    ).toThrow(other);
    expect(calls).toBe(1);

    const started = Date.now();
    expect(() =>
      retryWhileBusy(() => {
        throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
      }, 50),
    ).toThrow("database is locked");
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });
});
