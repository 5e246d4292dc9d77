/**
 * `npm run bench:pages -- [--quick] [--rounds N] [--seconds S] [--profile] [--no-build] <path>…`: what some
 * pages cost, to check a change to them in a few minutes instead of the whole `npm run bench`
 * (docs/benchmarks.md, "Checking a few pages"). Not part of `npm test`.
 *
 * Starts the production server on the bench's data (scripts/bench/http-data.ts: full scale, or a tenth with
 * `--quick`), signs in as the bench's customer, warms every page up, then measures each path with autocannon
 * (20 connections, `--seconds` each, 8 by default) in `--rounds` rounds (2 by default), each round beginning
 * with the floor (/forgot-password, signed out), and prints per run the requests a second, p99, the server's
 * CPU a request (all its threads) and the ratio to that round's floor. A path is requested signed in; `anon:`
 * before it requests it signed out.
 *
 * `--profile`: the first round also records a CPU profile of the server's main thread for each page's measured
 * run (scripts/bench/cpu-profile.cjs, preloaded; the compression and hashing threads are not in it), prints
 * the functions that took most of it, by their own time a request, and keeps each profile as a .cpuprofile file
 * (Chrome's DevTools open it) in a directory it names. Profiling costs a little: that round reads slower.
 *
 * The data is built once and kept for later runs: in BENCH_PAGES_DATA, by default a file per scale in the
 * system's temporary directory (the server migrates it at start; delete it to build it anew). Runs compare only
 * on the same machine under the same load: run the same command before and after a change, alternately.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { projectPath } from "../server/lib/paths";
import { buildBenchData, CUSTOMER, FULL_SCALE, QUICK_SCALE } from "./bench/http-data";
import {
  BENCH_PEPPER,
  BROWSER_HEADERS,
  badResponses,
  cookieHeader,
  cpuSecondsOf,
  expectPage,
  FLOOR_PATH,
  signInCustomer,
  startServer,
} from "./bench/server";

const CONNECTIONS = 20;

interface Options {
  quick: boolean;
  build: boolean;
  profile: boolean;
  rounds: number;
  seconds: number;
  paths: { path: string; signedIn: boolean }[];
}

function parseArgs(args: string[]): Options {
  const options: Options = { quick: false, build: true, profile: false, rounds: 2, seconds: 8, paths: [] };
  const count = (flag: string, value: string | undefined) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a whole number of at least 1`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--quick") options.quick = true;
    else if (arg === "--no-build") options.build = false;
    else if (arg === "--profile") options.profile = true;
    else if (arg === "--rounds") options.rounds = count(arg, args[++i]);
    else if (arg === "--seconds") options.seconds = count(arg, args[++i]);
    else if (arg.startsWith("/")) options.paths.push({ path: arg, signedIn: true });
    else if (arg.startsWith("anon:/")) options.paths.push({ path: arg.slice(5), signedIn: false });
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!options.paths.length) throw new Error("name at least one path, e.g. /account/history or anon:/login");
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.build) {
    console.log("building (npm run build)…");
    const build = spawnSync("npm", ["run", "build"], { cwd: projectPath("."), stdio: "ignore" });
    if (build.status !== 0) throw new Error("npm run build failed");
  }
  const file =
    process.env.BENCH_PAGES_DATA ??
    path.join(os.tmpdir(), `mos-bench-pages-${options.quick ? "quick" : "full"}.sqlite`);
  const databaseUrl = `file:${file}`;
  if (!fs.existsSync(file)) {
    console.log(`data (kept in ${file} for later runs):`);
    const partial = `${file}.building`;
    for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) fs.rmSync(f, { force: true });
    await buildBenchData(`file:${partial}`, BENCH_PEPPER, options.quick ? QUICK_SCALE : FULL_SCALE, (m) =>
      console.log(m),
    );
    // buildBenchData closes its connection, which folds the WAL into the file: the file alone is the data.
    if (fs.existsSync(`${partial}-wal`)) throw new Error(`${partial}: the data's WAL was left over`);
    fs.renameSync(partial, file);
  } else {
    console.log(`data: ${file}`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-bench-pages-"));
  const logFile = path.join(dir, "server.log");
  const server = await startServer({
    databaseUrl,
    pepper: BENCH_PEPPER,
    logFile,
    ...(options.profile
      ? {
          nodeArgs: ["--require", projectPath("scripts/bench/cpu-profile.cjs")],
          env: { BENCH_CPU_PROFILE_DIR: dir },
        }
      : {}),
  });
  let profiles = 0;
  /** Runs `measure` with the server's CPU profiler on; returns the profile's file. */
  const profiled = async <T>(name: string, measure: () => Promise<T>): Promise<{ result: T; file: string }> => {
    process.kill(server.pid, "SIGUSR2");
    const result = await measure();
    process.kill(server.pid, "SIGUSR2");
    const written = path.join(dir, `${++profiles}.cpuprofile`);
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(written)) {
      if (Date.now() > deadline) throw new Error(`no CPU profile from the server for ${name}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const file = path.join(dir, `${profiles}-${name.replace(/[^A-Za-z0-9]+/g, "_").slice(0, 60)}.cpuprofile`);
    fs.renameSync(written, file);
    return { result, file };
  };
  try {
    const jar = await signInCustomer(server.origin, CUSTOMER);
    const browser = BROWSER_HEADERS;
    const signedIn = { ...browser, Cookie: cookieHeader(jar) };
    const runs = [{ path: FLOOR_PATH, signedIn: false }, ...options.paths];
    for (const run of runs) await expectPage(server.origin, run.path, run.signedIn ? jar : new Map());
    const measure = async (run: { path: string; signedIn: boolean }, seconds: number) => {
      const cpu0 = cpuSecondsOf(server.pid);
      const result = await autocannon({
        url: `${server.origin}${run.path}`,
        connections: CONNECTIONS,
        duration: seconds,
        headers: run.signedIn ? signedIn : browser,
      });
      const cpuMs = ((cpuSecondsOf(server.pid) - cpu0) * 1000) / Math.max(1, result.requests.total);
      const bad = badResponses(result, "2xx");
      if (bad) throw new Error(`${run.path}: ${bad} requests failed or did not answer 2xx`);
      return { rps: result.requests.average, p99: result.latency.p99, cpuMs, requests: result.requests.total };
    };
    console.log(`warm-up: every page, ${runs.length * 3} s…`);
    await autocannon({
      url: server.origin,
      connections: CONNECTIONS,
      duration: runs.length * 3,
      requests: runs.map((r) => ({ path: r.path, headers: r.signedIn ? signedIn : browser })),
    });
    const ratios = new Map<string, number[]>();
    for (let round = 1; round <= options.rounds; round++) {
      console.log(`round ${round} (${options.seconds} s a page, 2 s warm-up each; ${loadAverage()}):`);
      let floor = 0;
      for (const run of runs) {
        await measure(run, 2);
        const name = `${run.signedIn ? "" : "anon:"}${run.path}`;
        let m: Awaited<ReturnType<typeof measure>>;
        let profile: { file: string; requests: number } | undefined;
        if (options.profile && round === 1) {
          const p = await profiled(name, () => measure(run, options.seconds));
          m = p.result;
          profile = { file: p.file, requests: m.requests };
        } else {
          m = await measure(run, options.seconds);
        }
        if (run === runs[0]) floor = m.rps;
        const ratio = m.rps / floor;
        if (run !== runs[0]) ratios.set(name, [...(ratios.get(name) ?? []), ratio]);
        console.log(
          `  ${name.padEnd(44)} ${m.rps.toFixed(0).padStart(6)} req/s  p99 ${String(m.p99).padStart(3)} ms  ` +
            `CPU ${m.cpuMs.toFixed(3)} ms a request  ÷ floor ${ratio.toFixed(2)}`,
        );
        if (profile) printProfile(profile.file, profile.requests);
      }
    }
    console.log("÷ floor, each round:");
    for (const [name, list] of ratios) console.log(`  ${name.padEnd(44)} ${list.map((r) => r.toFixed(2)).join("  ")}`);
  } finally {
    await server.stop();
  }
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** A script's place: its package's path in node_modules, else its path in the project. */
const PROJECT_URL = `${pathToFileURL(projectPath(".")).href.replace(/\/$/, "")}/`;
function shortUrl(url: string): string {
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) return url.slice(modules + "node_modules/".length);
  return url.startsWith(PROJECT_URL) ? url.slice(PROJECT_URL.length) : url;
}

/** The functions of a CPU profile that took most of its time themselves, in µs a request. */
function printProfile(file: string, requests: number): void {
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<CpuProfile> & { error?: string };
  if (!profile.nodes || !profile.samples || !profile.timeDeltas) {
    console.log(`    no CPU profile: ${profile.error ?? "the file holds none"} (${file})`);
    return;
  }
  const deltas = profile.timeDeltas;
  const nameOf = new Map<number, string>();
  for (const { id, callFrame: f } of profile.nodes) {
    const where = f.url ? ` ${shortUrl(f.url)}:${f.lineNumber + 1}` : "";
    nameOf.set(id, `${f.functionName || "(anonymous)"}${where}`);
  }
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    // A sample's time is the delta to the next one.
    const us = deltas[i + 1] ?? 0;
    const name = nameOf.get(id) ?? "?";
    self.set(name, (self.get(name) ?? 0) + us);
    total += us;
  });
  const perRequest = (us: number) => (us / Math.max(1, requests)).toFixed(1).padStart(7);
  console.log(`    main thread ${perRequest(total)} µs a request; most of it, by own time (${file}):`);
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`    ${perRequest(us)} µs  ${name}`);
  }
}

function loadAverage(): string {
  return `load average ${os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(" / ")}`;
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
