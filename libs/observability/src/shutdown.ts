import type { Logger } from 'pino';

export type ShutdownStep = () => Promise<void> | void;

/**
 * One ordered, run-once shutdown. Steps run in registration order (register them as:
 * stop accepting → close WebSockets → stop consumers and commit → flush producers →
 * close pools → flush logs); a failing step is logged and the next still runs. The
 * whole sequence is bounded by a drain timeout.
 */
export class Shutdown {
  private readonly steps: { name: string; step: ShutdownStep }[] = [];
  private readonly lastSteps: { name: string; step: ShutdownStep }[] = [];
  private running: Promise<number> | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** `last`: after every other step whenever it was added (the health server, so /live answers to the end). */
  add(name: string, step: ShutdownStep, options: { last?: boolean } = {}): void {
    (options.last ? this.lastSteps : this.steps).push({ name, step });
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  /** Runs the steps once; later calls return the same promise. Resolves to the exit code. */
  run(reason: string, err?: unknown): Promise<number> {
    this.running ??= this.execute(reason, err);
    return this.running;
  }

  private async execute(reason: string, err?: unknown): Promise<number> {
    if (err !== undefined) this.logger.error({ err, reason }, 'shutdown_started');
    else this.logger.info({ reason }, 'shutdown_started');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      timer.unref();
    });
    const sequence = (async () => {
      for (const { name, step } of [...this.steps, ...this.lastSteps]) {
        try {
          await step();
        } catch (stepErr) {
          this.logger.error({ err: stepErr, step: name }, 'shutdown_step_failed');
        }
      }
      return 'done' as const;
    })();
    const outcome = await Promise.race([sequence, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.logger.error({ timeoutMs: this.timeoutMs }, 'shutdown_timed_out');
    else this.logger.info('shutdown_complete');
    this.logger.flush();
    return err !== undefined || outcome === 'timeout' ? 1 : 0;
  }
}

/**
 * Wires SIGTERM/SIGINT and fatal errors to the shutdown, then exits with its code.
 * Only an app's main.ts calls this.
 */
export function exitOnSignals(shutdown: Shutdown, proc: NodeJS.Process = process): void {
  const stop = (reason: string, err?: unknown) => {
    void shutdown.run(reason, err).then((code) => proc.exit(code));
  };
  proc.once('SIGTERM', () => stop('SIGTERM'));
  proc.once('SIGINT', () => stop('SIGINT'));
  proc.on('uncaughtException', (err) => stop('uncaughtException', err));
  proc.on('unhandledRejection', (err) => stop('unhandledRejection', err));
}
