// Preloaded into the bench's server by `npm run bench:pages -- --profile` (scripts/bench-pages.ts), never by
// `npm start`: with BENCH_CPU_PROFILE_DIR set, a SIGUSR2 starts V8's CPU profiler (a sample every 250 µs) and the
// next one stops it and writes the profile, in the format Chrome's DevTools open, to <dir>/<n>.cpuprofile
// (n = 1, 2, …; written whole, then renamed, so that a file that exists is complete).
"use strict";
const fs = require("node:fs");
const inspector = require("node:inspector");
const path = require("node:path");

const dir = process.env.BENCH_CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.enable");
  let running = false;
  let written = 0;
  process.on("SIGUSR2", () => {
    if (!running) {
      running = true;
      session.post("Profiler.setSamplingInterval", { interval: 250 }, () => session.post("Profiler.start"));
      return;
    }
    running = false;
    session.post("Profiler.stop", (error, result) => {
      const file = path.join(dir, `${++written}.cpuprofile`);
      fs.writeFileSync(
        `${file}.part`,
        error ? JSON.stringify({ error: String(error) }) : JSON.stringify(result.profile),
      );
      fs.renameSync(`${file}.part`, file);
    });
  });
}
