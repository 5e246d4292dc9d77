// Run before the e2e tests: fails early, with how to fix it, when there is no browser.
import { chromium } from "@playwright/test";
import { findChromium, HOW_TO_INSTALL } from "./browser.mjs";

const found = findChromium(chromium);
if (!found) {
  console.error(HOW_TO_INSTALL);
  process.exit(1);
}
console.log(`e2e browser: ${found}`);
