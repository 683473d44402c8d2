import { catalogTopicOf, invalidReason, recordRows, rowKey, TABLES } from './model';

const peg = {
  symbol: 'USDC',
  ts: 1_767_225_600_123,
  price: 1.0001,
  devBps: 1,
  pegScore: 0.99,
  sigmaBps: null,
  sampleCount: 12,
  methodologyVersion: 'SYI-v1',
};

describe('recordRows', () => {
  it('maps a record to its table row with natural-key columns', () => {
    expect(recordRows('syi.peg', peg)).toEqual([
      {
        table: 'syi_peg',
        row: {
          symbol: 'USDC',
          ts: 1_767_225_600_123,
          price: 1.0001,
          dev_bps: 1,
          peg_score: 0.99,
          sigma_bps: null,
          sample_count: 12,
          methodology_version: 'SYI-v1',
        },
      },
    ]);
  });

  it('turns a pyth publish time (s) into ms and an index record into index + constituent rows', () => {
    expect(
      recordRows('pyth.prices', {
        symbol: 'USDC',
        feedId: 'ab',
        price: 1,
        conf: 0,
        publishTime: 1_700_000_000,
        ts: 5,
      })[0]?.row.publish_time,
    ).toBe(1_700_000_000_000);
    const constituent = {
      symbol: 'A',
      weight: 1,
      ray: 1,
      apyEff: 1,
      pegScore: 1,
      liquidityScore: 1,
      counterpartyScore: 1,
      price: 1,
      devBps: 0,
      sigmaBps: 0,
      marketCapUsd: 1,
      depthUsd: 1,
      volume24hUsd: 1,
    };
    const rows = recordRows('syi.calculated', {
      ts: 1,
      value: 5,
      tbillRate: null,
      rpl: null,
      mode: 'normal',
      eligible: 2,
      constituents: [constituent, { ...constituent, symbol: 'B' }],
      methodologyVersion: 'v1',
      inputsDigest: 'i',
      prevDigest: null,
      digest: 'd',
    });
    expect(rows.map((r) => r.table)).toEqual(['syi_index', 'syi_constituents', 'syi_constituents']);
    expect(JSON.parse(rows[0]!.row.constituents as string)).toHaveLength(2);
  });

  it('is defined for every table column', () => {
    const row = recordRows('syi.peg', peg)[0]!.row;
    expect(Object.keys(row).sort()).toEqual(TABLES.syi_peg.columns.map((c) => c.name).sort());
  });
});

describe('invalidReason', () => {
  const row = recordRows('syi.peg', peg)[0]!.row;
  it('accepts a valid row and nulls in nullable columns', () => {
    expect(invalidReason(TABLES.syi_peg, row)).toBeNull();
  });
  it.each([
    ['non-finite float', { price: Number.NaN }, 'syi_peg.price is not a finite number (NaN)'],
    ['null in a required column', { symbol: null }, 'syi_peg.symbol is null'],
    ['fractional int', { sample_count: 1.5 }, 'syi_peg.sample_count is not an integer (1.5)'],
    ['time out of range', { ts: -1 }, 'syi_peg.ts is not a time in 1970..9999 (-1)'],
  ])('refuses a %s', (_name, patch, reason) => {
    expect(invalidReason(TABLES.syi_peg, { ...row, ...patch })).toBe(reason);
  });
  it('refuses a date that is not YYYY-MM-DD', () => {
    expect(invalidReason(TABLES.tbill, { series: 'DTB3', date: '24/11/2026', rate: 4, ts: 1 })).toMatch(
      /tbill.date is not a YYYY-MM-DD date/,
    );
  });
});

describe('topics and keys', () => {
  it('strips a test prefix to find the catalog topic, refusing others', () => {
    expect(catalogTopicOf('t123.syi.peg', 't123.')).toBe('syi.peg');
    expect(catalogTopicOf('syi.peg', '')).toBe('syi.peg');
    expect(() => catalogTopicOf('cc.orderbook', '')).toThrow(/not one the sinks store/);
  });
  it('identifies rows by their natural key only', () => {
    expect(rowKey(TABLES.cc_prices, { symbol: 'A', venue: 'b', ts: 1, price: 2 })).toBe(
      rowKey(TABLES.cc_prices, { symbol: 'A', venue: 'b', ts: 1, price: 3 }),
    );
    expect(rowKey(TABLES.cc_prices, { symbol: 'A', venue: 'b', ts: 1 })).not.toBe(
      rowKey(TABLES.cc_prices, { symbol: 'A', venue: 'c', ts: 1 }),
    );
  });
});
