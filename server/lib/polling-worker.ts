/**
 * A background job that polls: runs `work()` every `pollIntervalMs` (never two runs at once), and on
 * stop waits for the run in flight. QueueWorker (server/lib/leased-queue.ts) builds on it.
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

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.runOnce()
        .catch((error) => this.log?.(`${this.name}: ${(error as Error).message}`))
        .finally(() => this.schedule());
    }, this.pollIntervalMs);
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
