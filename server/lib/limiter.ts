/**
 * At most `slots` tasks at once; the others wait their turn, first come first served. Used to keep password
 * hashing (argon2id: 19 MiB and a core for some milliseconds each) from taking every core while a burst of
 * logins arrives, so that the pages of signed-in users are still served meanwhile.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly slots: number) {
    if (!Number.isInteger(slots) || slots < 1)
      throw new Error(`Limiter: slots must be a whole number ≥ 1, not ${slots}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running += 1;
    try {
      return await task();
    } finally {
      // The slot passes to the next in line (running stays the same), or is given back.
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
