import { describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config";
import { Limiter } from "../../server/lib/limiter";

/** A task that resolves when told to, recording when it started. */
function gate() {
  let open: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { done, open };
}

describe("Limiter", () => {
  it("runs at most `slots` tasks at once, the others in their order of arrival", async () => {
    const limiter = new Limiter(2);
    const started: number[] = [];
    const gates = [gate(), gate(), gate(), gate()];
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        await g.done;
        return i;
      }),
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual([0, 1]);
    gates[1]?.open();
    await runs[1];
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual([0, 1, 2]);
    gates[0]?.open();
    gates[2]?.open();
    gates[3]?.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3]);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it("a failing task gives its slot on and its error back", async () => {
    const limiter = new Limiter(1);
    const failing = limiter.run(async () => {
      throw new Error("argon2 failed");
    });
    const next = limiter.run(async () => "ran");
    await expect(failing).rejects.toThrow("argon2 failed");
    expect(await next).toBe("ran");
  });

  it("refuses a nonsense number of slots", () => {
    expect(() => new Limiter(0)).toThrow(/slots/);
    expect(() => new Limiter(1.5)).toThrow(/slots/);
  });

  it("PASSWORD_HASH_CONCURRENCY: one core fewer than the machine has by default, at least 1; nonsense stops the start", () => {
    expect(loadConfig({}).passwordHashConcurrency).toBeGreaterThanOrEqual(1);
    expect(loadConfig({ PASSWORD_HASH_CONCURRENCY: "3" }).passwordHashConcurrency).toBe(3);
    expect(() => loadConfig({ PASSWORD_HASH_CONCURRENCY: "0" })).toThrow(/PASSWORD_HASH_CONCURRENCY/);
  });
});
