import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { exited, freePort, groupExited, waitHealthy } from "../support/processes";
import { TEST_DIALECT } from "../support/test-db";

/**
 * `npm start` (package.json) runs the server with two malloc arenas unless the environment sets its own value
 * (docs/operations.md, docs/benchmarks.md): what glibc keeps after load is part of the server's memory at rest.
 * Read from the running server's own environment (/proc), so Linux only; once, not per database.
 */

const PEPPER = "npm-start-test-pepper-0123456789abcdef";

/** The environment of the node process that runs scripts/start.mjs with this PORT. */
function serverEnvironment(port: number): Map<string, string> | undefined {
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      // Node itself (not npm's shell, whose command line names the script too).
      const [program, script] = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (path.basename(program ?? "") !== "node" || script !== "scripts/start.mjs") continue;
      const environ = new Map(
        fs
          .readFileSync(`/proc/${pid}/environ`, "utf8")
          .split("\0")
          .filter(Boolean)
          .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] as [string, string]),
      );
      if (environ.get("PORT") === String(port)) return environ;
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return undefined;
}

it.runIf(process.platform === "linux" && TEST_DIALECT === "sqlite")(
  "npm start gives the server MALLOC_ARENA_MAX=2, or the value the environment sets",
  async () => {
    for (const [given, expected] of [
      [undefined, "2"],
      ["4", "4"],
    ] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mos-npm-start-"));
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        NODE_ENV: "production",
        DATABASE_URL: `file:${path.join(dir, "db.sqlite")}`,
        PEPPER,
        PORT: String(port),
        HOST: "127.0.0.1",
        APP_ORIGIN: url,
        MAIL_TRANSPORT: "mailbox",
        SEED_DEMO: "false",
      };
      delete env.MALLOC_ARENA_MAX;
      if (given) env.MALLOC_ARENA_MAX = given;
      let output = "";
      const child = spawn("npm", ["start"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
      child.stdout?.on("data", (d: Buffer) => {
        output += d;
      });
      child.stderr?.on("data", (d: Buffer) => {
        output += d;
      });
      try {
        await waitHealthy(url, { child, output: () => output });
        expect(serverEnvironment(port)?.get("MALLOC_ARENA_MAX")).toBe(expected);
      } finally {
        // npm, its shell and the server: the whole group, all of it gone before its directory is.
        if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
        await exited(child);
        if (child.pid) await groupExited(child.pid);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  },
  120_000,
);
