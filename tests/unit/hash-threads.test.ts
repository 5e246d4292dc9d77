import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { promisify } from "node:util";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { afterEach, describe, expect, it } from "vitest";
import { type Argon2Options, HASH_THREAD_NICE, HashThreads } from "../../server/auth/hash-threads";
import { PasswordHasher } from "../../server/auth/password";
import { loadConfig } from "../../server/config";

const run = promisify(execFile);
/** The parameters of production (password.ts): each hash takes a core for some milliseconds. */
const ARGON2: Argon2Options = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

let pools: HashThreads[] = [];
function pool(count: number): HashThreads {
  const p = new HashThreads(count);
  pools.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(pools.map((p) => p.close()));
  pools = [];
});

describe("HashThreads", () => {
  it("hashes and verifies argon2id as @node-rs/argon2 does: stored hashes stay valid both ways", async () => {
    const threads = pool(1);
    const made = await threads.hash("パスワード-2026", ARGON2);
    expect(made).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await argon2Verify(made, "パスワード-2026")).toBe(true);
    const stored = await argon2Hash("Rental-2026", ARGON2);
    expect(await threads.verify(stored, "Rental-2026")).toBe(true);
    expect(await threads.verify(stored, "Rental-2027")).toBe(false);
    await expect(threads.verify("not a hash", "Rental-2026")).rejects.toThrow();
    // The thread goes on after a failed job.
    expect(await threads.verify(stored, "Rental-2026")).toBe(true);
  });

  it("a thread goes from one hash to the next while the event loop is busy: the queued answers arrive together", async () => {
    const threads = pool(1);
    const stored = await argon2Hash("Rental-2026", ARGON2);
    let settled = 0;
    const jobs = Array.from({ length: 4 }, () => threads.verify(stored, "Rental-2026").finally(() => settled++));
    // The main thread busy for far longer than four hashes take, as under a burst of page renders.
    const until = Date.now() + 1500;
    while (Date.now() < until);
    expect(settled).toBe(0);
    // One turn of the event loop: a pool that waited for the main thread between hashes (a limiter around
    // async calls) would have one answer here, its next hash only just started.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(4);
    expect(await Promise.all(jobs)).toEqual([true, true, true, true]);
  });

  it("starts at most `count` threads, and only when there is work", async () => {
    const stored = await argon2Hash("Rental-2026", ARGON2);
    const one = pool(1);
    const two = pool(2);
    expect(one.threadCount).toBe(0);
    await Promise.all(Array.from({ length: 4 }, () => one.verify(stored, "Rental-2026")));
    await Promise.all(Array.from({ length: 6 }, () => two.verify(stored, "Rental-2026")));
    expect(one.threadCount).toBe(1);
    expect(two.threadCount).toBe(2);
    expect(() => new HashThreads(0)).toThrow(/count/);
    expect(() => new HashThreads(1.5)).toThrow(/count/);
  });

  it.runIf(fs.existsSync("/proc/thread-self") && os.getPriority() < HASH_THREAD_NICE)(
    "Linux: the hashing threads run at a lower priority (nice) than the thread serving the pages",
    async () => {
      const niceOf = (task: string) => {
        // /proc/…/stat: the fields after the command's closing parenthesis; nice is the 19th field of the line.
        const fields = fs.readFileSync(`/proc/self/task/${task}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
        return Number(fields[16]);
      };
      const niceThreads = () => fs.readdirSync("/proc/self/task").filter((task) => niceOf(task) === HASH_THREAD_NICE);
      const before = niceThreads();
      const threads = pool(2);
      const stored = await argon2Hash("Rental-2026", ARGON2);
      await Promise.all(Array.from({ length: 4 }, () => threads.verify(stored, "Rental-2026")));
      expect(HASH_THREAD_NICE).toBeGreaterThan(0);
      expect(niceThreads().filter((task) => !before.includes(task))).toHaveLength(2);
      // The process's main thread (the one that serves the pages) keeps its priority.
      expect(niceOf(String(process.pid))).toBe(os.getPriority());
    },
  );

  it("close fails the jobs still waiting and refuses new ones", async () => {
    const threads = pool(1);
    const stored = await argon2Hash("Rental-2026", ARGON2);
    const waiting = Array.from({ length: 3 }, () => threads.verify(stored, "Rental-2026"));
    await threads.close();
    for (const job of waiting) await expect(job).rejects.toThrow();
    await expect(threads.verify(stored, "Rental-2026")).rejects.toThrow(/shut down/);
  });

  it("keeps a script alive while its hash is being computed, also on a thread that was idle, and lets it end once done", async () => {
    const script = [
      'import { PasswordHasher } from "./server/auth/password.ts";',
      'const hasher = new PasswordHasher("script-pepper-0123456789-abcdefghijk");',
      'await hasher.hash("first");',
      // The thread is idle now (it does not hold the process); the next job must hold it again.
      "await new Promise((resolve) => setTimeout(resolve, 50));",
      'const hashed = await hasher.hash("Rental-2026");',
      "console.log(hashed.split('$').slice(0, 4).join('$'));",
    ].join("\n");
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      timeout: 30_000,
    });
    expect(stdout.trim()).toBe("$argon2id$v=19$m=19456,t=2,p=1");
  });

  it("PasswordHasher: the process's hashers share one pool; a wrong or broken hash is a failed login, not an error", async () => {
    const a = new PasswordHasher("pepper-a-0123456789-abcdefghijklmnop", 1);
    const b = new PasswordHasher("pepper-b-0123456789-abcdefghijklmnop", 1);
    const hashed = await a.hash("Rental-2026");
    expect(await a.verify(hashed, "Rental-2026")).toBe(true);
    // Another pepper: the same password does not match.
    expect(await b.verify(hashed, "Rental-2026")).toBe(false);
    expect(await a.verify("$argon2id$broken", "Rental-2026")).toBe(false);
    expect(HashThreads.shared(1).threadCount).toBe(1);
  });

  it("PASSWORD_HASH_CONCURRENCY: one core fewer than the machine has by default, at least 1; nonsense stops the start", () => {
    expect(loadConfig({}).passwordHashConcurrency).toBeGreaterThanOrEqual(1);
    expect(loadConfig({ PASSWORD_HASH_CONCURRENCY: "3" }).passwordHashConcurrency).toBe(3);
    expect(() => loadConfig({ PASSWORD_HASH_CONCURRENCY: "0" })).toThrow(/PASSWORD_HASH_CONCURRENCY/);
  });
});
