/**
 * A background job that polls: runs `work()` every `pollIntervalMs` (never two runs at once), and on
 * stop waits for the run in flight. A pass that completed something is followed by the next one at once
 * (after the event loop's other work), so a backlog — a burst of logins' mails — goes out as fast as it can
 * be sent instead of a batch per interval; an idle or failing queue waits the interval. QueueWorker
 * (server/lib/leased-queue.ts) builds on it.
 */
export abstract class PollingWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;

  constructor(
    private readonly name: string,
    private readonly pollIntervalMs: number,
    protected readonly log?: (message: string) => void,
  ) {}

  /** One pass over what is due; returns how many items it completed. */
  protected abstract work(): Promise<number>;

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(delayMs = this.pollIntervalMs): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runOnce().then(
        (done) => this.schedule(done > 0 ? 0 : this.pollIntervalMs),
        (error) => {
          this.log?.(`${this.name}: ${(error as Error).message}`);
          this.schedule();
        },
      );
    }, delayMs);
    this.timer.unref();
  }

  /** Stops polling and waits for the pass in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** Runs one pass now (or joins the one running). */
  runOnce(): Promise<number> {
    this.running ??= this.work().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}
