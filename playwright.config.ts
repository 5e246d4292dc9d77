import os from "node:os";
import { chromium, defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium, HOW_TO_INSTALL } from "./scripts/browser.mjs";

const executablePath = findChromium(chromium);
if (!executablePath) throw new Error(HOW_TO_INSTALL);

/**
 * How many tests run at once. Each worker drives its own Chromium against the one app server, which
 * hashes passwords (Argon2) for every login: about two cores a worker. So: the cores that are free now
 * (os.availableParallelism() minus the 1-minute load average), halved, at least 1 and at most 4.
 * A 2-core machine always gets 1 worker; a busy machine gets fewer than an idle one.
 * Override with E2E_WORKERS=N (e.g. E2E_WORKERS=1 on a shared box, or more on a big idle one).
 */
function e2eWorkers(): { workers: number; why: string } {
  const asked = process.env.E2E_WORKERS;
  if (asked) {
    const n = Number(asked);
    if (!Number.isInteger(n) || n < 1) throw new Error(`E2E_WORKERS must be a whole number ≥ 1, not "${asked}"`);
    return { workers: n, why: "E2E_WORKERS" };
  }
  const cores = os.availableParallelism();
  const load = os.loadavg()[0] ?? 0; // 0 where there is no load average (Windows)
  const free = Math.max(0, cores - Math.round(load));
  const workers = Math.max(1, Math.min(4, Math.floor(cores / 2), Math.floor(free / 2)));
  return { workers, why: `${cores} cores, load ${load.toFixed(1)}; set E2E_WORKERS=N to override` };
}

const { workers, why } = e2eWorkers();
// Said once, by the runner (worker processes load this file too).
if (process.env.TEST_WORKER_INDEX === undefined) console.log(`e2e: ${workers} worker(s) (${why})`);

/**
 * End-to-end tests against the production build, started by e2e/global-setup.ts on a free port
 * with a fresh SQLite database and the dev mailbox.
 *
 * Every wait is on a condition (an element, a URL, a mail in the mailbox); the time limits below only
 * bound a hang, so they are generous: a loaded or slow machine takes longer, it does not fail.
 */
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  timeout: 5 * 60_000,
  expect: { timeout: 60_000, toPass: { timeout: 60_000 } },
  fullyParallel: true,
  workers,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    locale: "ja-JP",
    timezoneId: "Asia/Tokyo",
    trace: "retain-on-failure",
    actionTimeout: 60_000,
    navigationTimeout: 60_000,
    launchOptions: { executablePath, args: CHROMIUM_ARGS },
  },
  projects: [
    { name: "chromium", use: { browserName: "chromium" } },
    { name: "chromium-no-js", grep: /@nojs/, use: { browserName: "chromium", javaScriptEnabled: false } },
  ],
});
