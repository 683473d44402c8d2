import { Gauge, type Registry } from 'prom-client';

/**
 * Liveness by progress: each main loop calls `beat(name)` when it completes an iteration.
 * The app is live while every registered loop has beaten within its threshold — a stuck
 * loop fails `/live` even though the process still answers HTTP.
 */
export class ProgressMonitor {
  private readonly loops = new Map<string, { last: number; thresholdMs: number }>();

  constructor(
    private readonly now: () => number = Date.now,
    registry?: Registry,
  ) {
    if (registry) {
      const loops = this.loops;
      new Gauge({
        name: 'app_main_loop_last_progress_seconds',
        help: 'Unix time of the last completed iteration of each main loop',
        labelNames: ['loop'],
        registers: [registry],
        collect() {
          for (const [loop, { last }] of loops) this.set({ loop }, last / 1000);
        },
      });
    }
  }

  /** Registers a loop; it counts as having progressed now. */
  register(name: string, thresholdMs: number): void {
    this.loops.set(name, { last: this.now(), thresholdMs });
  }

  beat(name: string): void {
    const loop = this.loops.get(name);
    if (!loop) throw new Error(`unknown loop "${name}": register it first`);
    loop.last = this.now();
  }

  unregister(name: string): void {
    this.loops.delete(name);
  }

  /** Names of the loops that have not progressed in time (empty: live). */
  stalled(): string[] {
    const now = this.now();
    return [...this.loops].filter(([, l]) => now - l.last > l.thresholdMs).map(([name]) => name);
  }
}

export type ReadinessCheck = () => boolean | Promise<boolean>;

/** Readiness: every named check must pass (e.g. "kafka connected", "state restored"). */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** Names of the checks that fail or throw (empty: ready). */
  async failing(): Promise<string[]> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          return (await check()) ? null : name;
        } catch {
          return name;
        }
      }),
    );
    return results.filter((r): r is string => r !== null);
  }
}
