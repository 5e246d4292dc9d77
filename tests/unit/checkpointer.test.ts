import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { type CheckpointResult, startCheckpointer } from "../../db/checkpointer";
import { createDb } from "../../db/index";

/**
 * SQLite's WAL checkpoints in a thread of their own (db/checkpointer.ts): the app's connection never
 * checkpoints in a commit, the thread does, and the app's connection takes over should the thread fail.
 */
describe("the background checkpointer", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });
  function file() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-ckpt-"));
    dirs.push(dir);
    return path.join(dir, "app.sqlite");
  }

  it("checkpoints what the app wrote, which never checkpoints in its commits; a last time when closed", async () => {
    const database = file();
    const checkpoints: CheckpointResult[] = [];
    const db = createDb(`file:${database}`, {
      checkpointInBackground: true,
      onCheckpoint: (result) => checkpoints.push(result),
    });
    try {
      const mode = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
      expect(mode.rows[0]?.wal_autocheckpoint).toBe(0);
      await sql`create table t (id integer primary key, v text)`.execute(db);
      // About 1,500 pages in 300 commits: SQLite's own rule would have checkpointed in one of them.
      for (let i = 0; i < 300; i++) {
        await db.transaction().execute(async (trx) => {
          for (let j = 0; j < 5; j++) await sql`insert into t (v) values (${"x".repeat(3000)})`.execute(trx);
        });
      }
      const walPages = fs.statSync(`${database}-wal`).size / 4096;
      expect(walPages).toBeGreaterThan(1000);
      // The thread's checkpoint comes within its interval (1 s); allow for a busy machine.
      const deadline = Date.now() + 30_000;
      while (!checkpoints.some((c) => c.checkpointed === c.log) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const done = checkpoints.find((c) => c.checkpointed === c.log);
      expect(done?.log).toBeGreaterThan(1000);
      const count = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
      expect(count.rows[0]?.n).toBe(1500);
    } finally {
      await db.destroy();
    }
    // Closed: the last connection took the WAL away, everything is in the database file.
    expect(fs.existsSync(`${database}-wal`)).toBe(false);
    const reopened = createDb(`file:${database}`);
    try {
      const count = await sql<{ n: number }>`select count(*) as n from t`.execute(reopened);
      expect(count.rows[0]?.n).toBe(1500);
    } finally {
      await reopened.destroy();
    }
  });

  it("never shrinks the WAL in the app's commits; empties an oversized WAL once writes pause", async () => {
    const database = file();
    const checkpoints: (CheckpointResult & { at: number })[] = [];
    const limit = 256 * 1024;
    const db = createDb(`file:${database}`, {
      checkpointInBackground: true,
      walSizeLimit: limit,
      onCheckpoint: (result) => checkpoints.push({ ...result, at: Date.now() }),
    });
    const walBytes = () => (fs.existsSync(`${database}-wal`) ? fs.statSync(`${database}-wal`).size : 0);
    try {
      // The first commit after a checkpoint that caught up would truncate the file: 35–85 ms on the event loop.
      const size = await sql<{ journal_size_limit: number }>`pragma journal_size_limit`.execute(db);
      expect(size.rows[0]?.journal_size_limit).toBe(-1);
      await sql`create table t (id integer primary key, v text)`.execute(db);
      for (let i = 0; i < 100; i++) {
        await db.transaction().execute(async (trx) => {
          for (let j = 0; j < 5; j++) await sql`insert into t (v) values (${"x".repeat(3000)})`.execute(trx);
        });
      }
      expect(walBytes()).toBeGreaterThan(limit);
      // While commits keep coming (two passes of the thread at least), the WAL is left alone.
      const writingUntil = Date.now() + 2500;
      let writes = 0;
      while (Date.now() < writingUntil) {
        await sql`insert into t (v) values (${"y".repeat(100)})`.execute(db);
        writes++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const stoppedAt = Date.now();
      expect(checkpoints.filter((c) => c.at <= stoppedAt).length).toBeGreaterThanOrEqual(2);
      expect(checkpoints.filter((c) => c.walTruncated && c.at <= stoppedAt)).toEqual([]);
      // Writes paused: within a few passes the thread empties the file.
      const deadline = Date.now() + 30_000;
      while (!checkpoints.some((c) => c.walTruncated) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(checkpoints.some((c) => c.walTruncated)).toBe(true);
      expect(walBytes()).toBe(0);
      // Nothing lost, and the app writes on.
      await sql`insert into t (v) values (${"z"})`.execute(db);
      const count = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
      expect(count.rows[0]?.n).toBe(500 + writes + 1);
    } finally {
      await db.destroy();
    }
  });

  it("tells the caller when the thread cannot run, so that the app checkpoints itself", async () => {
    const failure = await new Promise<Error>((resolve) => {
      startCheckpointer(path.join(file(), "missing", "app.sqlite"), { onFailure: resolve });
    });
    expect(failure.message).toMatch(/unable to open|does not exist|directory/i);
  });
});
