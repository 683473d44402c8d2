import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { AggregateRefresher, type Queryable } from './aggregate-refresher';

const logger = pino({ level: 'silent' });

class FakePool implements Queryable {
  calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly answer: () => Promise<{ rows: unknown[] }>) {}
  async query(sql: string) {
    this.calls.push(sql);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await this.answer();
    } finally {
      this.inFlight--;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AggregateRefresher', () => {
  it('returns what the refresh function reports', async () => {
    const pool = new FakePool(() => Promise.resolve({ rows: [{ n: 42 }] }));
    await expect(new AggregateRefresher(pool, logger).refreshOnce()).resolves.toBe(42);
    expect(pool.calls).toEqual(['SELECT refresh_syi_index_aggregates() AS n']);
  });

  it('refreshes on its interval, one call at a time, and keeps going after a failure', async () => {
    let n = 0;
    const pool = new FakePool(async () => {
      await sleep(15);
      if (++n === 2) throw new Error('connection refused');
      return { rows: [{ n: 1 }] };
    });
    const failures = new Counter({ name: 'f', help: 'f', registers: [new Registry()] });
    const refresher = new AggregateRefresher(pool, logger, failures);
    refresher.start(5);
    await sleep(150);
    await refresher.stop();
    const calls = pool.calls.length;
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(pool.maxInFlight).toBe(1);
    expect((await failures.get()).values[0]?.value).toBe(1);
    await sleep(30);
    expect(pool.calls.length).toBe(calls); // stopped
  });

  it('stop() waits for the refresh in progress', async () => {
    let finished = false;
    const pool = new FakePool(async () => {
      await sleep(40);
      finished = true;
      return { rows: [] };
    });
    const refresher = new AggregateRefresher(pool, logger);
    refresher.start(1);
    await sleep(10);
    await refresher.stop();
    expect(finished).toBe(true);
  });
});
