/**
 * The production server as a child process for the HTTP bench (node build/server/index.js, as `npm start`
 * runs it), its memory from /proc, and signing in over HTTP as a browser would (forms, cookies, the Origin
 * header the CSRF check wants, the staff code from the dev mailbox).
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import type { Result } from "autocannon";
import { projectPath } from "../../server/lib/paths";

/** The server's pepper in the benches: the data they build (its password hashes) and the server must share it. */
export const BENCH_PEPPER = "bench-pepper-0123456789-abcdefghijklmnop";

/** The floor every page is compared with: a page without a loader of its own, signed out. */
export const FLOOR_PATH = "/forgot-password";

/** The longest a statement of a page may take (issue 13 item 3); the server logs every one at least as long. */
export const SLOW_STATEMENT_MS = 5;

/**
 * The server's "slow query N ms: SQL" lines written to its log from byte `from` on, grouped by statement:
 * how often and how long at most, slowest first.
 */
export function slowStatements(logFile: string, from: number): { sql: string; count: number; maxMs: number }[] {
  const text = fs.readFileSync(logFile).subarray(from).toString("utf8");
  const by = new Map<string, { sql: string; count: number; maxMs: number }>();
  for (const m of text.matchAll(/slow query (\d+) ms: (.*)$/gm)) {
    const ms = Number(m[1]);
    const sql = m[2] as string;
    const seen = by.get(sql) ?? { sql, count: 0, maxMs: 0 };
    seen.count++;
    seen.maxMs = Math.max(seen.maxMs, ms);
    by.set(sql, seen);
  }
  return [...by.values()].sort((a, b) => b.maxMs - a.maxMs || b.count - a.count);
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** VmRSS and VmHWM (the peak so far) of a process, in MB; null once it is gone or off Linux. */
export function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
    return { rss: kb("VmRSS") / 1024, hwm: kb("VmHWM") / 1024 };
  } catch {
    return null;
  }
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 1/100 s, as
 * Linux reports them to user space); NaN off Linux.
 */
export function cpuSecondsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // After the command name in parentheses: state is field 3, utime 14 and stime 15 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

export interface BenchServer {
  origin: string;
  pid: number;
  logFile: string;
  /** Samples VmRSS every `ms` until stopped; returns the highest sample, in MB. */
  sampleRss(ms: number): { stop(): number };
  stop(): Promise<void>;
}

export async function startServer(options: {
  databaseUrl: string;
  pepper: string;
  logFile: string;
  /** Node's options before the script (e.g. a module to preload), and more environment. */
  nodeArgs?: string[];
  env?: Record<string, string>;
}): Promise<BenchServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const log = fs.openSync(options.logFile, "a");
  const args = [...(options.nodeArgs ?? []), "--enable-source-maps", projectPath("build/server/index.js")];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: projectPath("."),
    env: {
      ...process.env,
      ...options.env,
      NODE_ENV: "production",
      APP_ENV: "local",
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_ORIGIN: origin,
      DATABASE_URL: options.databaseUrl,
      PEPPER: options.pepper,
      SEED_DEMO: "false",
      LOGIN_RATE_LIMIT_PER_MINUTE: "0",
      MAIL_TRANSPORT: "mailbox",
      // As `npm start` runs it (package.json, docs/operations.md): two malloc arenas, unless told otherwise.
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2",
      // Every statement of 5 ms or more is logged (issue 13 item 3's limit): the bench lists them.
      SLOW_QUERY_MS: String(SLOW_STATEMENT_MS),
    },
    stdio: ["ignore", log, log],
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`the server exited (${child.exitCode}):\n${fs.readFileSync(options.logFile, "utf8")}`);
    }
    try {
      if ((await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(10_000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`the server did not start:\n${fs.readFileSync(options.logFile, "utf8")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid as number;
  return {
    origin,
    pid,
    logFile: options.logFile,
    sampleRss(ms) {
      let peak = memoryOf(pid)?.rss ?? 0;
      const timer = setInterval(() => {
        peak = Math.max(peak, memoryOf(pid)?.rss ?? 0);
      }, ms);
      return {
        stop() {
          clearInterval(timer);
          return Math.max(peak, memoryOf(pid)?.rss ?? 0);
        },
      };
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      fs.closeSync(log);
    },
  };
}

/** The name=value pairs of a response's Set-Cookie headers, merged into a jar (an emptied cookie leaves it). */
export function keepCookies(jar: Map<string, string>, res: Response): void {
  for (const header of res.headers.getSetCookie()) {
    const [pair = "", ...attrs] = header.split(";");
    const eq = pair.indexOf("=");
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (!value || attrs.some((a) => a.trim().toLowerCase() === "max-age=0")) jar.delete(name);
    else jar.set(name, value);
  }
}

export const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

export const USER_AGENT =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** What a browser sends with every request the benches time: it takes brotli and gzip. */
export const BROWSER_HEADERS: Readonly<Record<string, string>> = {
  "Accept-Encoding": "br, gzip",
  "User-Agent": USER_AGENT,
};

/** An autocannon run's answers other than the `expected` class, with its errors and timeouts. */
export function badResponses(r: Result, expected: "2xx" | "3xx"): number {
  const other = (["1xx", "2xx", "3xx", "4xx", "5xx"] as const).filter((k) => k !== expected);
  return r.errors + r.timeouts + other.reduce((sum, k) => sum + r[k], 0);
}

/** POSTs a form as a browser does (Origin for the CSRF check), keeping its cookies; returns the response. */
export async function postForm(
  origin: string,
  path: string,
  fields: Record<string, string>,
  jar: Map<string, string>,
): Promise<Response> {
  const res = await fetch(`${origin}${path}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      Origin: origin,
      Cookie: cookieHeader(jar),
      "User-Agent": USER_AGENT,
    },
    body: new URLSearchParams(fields).toString(),
  });
  keepCookies(jar, res);
  await res.arrayBuffer();
  return res;
}

/** The customer's session: the login form, then a check that / answers 200 with it. */
export async function signInCustomer(
  origin: string,
  user: { loginId: string; email: string; password: string },
): Promise<Map<string, string>> {
  const jar = new Map<string, string>();
  const res = await postForm(origin, "/login", { ...user, redirectTo: "/" }, jar);
  if (res.status !== 302 || !jar.size) throw new Error(`customer sign-in: ${res.status}, no session cookie`);
  await expectPage(origin, "/", jar);
  return jar;
}

/** The staff session: メールアドレス + パスワード, then the code mailed to the dev mailbox. */
export async function signInStaff(
  origin: string,
  staff: { email: string; password: string },
): Promise<Map<string, string>> {
  const jar = new Map<string, string>();
  const first = await postForm(
    origin,
    "/admin/login",
    { email: staff.email, password: staff.password, redirectTo: "/admin" },
    jar,
  );
  if (first.status !== 302) throw new Error(`staff sign-in: ${first.status}`);
  const deadline = Date.now() + 60_000;
  let code: string | undefined;
  while (!code) {
    const res = await fetch(`${origin}/dev/mailbox/messages.json?to=${encodeURIComponent(staff.email)}`);
    const { messages } = (await res.json()) as { messages: { text: string }[] };
    code = messages.map((m) => /ワンタイムパスワード:\s*(\d+)/.exec(m.text)?.[1]).find(Boolean);
    if (!code) {
      if (Date.now() > deadline) throw new Error("staff sign-in: no code in the dev mailbox");
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const second = await postForm(origin, "/admin/login/otp", { intent: "verify", code }, jar);
  if (second.status !== 302) throw new Error(`staff code: ${second.status}`);
  await expectPage(origin, "/admin/applications", jar);
  return jar;
}

/** GETs a page with the cookies; throws unless it answers 200. Returns its HTML. */
export async function expectPage(origin: string, path: string, jar: Map<string, string>): Promise<string> {
  const res = await fetch(`${origin}${path}`, {
    redirect: "manual",
    headers: { Cookie: cookieHeader(jar), "User-Agent": USER_AGENT },
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  return body;
}
