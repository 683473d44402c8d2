import type { Logger } from 'pino';
import type { Counter } from 'prom-client';

/** What the refresher needs of a pg Pool. */
export interface Queryable {
  query(sql: string): Promise<{ rows: unknown[] }>;
}

/**
 * Keeps the index aggregates' materialised buckets current (plain PostgreSQL, migration 4): every
 * `intervalMs` it calls `refresh_syi_index_aggregates()`, one call at a time. On TimescaleDB the
 * function does nothing (continuous aggregates refresh themselves). A failed refresh is logged and
 * retried at the next tick: the views stay correct meanwhile, only slower to read.
 */
export class AggregateRefresher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly pool: Queryable,
    private readonly logger: Logger,
    private readonly failures?: Counter,
  ) {}

  /** One refresh now; resolves with the buckets it rewrote (-1: another refresher held the lock). */
  async refreshOnce(): Promise<number> {
    const { rows } = await this.pool.query('SELECT refresh_syi_index_aggregates() AS n');
    return Number((rows[0] as { n?: unknown } | undefined)?.n ?? 0);
  }

  start(intervalMs: number): void {
    const tick = () => {
      this.running = this.refreshOnce()
        .then((n) => this.logger.debug({ buckets: n }, 'aggregates_refreshed'))
        .catch((err: unknown) => {
          this.failures?.inc();
          this.logger.warn({ err }, 'aggregate_refresh_failed');
        })
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, intervalMs);
  }

  /** Stops the timer and waits for a refresh in progress (before the pool is closed). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
