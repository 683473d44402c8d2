/** DDL and writer against the real local ClickHouse (18.16 here), in a database of their own. */
import { randomUUID } from 'node:crypto';
import { TABLES } from '@stableyield/sink-model';
import { asSinkRecords, CLICKHOUSE_URL, sampleRecords } from '@stableyield/sink-model/testing';
import { ensureSchema } from './ddl';
import { ClickHouse } from './client';
import { isClickHouseConnectionError, serverErrorCode } from './errors';
import { ClickHouseWriter } from './writer';

const ch = new ClickHouse({ url: CLICKHOUSE_URL });
const database = `chlib_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const asRecords = (topic: string, values: { key: string; value: unknown }[], firstOffset = 0) =>
  asSinkRecords(topic, values, firstOffset, 1);

const schema = async () => {
  const tables = await ch.query<{ name: string }>(
    `SELECT name FROM system.tables WHERE database = '${database}' ORDER BY name`,
  );
  return Promise.all(
    tables.map(
      async (t) => (await ch.query<{ statement: string }>(`SHOW CREATE TABLE ${database}.${t.name}`))[0]?.statement,
    ),
  );
};

afterAll(async () => {
  await ch.command(`DROP DATABASE IF EXISTS ${database}`);
  await ch.close();
});

it('creates the schema, and creating it again changes nothing', async () => {
  await ensureSchema(ch, database);
  const first = await schema();
  expect(first).toHaveLength(Object.keys(TABLES).length + 4);
  await ensureSchema(ch, database);
  expect(await schema()).toEqual(first);
});

it('stores floats exactly and collapses a repeated batch under FINAL', async () => {
  const values = sampleRecords('dl.apy', 'chl', 300);
  const writer = new ClickHouseWriter({ client: ch, database, batchSize: 128 });
  const outcome = await writer.write('dl.apy', asRecords('dl.apy', values));
  expect(outcome.rowsByTable.get('dl_apy')).toBe(300);
  await writer.write('dl.apy', asRecords('dl.apy', values.slice(0, 100)));
  const rows = await ch.query<{ pool: string; ts: string; apy: number | null; apy_base: number | null }>(
    `SELECT pool, ts, apy, apy_base FROM ${database}.dl_apy FINAL`,
  );
  expect(rows).toHaveLength(300);
  const byKey = new Map(rows.map((r) => [`${r.pool}/${r.ts}`, r]));
  for (const v of values) {
    const r = byKey.get(`${v.value.pool}/${v.value.ts}`);
    expect({ apy: r?.apy, apyBase: r?.apy_base }).toEqual({ apy: v.value.apy, apyBase: v.value.apyBase });
  }
  const physical = await ch.query<{ n: string }>(`SELECT count() AS n FROM ${database}.dl_apy`);
  expect(Number(physical[0]?.n)).toBeGreaterThanOrEqual(300);
});

it('rejects invalid rows instead of sending them', async () => {
  const [good, bad] = sampleRecords('ex.mktcap', 'chr', 2);
  bad!.value.marketCapUsd = Number.NaN;
  const outcome = await new ClickHouseWriter({ client: ch, database, batchSize: 10 }).write(
    'ex.mktcap',
    asRecords('ex.mktcap', [good!, bad!]),
  );
  expect(outcome.rejected.map((r) => r.reason)).toEqual(['ex_mktcap.market_cap_usd is not a finite number (NaN)']);
  expect(outcome.rowsByTable.get('ex_mktcap')).toBe(1);
});

it(
  'works with gzip both ways and keep-alive off, as CLICKHOUSE_COMPRESS_* and ' + 'CLICKHOUSE_KEEP_ALIVE allow',
  async () => {
    const gzip = new ClickHouse({
      url: CLICKHOUSE_URL,
      compression: { request: true, response: true },
      keepAlive: { enabled: false },
    });
    try {
      await ensureSchema(gzip, database);
      const values = sampleRecords('ex.mktcap', 'chz', 50);
      const outcome = await new ClickHouseWriter({ client: gzip, database, batchSize: 20 }).write(
        'ex.mktcap',
        asRecords('ex.mktcap', values, 5_000),
      );
      expect(outcome.rowsByTable.get('ex_mktcap')).toBe(50);
      const rows = await gzip.query<{ symbol: string; market_cap_usd: number }>(
        `SELECT symbol, market_cap_usd FROM ${database}.ex_mktcap FINAL WHERE kafka_offset >= 5000`,
      );
      expect(rows.map((r) => r.market_cap_usd).sort()).toEqual(values.map((v) => v.value.marketCapUsd).sort());
    } finally {
      await gzip.close();
    }
  },
);

it('tells a refused statement (with its server code) from an unreachable server', async () => {
  const refused = await ch.command(`SELECT * FROM ${database}.no_such_table`).then(
    () => null,
    (err: unknown) => err,
  );
  expect([serverErrorCode(refused), isClickHouseConnectionError(refused)]).toEqual([60, false]);
  const nowhere = new ClickHouse({ url: 'http://127.0.0.1:1', requestTimeoutMs: 2_000 });
  const unreachable = await nowhere.command('SELECT 1').then(
    () => null,
    (err: unknown) => err,
  );
  await nowhere.close();
  expect(isClickHouseConnectionError(unreachable)).toBe(true);
  expect(await nowhere.ping().catch(() => false)).toBe(false);
});

it('sends the configured user and password (a wrong password is refused by the server, code 193)', async () => {
  const wrong = new ClickHouse({ url: CLICKHOUSE_URL, user: 'default', password: 'not-the-password' });
  const refused = await wrong.query('SELECT 1 AS one').then(
    () => null,
    (err: unknown) => err,
  );
  await wrong.close();
  expect([serverErrorCode(refused), isClickHouseConnectionError(refused)]).toEqual([193, false]);
  // The error names the user, never the password.
  expect(String((refused as Error).message)).not.toContain('not-the-password');
});
