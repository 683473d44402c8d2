// Debounce and batch: the first change opens a window of `debounceMs`; when it closes, one run
// evaluates every feed and sends at most one transaction. Changes arriving during the window, or
// while a run (a transaction) is in flight, are folded into the next run. The window is not
// extended by later changes, so a feed that changes every 400 ms cannot starve the push.
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface BatchRunRequest {
  /** True when an operator forced a push of every feed (SIGUSR1) since the last run. */
  force: boolean;
}

export class BatchScheduler {
  private timer: unknown;
  private running: Promise<void> | undefined;
  private pending = false;
  private forcePending = false;
  private stopped = false;

  constructor(
    private readonly debounceMs: number,
    private readonly run: (req: BatchRunRequest) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Something changed: make sure a run happens within debounceMs (or right after the current one). */
  notify(): void {
    if (this.stopped) return;
    this.pending = true;
    if (this.timer === undefined && !this.running) this.arm(this.debounceMs);
  }

  /** Run now with force, skipping the debounce window. */
  forceAll(): void {
    if (this.stopped) return;
    this.forcePending = true;
    this.pending = true;
    if (this.running) return; // picked up right after the run in flight
    this.disarm();
    this.arm(0);
  }

  /** True while a run (typically a transaction) is in flight. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Forget what is waiting (a demoted replica); later notifications schedule runs again. */
  cancel(): void {
    this.pending = false;
    this.forcePending = false;
    this.disarm();
  }

  /** Stop scheduling and wait for the run in flight, if any, to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.running;
  }

  private arm(ms: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.start();
    }, ms);
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    if (this.stopped || !this.pending) return;
    const req = { force: this.forcePending };
    this.pending = false;
    this.forcePending = false;
    this.running = this.run(req)
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
        // Changes that arrived during the run were waiting for it; give them their own window.
        if (this.pending && !this.stopped) this.arm(this.forcePending ? 0 : this.debounceMs);
      });
  }
}

/**
 * Runs `task` now and then `intervalMs` after each run ends (never two at once), on the injectable
 * clock: how the keeper's duties keep their view of the chain fresh between pushes.
 */
export class RefreshTimer {
  private handle: unknown;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly task: () => Promise<unknown>,
  ) {}

  async start(): Promise<void> {
    await this.task();
    this.schedule();
  }

  /** No run starts after this (one in progress finishes). */
  stop(): void {
    this.stopped = true;
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.handle = this.clock.setTimeout(() => void this.task().finally(() => this.schedule()), this.intervalMs);
  }
}
