import { Registry } from 'prom-client';
import { poolUsage, registerPoolUsage, type PoolCounts } from './pool-metrics';

const counts = (totalCount: number, idleCount: number, max?: number): PoolCounts => ({
  totalCount,
  idleCount,
  options: max === undefined ? {} : { max },
});

describe('timescaledb_connection_pool_usage', () => {
  it('is the share of the maximum checked out of the pool', () => {
    expect(poolUsage(counts(0, 0, 10))).toBe(0);
    expect(poolUsage(counts(5, 1, 10))).toBe(0.4);
    expect(poolUsage(counts(8, 0, 8))).toBe(1);
    expect(poolUsage(counts(3, 3, 10))).toBe(0);
    expect(poolUsage(counts(2, 0))).toBe(0.2); // pg's default max of 10
  });

  it('is read from each registered pool at every scrape', async () => {
    const registry = new Registry();
    const api = { totalCount: 2, idleCount: 1, options: { max: 4 } };
    registerPoolUsage(registry, 'api', api);
    registerPoolUsage(registry, 'other', counts(1, 1, 2));
    const value = async (pool: string) => {
      const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === 'timescaledb_connection_pool_usage');
      return (metric as unknown as { values: { labels: { pool: string }; value: number }[] }).values.find(
        (v) => v.labels.pool === pool,
      )?.value;
    };
    expect(await value('api')).toBe(0.25);
    expect(await value('other')).toBe(0);
    api.totalCount = 4;
    api.idleCount = 0;
    expect(await value('api')).toBe(1);
    expect(await registry.metrics()).toContain('timescaledb_connection_pool_usage{pool="api"');
  });
});
