/** The aggregate views over materialised buckets (migration 4) give what grouping the raw rows gives. */
import { Pool } from 'pg';
import pino from 'pino';
import { INDEX_AGGREGATES } from '@stableyield/sink-model';
import { sampleRecords } from '@stableyield/sink-model/testing';
import { migrate } from './migrate';
import { PostgresWriter } from './postgres-writer';
import { createTestDatabase } from './testing';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;
let variant: string;
/** errors of idle pooled connections, other than the teardown's forced drop terminating them (57P01) */
const poolErrors: Error[] = [];

beforeAll(async () => {
  db = await createTestDatabase('dbroll');
  pool = new Pool({ connectionString: db.url, max: 3 });
  pool.on('error', (err: Error & { code?: string }) => {
    if (err.code !== '57P01') poolErrors.push(err);
  });
  ({ variant } = await migrate(pool, pino({ level: 'silent' })));
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
  expect(poolErrors).toEqual([]);
});

const MINUTE = 60_000;
const T0 = Date.UTC(2040, 0, 1);

/** Index records every 20 s with values that differ, written as the sink writes them. */
async function write(fromMs: number, count: number, stepMs = 20_000): Promise<void> {
  const template = sampleRecords('syi.calculated', 'roll', 1)[0]!;
  const records = Array.from({ length: count }, (_, i) => {
    const ts = fromMs + i * stepMs;
    return {
      topic: 'syi.calculated',
      partition: 0,
      offset: String(ts),
      key: 'SYI',
      value: { ...(template.value as object), ts, value: 3 + Math.sin(ts / 7e6) },
      timestamp: 0,
      headers: {},
    };
  });
  await new PostgresWriter({ pool, variant: variant as 'partitioned', batchSize: 2_000 }).write(
    'syi.calculated',
    records,
  );
}

/** Each view, and what grouping the raw rows directly says it must be. */
async function compare(): Promise<void> {
  for (const a of INDEX_AGGREGATES) {
    const view = await pool.query<Record<string, unknown>>(
      `SELECT bucket, open, high, low, close, avg, samples::int FROM ${a.name} ORDER BY bucket`,
    );
    const raw = await pool.query<Record<string, unknown>>(
      `SELECT date_bin(INTERVAL '${a.interval}', ts, TIMESTAMPTZ '2000-01-01Z') AS bucket, ` +
        `(array_agg(value ORDER BY ts))[1] AS open, max(value) AS high,
              min(value) AS low, (array_agg(value ORDER BY ts DESC))[1] AS close, ` +
        `avg(value) AS avg, count(*)::int AS samples
       FROM syi_index GROUP BY 1 ORDER BY 1`,
    );
    expect(view.rows.length).toBeGreaterThan(0);
    // avg is summed in another order once materialised: equal to the last bits only.
    const round = (rows: Record<string, unknown>[]) =>
      rows.map((r) => ({ ...r, avg: Number((r.avg as number).toPrecision(12)) }));
    expect({ name: a.name, rows: round(view.rows) }).toEqual({ name: a.name, rows: round(raw.rows) });
  }
}

const rollupRows = async (name: string) =>
  Number((await pool.query(`SELECT count(*) FROM ${name}_rollup`)).rows[0].count);

describe('index aggregate rollups', () => {
  it('serve the same buckets before and after refreshes, with rows arriving in between', async () => {
    if (variant !== 'partitioned') return; // TimescaleDB: continuous aggregates, the function does nothing
    await write(T0, 3 * 180); // three hours
    await compare(); // nothing materialised yet: the views group the raw rows
    expect((await pool.query('SELECT refresh_syi_index_aggregates() AS n')).rows[0].n).toBeGreaterThan(0);
    expect(await rollupRows('syi_index_1m')).toBe(3 * 60 - 1); // every minute but the newest row's
    await compare();
    await write(T0 + 3 * 60 * MINUTE, 90); // 30 more minutes, in order
    await compare();
    await pool.query('SELECT refresh_syi_index_aggregates()');
    await compare();
    const marks = (await pool.query('SELECT name, watermark FROM syi_index_aggregate_watermarks ORDER BY name'))
      .rows as { name: string; watermark: Date }[];
    expect(marks.find((m) => m.name === 'syi_index_1m')!.watermark.getTime()).toBe(T0 + 3.5 * 60 * MINUTE - MINUTE);
  });

  it('reads few rows for a range: the materialised buckets by key, the raw rows only past the watermark', async () => {
    if (variant !== 'partitioned') return;
    const plan = (
      await pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM syi_index_1m WHERE bucket >= $1 AND bucket < $2`, [
        new Date(T0),
        new Date(T0 + 30 * MINUTE),
      ])
    ).rows[0]['QUERY PLAN'] as unknown;
    const text = JSON.stringify(plan);
    expect(text).toContain('syi_index_1m_rollup_pkey');
    // Raw rows read = those since the watermark (the newest minute), not the whole table.
    const scans = [...text.matchAll(/"Index Name":"syi_index_p\d+_pkey"[^}]*?"Actual Rows":(\d+)/g)];
    expect(scans.length).toBeGreaterThan(0);
    const rawRows = scans.reduce((s, m) => s + Number(m[1]), 0);
    expect(rawRows).toBeLessThanOrEqual(3);
  });

  it('re-groups older buckets after a backfill when asked from a time', async () => {
    if (variant !== 'partitioned') return;
    await write(T0 - 60 * MINUTE + 10_000, 30, 120_000); // an hour before everything, far past the look-back
    await pool.query('SELECT refresh_syi_index_aggregates()');
    // The 1-minute look-back is an hour: this backfill is older, so its buckets are not materialised yet…
    await expect(compare()).rejects.toThrow();
    await pool.query('SELECT refresh_syi_index_aggregates($1)', [new Date(T0 - 2 * 60 * MINUTE)]);
    await compare();
  });

  it('lets one refresher run at a time', async () => {
    if (variant !== 'partitioned') return;
    const results = await Promise.all(
      [1, 2, 3].map(() => pool.query<{ n: number }>('SELECT refresh_syi_index_aggregates() AS n')),
    );
    expect(results.map((r) => r.rows[0]!.n).every((n) => n >= -1)).toBe(true);
    await compare();
  });
});
