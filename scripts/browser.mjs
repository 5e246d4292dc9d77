// Finds a Chromium for Playwright: CHROMIUM_PATH, Playwright's own download, or Debian's /usr/bin/chromium.
import fs from "node:fs";

/** @param {{ executablePath(): string } | undefined} playwrightChromium */
export function findChromium(playwrightChromium) {
  const candidates = [process.env.CHROMIUM_PATH];
  try {
    candidates.push(playwrightChromium?.executablePath());
  } catch {
    // Playwright has no browser of its own here: fine, try the system one.
  }
  candidates.push("/usr/bin/chromium", "/usr/bin/chromium-browser");
  return candidates.find((p) => p && fs.existsSync(p)) ?? null;
}

export const HOW_TO_INSTALL =
  "No Chromium found for the end-to-end tests. Install one: `sudo apt-get install chromium` (Debian/Ubuntu), " +
  "or `npx playwright install chromium`, or set CHROMIUM_PATH to a Chromium/Chrome binary.";

/** Flags for a headless Chromium on a closed network (no background calls home). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];
