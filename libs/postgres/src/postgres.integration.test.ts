/** Migrations and the writer against the real local PostgreSQL, in a database of their own. */
import { Pool } from 'pg';
import pino from 'pino';
import { TABLES } from '@stableyield/sink-model';
import { asSinkRecords, sampleRecords } from '@stableyield/sink-model/testing';
import { migrate } from './migrate';
import { PostgresWriter } from './postgres-writer';
import { createTestDatabase } from './testing';

const logger = pino({ level: 'silent' });
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let pool: Pool;

/** Everything that describes the schema: columns, constraints, indexes, views, partitions, migrations. */
async function schemaSnapshot(): Promise<unknown> {
  const q = async (sql: string): Promise<unknown[]> => (await pool.query(sql)).rows as unknown[];
  return {
    columns: await q(
      'SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns ' +
        "WHERE table_schema = 'public' ORDER BY 1, 2",
    ),
    constraints: await q(
      'SELECT conrelid::regclass::text AS t, conname, pg_get_constraintdef(oid) AS def FROM pg_constraint ' +
        "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
    ),
    indexes: await q("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1, 2"),
    views: await q("SELECT viewname, definition FROM pg_views WHERE schemaname = 'public' ORDER BY 1"),
    partitions: await q(
      'SELECT inhparent::regclass::text AS parent, inhrelid::regclass::text AS child FROM pg_inherits ORDER BY 1, 2',
    ),
    migrations: await q('SELECT version, name, variant, applied_at FROM sink_schema_migrations ORDER BY 1'),
  };
}

beforeAll(async () => {
  db = await createTestDatabase('dbint');
  pool = new Pool({ connectionString: db.url, max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('migrations', () => {
  it('apply once, and a second run changes nothing', async () => {
    const first = await migrate(pool, logger);
    expect(first.applied).toEqual([1, 2, 3, 4]);
    const available = (await pool.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")).rowCount;
    // The variant follows what the server offers; the test says which one ran.
    console.log(
      `storage variant under test: ${first.variant} (timescaledb ${available ? 'available' : 'not available'})`,
    );
    expect(first.variant).toBe(available ? 'timescaledb' : 'partitioned');
    const partitioned = (
      await pool.query('SELECT relname FROM pg_class c JOIN pg_partitioned_table p ON p.partrelid = c.oid ORDER BY 1')
    ).rows.map((r: { relname: string }) => r.relname);
    if (first.variant === 'partitioned')
      expect(partitioned).toEqual(
        Object.keys(TABLES)
          .filter((t) => t !== 'tbill')
          .sort(),
      );
    else
      expect((await pool.query('SELECT hypertable_name FROM timescaledb_information.hypertables')).rowCount).toBe(
        Object.keys(TABLES).length - 1,
      );

    const before = await schemaSnapshot();
    const second = await migrate(pool, logger);
    expect(second).toEqual({ variant: first.variant, applied: [] });
    expect(await schemaSnapshot()).toEqual(before);
  });

  it('run concurrently without conflict (advisory lock)', async () => {
    const results = await Promise.all([migrate(pool, logger), migrate(pool, logger)]);
    expect(results.map((r) => r.applied)).toEqual([[], []]);
  });
});

describe('PostgresWriter', () => {
  const writer = () => new PostgresWriter({ pool, variant: 'partitioned', batchSize: 7 });

  it('writes a batch, then adds nothing when the same batch comes again', async () => {
    const values = sampleRecords('cc.prices', 'dbw', 50);
    const w = writer();
    const first = await w.write('cc.prices', asSinkRecords('cc.prices', values));
    expect(first.rowsByTable.get('cc_prices')).toBe(50);
    const again = await w.write(
      'cc.prices',
      asSinkRecords('cc.prices', [...values.slice(0, 10), ...sampleRecords('cc.prices', 'dbw', 5, 50)]),
    );
    expect(again.rowsByTable.get('cc_prices')).toBe(5);
    expect(again.rejected).toEqual([]);
    const stored = await pool.query("SELECT count(*)::int AS n FROM cc_prices WHERE symbol LIKE 'dbw%'");
    expect(stored.rows[0]).toEqual({ n: 55 });
  });

  it('creates the monthly partitions the rows need', async () => {
    const values = sampleRecords('ex.mktcap', 'dbp', 3).map((r, i) => ({
      ...r,
      value: { ...r.value, ts: Date.UTC(2040, i * 5, 15) },
    }));
    await writer().write('ex.mktcap', asSinkRecords('ex.mktcap', values));
    const parts = await pool.query(
      "SELECT inhrelid::regclass::text AS p FROM pg_inherits WHERE inhparent = 'ex_mktcap'::regclass " +
        "AND inhrelid::regclass::text LIKE 'ex_mktcap_p2040%' ORDER BY 1",
    );
    expect(parts.rows.map((r: { p: string }) => r.p)).toEqual([
      'ex_mktcap_p204001',
      'ex_mktcap_p204006',
      'ex_mktcap_p204011',
    ]);
  });

  it('returns the records the database refuses with its reason and commits the rest', async () => {
    const values = sampleRecords('syi.peg', 'dbc', 6);
    values[2]!.value.sampleCount = -1; // CHECK sample_count >= 0
    values[4]!.value.symbol = ''; // CHECK symbol <> ''
    values[5]!.value.price = Number.POSITIVE_INFINITY; // refused before the database
    const outcome = await writer().write('syi.peg', asSinkRecords('syi.peg', values, 100));
    expect(outcome.rejected.map((r) => [r.record.offset, r.reason.split(' ')[0]])).toEqual([
      ['105', 'syi_peg.price'],
      ['102', '23514'],
      ['104', '23514'],
    ]);
    expect(outcome.rejected[1]!.reason).toMatch(/syi_peg_check_2/);
    expect(outcome.rowsByTable.get('syi_peg')).toBe(3);
    const stored = await pool.query("SELECT count(*)::int AS n FROM syi_peg WHERE symbol LIKE 'dbc%'");
    expect(stored.rows[0]).toEqual({ n: 3 });
  });

  it('keeps times exact to the millisecond and JSON whole', async () => {
    const [rec] = sampleRecords('syi.calculated', 'dbj', 1);
    rec!.value.ts = Date.UTC(2041, 2, 3, 4, 5, 6, 789);
    await writer().write('syi.calculated', asSinkRecords('syi.calculated', [rec!]));
    const row = await pool.query<{ ms: string; c: unknown }>(
      'SELECT (extract(epoch FROM ts) * 1000)::bigint::text AS ms, constituents AS c FROM syi_index WHERE ts = $1',
      [new Date(rec!.value.ts)],
    );
    expect(row.rows[0]).toEqual({ ms: String(rec!.value.ts), c: rec!.value.constituents });
    const agg = await pool.query(
      "SELECT open, high, low, close, samples::int FROM syi_index_1m WHERE bucket = '2041-03-03T04:05:00Z'",
    );
    expect(agg.rows[0]).toEqual({
      open: rec!.value.value,
      high: rec!.value.value,
      low: rec!.value.value,
      close: rec!.value.value,
      samples: 1,
    });
  });
});
