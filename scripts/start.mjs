// `npm start`: serves the production build (build/index.js for Remix, build/server/index.js for the
// server), building both first when either is missing or older than its sources. Configuration comes
// from the environment (see README and .env.example).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

process.env.NODE_ENV ??= "production";
// The project's folder, wherever the command is run from (a relative DATABASE_URL stays relative to the
// working directory, as documented).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function newestMtime(entry) {
  // A file may go while the folder is read (an editor's or a tool's temporary file): it counts for nothing.
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const child of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

const builtAt = (file) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);
const appBuild = path.join(root, "build/index.js");
const serverBuild = path.join(root, "build/server/index.js");
const sourcesAt = Math.max(
  ...["app", "server", "db", "emails", "remix.config.js"].map((p) => newestMtime(path.join(root, p))),
);
if (Math.min(builtAt(appBuild), builtAt(serverBuild)) < sourcesAt) {
  console.log(builtAt(appBuild) ? "the build is older than the sources: rebuilding…" : "no build yet: building…");
  const result = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit", env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// Stack traces point into the TypeScript sources.
process.setSourceMapsEnabled(true);
await import(pathToFileURL(serverBuild).href);
