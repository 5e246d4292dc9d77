// Finds a Chromium for Playwright: CHROMIUM_PATH, Playwright's own download, or Debian's /usr/bin/chromium.
import fs from "node:fs";

export async function findChromium() {
  const candidates = [];
  if (process.env.CHROMIUM_PATH) candidates.push(process.env.CHROMIUM_PATH);
  try {
    const { chromium } = await import("@playwright/test");
    candidates.push(chromium.executablePath());
  } catch {
    // Playwright has no browser of its own here: fine, try the system one.
  }
  candidates.push("/usr/bin/chromium", "/usr/bin/chromium-browser");
  return candidates.find((p) => p && fs.existsSync(p)) ?? null;
}

export const HOW_TO_INSTALL =
  "No Chromium found for the end-to-end tests. Install one: `sudo apt-get install chromium` (Debian/Ubuntu), " +
  "or `npx playwright install chromium`, or set CHROMIUM_PATH to a Chromium/Chrome binary.";
