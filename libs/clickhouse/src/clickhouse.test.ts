import { TABLES } from '@stableyield/sink-model';
import { aggregateViewSql, createTableSql, insertColumns } from './ddl';
import { ClickHouseError } from '@clickhouse/client';
import { retryOnStaleSocket } from './client';
import { isClickHouseConnectionError, serverErrorCode } from './errors';
import { identifier } from './identifier';
import { encodeRowBinary, RowBinaryWriter } from './rowbinary';
import { encodeTableRow, outOfClickHouseRange } from './writer';

describe('RowBinary', () => {
  it('encodes strings with a LEB128 length, numbers little-endian, nullable with a flag byte', () => {
    const body = encodeRowBinary(
      [
        { name: 's', type: 'String', nullable: false },
        { name: 'f', type: 'Float64', nullable: true },
        { name: 'n', type: 'Float64', nullable: true },
        { name: 'u', type: 'UInt64', nullable: false },
        { name: 'd', type: 'Date', nullable: false },
        { name: 't', type: 'DateTime', nullable: false },
      ],
      [{ s: 'é', f: 0.1, n: null, u: 1_700_000_000_123, d: '1970-01-03', t: 258 }],
    );
    const f = Buffer.alloc(8);
    f.writeDoubleLE(0.1);
    const u = Buffer.alloc(8);
    u.writeBigUInt64LE(1_700_000_000_123n);
    expect(body).toEqual(
      Buffer.concat([
        Buffer.from([2, 0xc3, 0xa9]),
        Buffer.from([0]),
        f,
        Buffer.from([1]),
        u,
        Buffer.from([2, 0]),
        Buffer.from([2, 1, 0, 0]),
      ]),
    );
  });

  it("writes 64-bit integers from numbers as BigInt would, negative ones in two's complement", () => {
    const values = [
      0,
      1,
      2 ** 32 - 1,
      2 ** 32,
      1_700_000_000_123,
      Number.MAX_SAFE_INTEGER,
      -1,
      -(2 ** 32),
      -1_700_000_000_123,
      Number.MIN_SAFE_INTEGER,
    ];
    for (const v of values) {
      const expected = Buffer.alloc(8);
      expected.writeBigInt64LE(BigInt(v));
      expect([v, encodeRowBinary([{ name: 'i', type: 'Int64', nullable: false }], [{ i: v }])]).toEqual([v, expected]);
      if (v >= 0)
        expect([v, encodeRowBinary([{ name: 'u', type: 'UInt64', nullable: false }], [{ u: v }])]).toEqual([
          v,
          expected,
        ]);
    }
    const big = Buffer.alloc(8);
    big.writeBigUInt64LE(18_446_744_073_709_551_615n);
    expect(encodeRowBinary([{ name: 'u', type: 'UInt64', nullable: false }], [{ u: '18446744073709551615' }])).toEqual(
      big,
    );
  });

  it('writes long strings with a multi-byte length', () => {
    const body = encodeRowBinary([{ name: 's', type: 'String', nullable: false }], [{ s: 'x'.repeat(300) }]);
    expect([...body.subarray(0, 2)]).toEqual([0xac, 0x02]);
    expect(body.length).toBe(302);
  });

  it('grows its buffer for large batches', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ s: `row-${i}` }));
    const body = encodeRowBinary([{ name: 's', type: 'String', nullable: false }], rows);
    expect(body.length).toBe(rows.reduce((n, r) => n + 1 + r.s.length, 0));
  });
});

describe('ClickHouse DDL', () => {
  it('keys ReplacingMergeTree tables by the natural key with the Kafka offset as version, in SQL 18.16 accepts', () => {
    const sql = createTableSql('analytics', TABLES.pyth_prices);
    expect(sql).toMatch(/^CREATE TABLE IF NOT EXISTS analytics\.pyth_prices/);
    expect(sql).toMatch(/publish_time UInt64/);
    expect(sql).toMatch(
      new RegExp(
        /ENGINE = ReplacingMergeTree\(kafka_offset\)\n/.source +
          /PARTITION BY toYYYYMM\(event_time\)\nORDER BY \(feed_id, publish_time\)$/.source,
      ),
    );
    expect(sql).not.toMatch(/DateTime64|LowCardinality|TTL|CODEC/);
    expect(createTableSql('a', TABLES.syi_peg)).toMatch(/sigma_bps Nullable\(Float64\)/);
  });

  it('inserts the model columns then partition time and Kafka position', () => {
    expect(insertColumns(TABLES.ex_mktcap).map((c) => `${c.name}:${c.type}`)).toEqual([
      'symbol:String',
      'ts:UInt64',
      'market_cap_usd:Float64',
      'event_time:DateTime',
      'kafka_partition:UInt32',
      'kafka_offset:UInt64',
    ]);
    const w = new RowBinaryWriter();
    encodeTableRow(
      w,
      'ex_mktcap',
      { symbol: 'A', ts: 1_700_000_000_999, market_cap_usd: 1 },
      { partition: 3, offset: '42' },
    );
    expect(w.finish()).toEqual(
      encodeRowBinary(insertColumns(TABLES.ex_mktcap), [
        {
          symbol: 'A',
          ts: 1_700_000_000_999,
          market_cap_usd: 1,
          event_time: 1_700_000_000,
          kafka_partition: 3,
          kafka_offset: 42,
        },
      ]),
    );
  });

  it('refuses times ClickHouse DateTime cannot hold', () => {
    expect(outOfClickHouseRange('ex_mktcap', { ts: Date.UTC(2106, 0, 1) })).toBeNull();
    expect(outOfClickHouseRange('ex_mktcap', { ts: Date.UTC(2107, 0, 1) })).toMatch(/beyond ClickHouse DateTime/);
  });

  it('offers the index aggregates under the PostgreSQL names', () => {
    expect(aggregateViewSql('a').map((s) => /VIEW IF NOT EXISTS a\.(\w+)/.exec(s)?.[1])).toEqual([
      'syi_index_1m',
      'syi_index_5m',
      'syi_index_1h',
      'syi_index_1d',
    ]);
  });

  it('refuses identifiers that are not plain names', () => {
    expect(identifier('stableyield_analytics')).toBe('stableyield_analytics');
    expect(() => identifier('x; DROP TABLE y')).toThrow(/invalid ClickHouse identifier/);
    expect(() => createTableSql('a.b', TABLES.tbill)).toThrow();
  });

  const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:8123`), { code });

  it('tells unreachable from refused, for the messages of 18.16 and of current servers', () => {
    expect(isClickHouseConnectionError(socketError('ECONNREFUSED'))).toBe(true);
    expect(isClickHouseConnectionError(new Error('Timeout error.'))).toBe(true);
    const current = new ClickHouseError({ message: 'Syntax error', code: '62', type: 'SYNTAX_ERROR' });
    expect([isClickHouseConnectionError(current), serverErrorCode(current)]).toEqual([false, 62]);
    // 18.16's wording, which the client leaves a plain Error.
    const old = new Error(
      "Code: 81, e.displayText() = DB::Exception: Database nope doesn't exist, e.what() = DB::Exception",
    );
    expect([isClickHouseConnectionError(old), serverErrorCode(old)]).toEqual([false, 81]);
    expect(isClickHouseConnectionError(new RangeError('a bug of ours'))).toBe(false);
  });

  it('retries a request only when a pooled socket turned out closed', async () => {
    let calls = 0;
    const flaky = () => (++calls < 3 ? Promise.reject(socketError('ECONNRESET')) : Promise.resolve('ok'));
    await expect(retryOnStaleSocket(flaky)).resolves.toBe('ok');
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryOnStaleSocket(() => (++calls, Promise.reject(socketError('ECONNREFUSED'))))).rejects.toThrow(
      /ECONNREFUSED/,
    );
    calls = 0;
    const refused = new ClickHouseError({ message: 'Too many parts', code: '252', type: 'TOO_MANY_PARTS' });
    await expect(retryOnStaleSocket(() => (++calls, Promise.reject(refused)))).rejects.toBe(refused);
    expect(calls).toBe(1);
  });
});
