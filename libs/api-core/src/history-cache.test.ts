import fc from 'fast-check';
import { bucketStart, IndexHistoryCache, type BucketSource } from './history-cache';
import { INTERVAL_MS, INTERVALS, type Interval, type OhlcPoint } from './queries';

/** syi_index in memory, grouped as the aggregates group it; counts what it is asked. */
class Records implements BucketSource {
  readonly rows: { ts: number; value: number }[] = [];
  readonly calls: string[] = [];

  add(ts: number, value: number): void {
    this.rows.push({ ts, value });
    this.rows.sort((a, b) => a.ts - b.ts);
  }

  group(interval: Interval, from: number, to = Number.POSITIVE_INFINITY): OhlcPoint[] {
    const buckets = new Map<number, number[]>();
    for (const r of this.rows) {
      const b = bucketStart(r.ts, INTERVAL_MS[interval]);
      if (b >= from && b < to) buckets.set(b, [...(buckets.get(b) ?? []), r.value]);
    }
    return [...buckets]
      .sort(([a], [b]) => a - b)
      .map(([bucket, v]) => ({
        bucket,
        open: v[0]!,
        high: Math.max(...v),
        low: Math.min(...v),
        close: v.at(-1)!,
        avg: v.reduce((a, x) => a + x, 0) / v.length,
        samples: v.length,
      }));
  }

  buckets(interval: Interval, from: number, to: number | undefined): Promise<OhlcPoint[]> {
    this.calls.push(`${interval} ${from} ${to ?? '∞'}`);
    return Promise.resolve(this.group(interval, from, to));
  }

  newestTs(): Promise<number | null> {
    this.calls.push('newest');
    return Promise.resolve(this.rows.at(-1)?.ts ?? null);
  }
}

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);

function setup(maxClosedBuckets = 1_000) {
  const records = new Records();
  let clock = T0;
  const cache = new IndexHistoryCache(records, { maxTailAgeMs: 1_000, maxClosedBuckets, now: () => clock });
  return { records, cache, advance: (ms: number) => (clock += ms) };
}

describe('IndexHistoryCache', () => {
  it('reads the closed buckets once and only the open bucket again after the freshness step', async () => {
    const { records, cache, advance } = setup();
    for (let i = 0; i < 30; i++) records.add(T0 + i * 10_000, 4 + i / 100);
    const first = await cache.read('1m', T0, T0 + 10 * MIN);
    expect(first.points).toEqual(records.group('1m', T0, T0 + 10 * MIN));
    expect(first.final).toBe(false);
    // newest, the open bucket on, then the closed part of the range.
    expect(records.calls).toEqual(['newest', `1m ${T0 + 4 * MIN} ∞`, `1m ${T0} ${T0 + 4 * MIN}`]);
    records.calls.length = 0;

    const closed = await cache.read('1m', T0 + MIN, T0 + 3 * MIN);
    expect([closed.points.map((p) => p.bucket), closed.final]).toEqual([[T0 + MIN, T0 + 2 * MIN], true]);
    expect(records.calls).toEqual([]);

    // A new record is not served before the step is over, then it is, from one read of the tail.
    records.add(T0 + 300_000, 9);
    expect((await cache.read('1m', T0, T0 + 10 * MIN)).points).toEqual(first.points);
    advance(1_000);
    const fresh = await cache.read('1m', T0, T0 + 10 * MIN);
    expect(fresh.points).toEqual(records.group('1m', T0, T0 + 10 * MIN));
    expect(fresh.version).not.toBe(first.version);
    expect(records.calls).toEqual(['newest', `1m ${T0 + 4 * MIN} ∞`]);
  });

  it('reads the next tail in the background from half the freshness step on', async () => {
    const { records, cache, advance } = setup();
    records.add(T0, 1);
    await cache.read('1m', T0, T0 + MIN);
    records.add(T0 + 1_000, 7);
    advance(500);
    // Served at once from the tail held; its successor is read meanwhile.
    expect((await cache.read('1m', T0, T0 + MIN)).points[0]!.samples).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    records.calls.length = 0;
    advance(400); // 0.4 s after the read ahead: served from it, nothing read
    expect((await cache.read('1m', T0, T0 + MIN)).points[0]).toMatchObject({ samples: 2, high: 7 });
    expect(records.calls).toEqual([]);
  });

  it('keeps the version while the open bucket is unchanged', async () => {
    const { records, cache, advance } = setup();
    records.add(T0 + 5_000, 4);
    const a = await cache.read('5m', T0, T0 + 3_600_000);
    advance(5_000);
    const b = await cache.read('5m', T0, T0 + 3_600_000);
    expect([b.generation, b.version]).toEqual([a.generation, a.version]);
  });

  it('serves nothing while nothing is stored, and starts again when stored history moves backwards', async () => {
    const { records, cache, advance } = setup();
    expect(await cache.read('1m', T0, T0 + MIN)).toMatchObject({ points: [], final: false });
    for (let i = 0; i < 20; i++) records.add(T0 + i * 30_000, i);
    advance(1_000);
    const before = await cache.read('1m', T0, T0 + 20 * MIN);
    expect(before.points).toHaveLength(10);
    records.rows.splice(10); // a restored database: the newest bucket is older than what was closed
    advance(1_000);
    const after = await cache.read('1m', T0, T0 + 20 * MIN);
    expect(after.generation).toBeGreaterThan(before.generation);
    expect(after.points).toEqual(records.group('1m', T0, T0 + 20 * MIN));
  });

  it('reads a range too far back to keep from the source every time', async () => {
    const { records, cache } = setup(10);
    for (let i = 0; i < 100; i++) records.add(T0 + i * MIN, i);
    expect((await cache.read('1m', T0, T0 + 50 * MIN)).points).toEqual(records.group('1m', T0, T0 + 50 * MIN));
    records.calls.length = 0;
    expect((await cache.read('1m', T0, T0 + 50 * MIN)).points).toHaveLength(50);
    expect(records.calls).toEqual([`1m ${T0} ${T0 + 50 * MIN}`]);
  });

  it('waits for one tail read when many requests find it stale at once', async () => {
    const { records, cache } = setup();
    records.add(T0, 1);
    await Promise.all(Array.from({ length: 20 }, () => cache.read('1h', T0, T0 + 3_600_000)));
    expect(records.calls.filter((c) => c === 'newest')).toHaveLength(1);
  });

  // The old path is the source itself: after every freshness step, any range, any interval,
  // while records keep arriving in order (sometimes several per bucket, sometimes gaps).
  it('answers every range exactly as the source does once the tail is fresh', async () => {
    const step = fc.record({
      gapMs: fc.integer({ min: 1, max: 3 * 3_600_000 }),
      value: fc.double({ min: -10, max: 10, noNaN: true }),
    });
    const query = fc.record({
      interval: fc.constantFrom(...INTERVALS),
      from: fc.integer({ min: -2 * 86_400_000, max: 3 * 86_400_000 }),
      span: fc.integer({ min: -3_600_000, max: 3 * 86_400_000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.array(step, { maxLength: 30 }), fc.array(query, { minLength: 1, maxLength: 6 })), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.integer({ min: 3, max: 400 }),
        async (rounds, maxClosed) => {
          const { records, cache, advance } = setup(maxClosed);
          let ts = T0;
          for (const [added, queries] of rounds) {
            for (const a of added) records.add((ts += a.gapMs), a.value);
            advance(1_000);
            for (const q of queries) {
              const from = T0 + q.from;
              const to = from + q.span;
              const read = await cache.read(q.interval, from, to);
              expect(read.points).toEqual(from < to ? records.group(q.interval, from, to) : []);
              const newest = records.rows.at(-1)?.ts;
              expect(read.final).toBe(newest !== undefined && to <= bucketStart(newest, INTERVAL_MS[q.interval]));
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
