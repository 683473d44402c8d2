import { Gauge, type Registry } from '@stableyield/observability';

/** What the usage gauge reads from a pg Pool (a fake in tests). */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly options: { readonly max?: number };
}

const gauges = new WeakMap<Registry, Map<string, PoolCounts>>();

/**
 * `timescaledb_connection_pool_usage{pool}` (docs/metrics.md): connections in use (checked out of
 * the pool) divided by the pool's maximum, read at each scrape. One series per pool name
 * (`api`, `sink-timescale`); registering a second pool under a name replaces the first.
 */
export function registerPoolUsage(registry: Registry, name: string, pool: PoolCounts): void {
  let pools = gauges.get(registry);
  if (!pools) {
    const mine = new Map<string, PoolCounts>();
    pools = mine;
    gauges.set(registry, mine);
    new Gauge({
      name: 'timescaledb_connection_pool_usage',
      help: "Share (0-1) of the pg pool's maximum connections in use",
      labelNames: ['pool'],
      registers: [registry],
      collect() {
        for (const [pool, counts] of mine) this.set({ pool }, poolUsage(counts));
      },
    });
  }
  pools.set(name, pool);
}

/** In-use connections over the maximum (pg's default maximum is 10). */
export function poolUsage(counts: PoolCounts): number {
  const max = counts.options.max ?? 10;
  return max > 0 ? Math.max(0, counts.totalCount - counts.idleCount) / max : 0;
}
