import { TABLES } from '@stableyield/sink-model';
import { copyText } from './copy';
import { monthOf, partitionName } from './partitions';
import { aggregateSql, createTableSql, MIGRATIONS, timescaleSql } from './postgres-ddl';
import { columnArrays, insertSql, isDataError } from './postgres-writer';

describe('PostgreSQL SQL', () => {
  it('inserts with unnest, and skips stored keys in the idempotent form', () => {
    const plain =
      'INSERT INTO ex_mktcap (symbol, ts, market_cap_usd) ' +
      'SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::float8[])';
    expect(insertSql(TABLES.ex_mktcap, false)).toBe(plain);
    expect(insertSql(TABLES.ex_mktcap, true)).toBe(`${plain} ON CONFLICT (symbol, ts) DO NOTHING`);
  });
  it('passes times as exact ISO strings, column by column', () => {
    expect(
      columnArrays(TABLES.ex_mktcap, [
        { symbol: 'A', ts: 1_700_000_000_123, market_cap_usd: 5 },
        { symbol: 'B', ts: 0, market_cap_usd: null },
      ]),
    ).toEqual([
      ['A', 'B'],
      ['2023-11-14T22:13:20.123Z', '1970-01-01T00:00:00.000Z'],
      [5, null],
    ]);
  });
  it('partitions by range on plain PostgreSQL and uses hypertables with TimescaleDB', () => {
    expect(createTableSql(TABLES.cc_prices, 'partitioned')).toMatch(
      /PRIMARY KEY \(symbol, venue, ts\)[\s\S]*\) PARTITION BY RANGE \(ts\)$/,
    );
    expect(createTableSql(TABLES.cc_prices, 'timescaledb')).not.toMatch(/PARTITION BY/);
    expect(createTableSql(TABLES.tbill, 'partitioned')).not.toMatch(/PARTITION BY/);
    const ts = timescaleSql(TABLES.cc_prices).join('\n');
    expect(ts).toMatch(/create_hypertable\('cc_prices', 'ts'/);
    expect(ts).toMatch(/compress_segmentby = 'symbol'/);
    expect(ts).toMatch(/add_retention_policy\('cc_prices', INTERVAL '90 days'/);
  });
  it('defines the same four aggregate relations in both variants', () => {
    const names = (sql: string[]) =>
      sql
        .map((s) => /CREATE (?:OR REPLACE )?(?:MATERIALIZED )?VIEW (?:IF NOT EXISTS )?(syi_index_\w+)/.exec(s)?.[1])
        .filter(Boolean);
    expect(names(aggregateSql('partitioned'))).toEqual([
      'syi_index_1m',
      'syi_index_5m',
      'syi_index_1h',
      'syi_index_1d',
    ]);
    expect(names(aggregateSql('timescaledb'))).toEqual([
      'syi_index_1m',
      'syi_index_5m',
      'syi_index_1h',
      'syi_index_1d',
    ]);
    expect(aggregateSql('timescaledb').join('\n')).toMatch(
      /timescaledb\.continuous[\s\S]*first\(value, ts\)[\s\S]*last\(value, ts\)/,
    );
  });
  it('numbers migrations uniquely and in order', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual([...MIGRATIONS.map((m) => m.version)].sort((a, b) => a - b));
    expect(new Set(MIGRATIONS.map((m) => m.version)).size).toBe(MIGRATIONS.length);
  });
  it('classes data errors apart from connection errors', () => {
    expect(isDataError({ code: '23514' })).toBe(true);
    expect(isDataError({ code: '22007' })).toBe(true);
    expect(isDataError({ code: '08006' })).toBe(false);
    expect(isDataError(new Error('x'))).toBe(false);
  });
});

describe('monthly partitions', () => {
  it('names and bounds the UTC month of a time', () => {
    expect(monthOf(Date.UTC(2026, 11, 31, 23, 59))).toEqual({
      suffix: '202612',
      from: '2026-12-01T00:00:00.000Z',
      to: '2027-01-01T00:00:00.000Z',
    });
    expect(partitionName('cc_prices', '202612')).toBe('cc_prices_p202612');
  });
});

describe('COPY text', () => {
  it('escapes what COPY reserves and writes NULL as \\N', () => {
    expect(
      copyText(TABLES.ex_mktcap, [
        { symbol: 'a\tb\\c\nd', ts: 0, market_cap_usd: null },
        { symbol: 'x', ts: 1_700_000_000_123, market_cap_usd: 1e-7 },
      ]),
    ).toBe('a\\tb\\\\c\\nd\t1970-01-01T00:00:00.000Z\t\\N\nx\t2023-11-14T22:13:20.123Z\t1e-7\n');
  });
});
