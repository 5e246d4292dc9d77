import { chromium, defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, findChromium, HOW_TO_INSTALL } from "./scripts/browser.mjs";

const executablePath = findChromium(chromium);
if (!executablePath) throw new Error(HOW_TO_INSTALL);

/**
 * End-to-end tests against the production build, started by e2e/global-setup.ts on a free port
 * with a fresh SQLite database and the dev mailbox.
 */
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  use: {
    locale: "ja-JP",
    timezoneId: "Asia/Tokyo",
    trace: "retain-on-failure",
    launchOptions: { executablePath, args: CHROMIUM_ARGS },
  },
  projects: [
    { name: "chromium", use: { browserName: "chromium" } },
    { name: "chromium-no-js", grep: /@nojs/, use: { browserName: "chromium", javaScriptEnabled: false } },
  ],
});
