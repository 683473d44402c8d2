// Runs a task now and then every interval, never overlapping itself. The task may ask for a longer
// pause (rate limits). stop() waits for a running task.
import { type Logger } from 'pino';

export type ScheduledTask = (signal: AbortSignal) => Promise<{ delayMs?: number } | void>;

export class PollScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly task: ScheduledTask,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce().finally(() => {
        this.running = null;
      });
    }, delayMs);
  }

  private async runOnce(): Promise<void> {
    let delay = this.intervalMs;
    try {
      const result = await this.task(this.abort.signal);
      if (result && result.delayMs !== undefined) delay = Math.max(delay, result.delayMs);
    } catch (err) {
      this.logger.error({ err, task: this.name }, 'scheduled_task_failed');
    }
    this.schedule(delay);
  }
}
