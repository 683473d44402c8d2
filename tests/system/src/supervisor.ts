// Process supervision: every app of the system a child process, restarted when it exits on its
// own (as a deployment's restart policy would), stopped or restarted on purpose by the harness.
import { waitFor } from '@stableyield/kafka/testing';
import { httpOk, spawnApp, stopApp, type AppProcess } from '@stableyield/stream/testing';

export const SYSTEM_APPS = [
  'market-sim',
  'processor-syi',
  'processor-peg',
  'processor-liquidity',
  'processor-ray',
  'sink-timescale',
  'sink-clickhouse',
  'api',
  'ws-gateway',
  'keeper',
  'auditor',
  'ingest-hermes',
  'ingest-market',
] as const;
export type SystemApp = (typeof SYSTEM_APPS)[number];

interface RunningApp {
  env: Record<string, string>;
  process: AppProcess;
  /** health base URL */
  health: string;
}

export class AppSupervisor {
  private readonly apps = new Map<SystemApp, RunningApp>();
  /** apps this harness stopped on purpose (not crashes) */
  private readonly stopped = new Set<SystemApp>();
  /** apps being killed and restarted on purpose right now */
  private readonly restarting = new Set<SystemApp>();
  /** crashes the supervisor restarted, as a deployment's restart policy would: "app exited N: last log" */
  readonly restarts: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** The apps launched so far, in launch order. */
  names(): SystemApp[] {
    return [...this.apps.keys()];
  }

  /** The settings an app was (last) started with. */
  env(app: SystemApp): Record<string, string> {
    return this.apps.get(app)!.env;
  }

  /** An app's health base URL. */
  health(app: SystemApp): string {
    return this.apps.get(app)!.health;
  }

  launch(app: SystemApp, env: Record<string, string>): void {
    this.apps.set(app, {
      env,
      process: spawnApp(app, { LOG_LEVEL: 'warn', ...env }),
      health: `http://127.0.0.1:${env.HEALTH_PORT ?? env.METRICS_PORT ?? env.MARKET_SIM_HEALTH_PORT}`,
    });
  }

  async ready(app: SystemApp): Promise<void> {
    const running = this.apps.get(app)!;
    await waitFor(
      `${app} ready`,
      async () => {
        if (running.process.child.exitCode !== null)
          throw new Error(`${app} exited ${running.process.child.exitCode}: ${running.process.output().slice(-3_000)}`);
        return httpOk(`${running.health}/ready`);
      },
      180_000,
      250,
    );
  }

  /** Restarts an app that exited on its own (Kubernetes' restartPolicy: Always), and notes it. */
  supervise(): void {
    this.timer = setInterval(() => {
      for (const [name, app] of this.apps) {
        const exited = app.process.child.exitCode !== null || app.process.child.signalCode !== null;
        if (!exited || this.stopped.has(name) || this.restarting.has(name)) continue;
        this.restarts.push(
          `${new Date().toISOString()} ${name} exited ${app.process.child.exitCode}: ` +
            app.process.output().slice(-600),
        );
        this.launch(name, app.env);
      }
    }, 1_000);
    this.timer.unref();
  }

  /** Stops an app for good (the supervisor leaves it down). */
  async stopForGood(app: SystemApp, signal: NodeJS.Signals): Promise<void> {
    const running = this.apps.get(app);
    this.stopped.add(app);
    if (running) await stopApp(running.process, signal);
  }

  /** Stops an app with `signal` and starts it with `env`; resolves once it is ready. */
  async restart(app: SystemApp, signal: NodeJS.Signals, env: Record<string, string>): Promise<void> {
    const running = this.apps.get(app)!;
    this.restarting.add(app);
    try {
      await stopApp(running.process, signal);
      this.launch(app, env);
    } finally {
      this.restarting.delete(app);
    }
    await this.ready(app);
  }

  async isReady(app: SystemApp): Promise<boolean> {
    return httpOk(`${this.apps.get(app)!.health}/ready`);
  }

  /** Apps that exited on their own (not stopped by the harness), restarted or not. */
  crashed(): string[] {
    const down = [...this.apps]
      .filter(
        ([name, a]) =>
          !this.stopped.has(name) &&
          !this.restarting.has(name) &&
          a.process.child.exitCode !== null &&
          a.process.child.signalCode === null,
      )
      .map(([name, a]) => `${name} exited ${a.process.child.exitCode}: ${a.process.output().slice(-1_500)}`);
    return [...this.restarts, ...down];
  }

  /** The process id of every running app. */
  pids(): Map<SystemApp, number> {
    return new Map(
      [...this.apps]
        .filter(([, a]) => a.process.child.pid !== undefined)
        .map(([name, a]) => [name, a.process.child.pid!]),
    );
  }

  /** An app's Prometheus metrics text ('' when it does not answer). */
  async metrics(app: SystemApp): Promise<string> {
    const res = await fetch(`${this.apps.get(app)!.health}/metrics`).catch(() => null);
    return res?.ok ? res.text() : '';
  }

  output(app: SystemApp): string {
    return this.apps.get(app)?.process.output() ?? '';
  }

  /** Ends the supervision (no more restarts). */
  stopSupervising(): void {
    clearInterval(this.timer);
  }

  /** SIGKILLs every app, the last launched first. */
  async killAll(): Promise<void> {
    for (const app of [...this.apps.keys()].reverse()) await stopApp(this.apps.get(app)!.process, 'SIGKILL');
  }
}
