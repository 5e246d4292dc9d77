// `npm start`: serves the production build, building it first when it is missing or older than
// the sources under app/. Configuration comes from the environment (see README and .env.example).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

process.env.NODE_ENV ??= "production";

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

const buildFile = path.resolve("build/index.js");
const builtAt = fs.existsSync(buildFile) ? fs.statSync(buildFile).mtimeMs : 0;
const sourcesAt = Math.max(newestMtime(path.resolve("app")), fs.statSync("remix.config.js").mtimeMs);
if (builtAt < sourcesAt) {
  console.log(builtAt ? "build is older than app/: rebuilding…" : "no build yet: building…");
  const result = spawnSync(process.execPath, [path.resolve("node_modules/@remix-run/dev/dist/cli.js"), "build"], {
    stdio: "inherit",
    env: process.env,
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const { register } = await import("tsx/esm/api");
register();
await import("../server/index.ts");
