import { createReadStream } from 'node:fs';
import fc from 'fast-check';
import { eventsPath, VECTOR_NAMES } from '../test/vectors';
import type { ConstituentRecord, IndexRecord } from './record';
import { IndexRecordWriter } from './record-json';
import { loadEvents, replayLog, splitLines } from './replay';

// Doubles of every kind: integers, tiny and huge exponents, negative zero, and the non-finite
// values JSON.stringify writes as null.
const anyDouble = fc.oneof(
  fc.double(),
  fc.integer().map((n) => n),
  fc.constantFrom(
    0,
    -0,
    1e21,
    1e-7,
    5e-324,
    Number.MAX_VALUE,
    0.1 + 0.2,
    NaN,
    Infinity,
    -Infinity,
    123456789012345680000,
  ),
);

const constituent = fc.record<ConstituentRecord>({
  symbol: fc.oneof(
    fc.constantFrom('USDC', 'USDe', 'DAI'),
    fc.string(),
    fc.constantFrom('a"b', 'x\\y', 'line\nbreak', 'é€', '\u0000', '\ud800'),
  ),
  price: anyDouble,
  devBps: anyDouble,
  marketCapUsd: anyDouble,
  apyEff: anyDouble,
  pegScore: anyDouble,
  sigmaBps: anyDouble,
  liquidityScore: anyDouble,
  counterpartyScore: anyDouble,
  depthUsd: anyDouble,
  volume24hUsd: anyDouble,
  ray: anyDouble,
  weight: anyDouble,
});

const record = fc.record<IndexRecord>({
  ts: anyDouble,
  value: anyDouble,
  tbillRate: fc.option(anyDouble, { nil: null }),
  rpl: fc.option(anyDouble, { nil: null }),
  mode: fc.constantFrom('normal' as const, 'high-vol' as const),
  eligible: fc.nat(),
  methodologyVersion: fc.oneof(fc.constant('1'), fc.string()),
  constituents: fc.array(constituent, { maxLength: 7 }),
});

describe('IndexRecordWriter', () => {
  it('writes exactly what JSON.stringify writes, record after record', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 8 }), (records) => {
        const writer = new IndexRecordWriter(); // one writer across records: its memory must not leak
        for (const r of records) expect(writer.json(r)).toBe(JSON.stringify(r));
      }),
      { numRuns: 300 },
    );
  });
  it('reuses the text of unchanged numbers without mixing up positions or constituents', () => {
    const base: ConstituentRecord = {
      symbol: 'A',
      price: 1,
      devBps: 0,
      marketCapUsd: 5e9,
      apyEff: 4,
      pegScore: 1,
      sigmaBps: 0,
      liquidityScore: 0.5,
      counterpartyScore: 0.75,
      depthUsd: 0,
      volume24hUsd: 0,
      ray: 2,
      weight: 1,
    };
    const writer = new IndexRecordWriter();
    const rec = (constituents: ConstituentRecord[], tbillRate: number | null): IndexRecord => ({
      ts: 1,
      value: 2,
      tbillRate,
      rpl: tbillRate,
      mode: 'normal',
      eligible: constituents.length,
      methodologyVersion: '1',
      constituents,
    });
    const sequence = [
      rec([base], 3.9),
      rec([{ ...base, price: 0.999 }], 3.9),
      rec(
        [
          { ...base, symbol: 'B', price: 0.5 },
          { ...base, price: 0.999 },
        ],
        null,
      ),
      rec([{ ...base, price: -0 }], 3.9),
      rec([{ ...base, price: NaN, weight: 0.1 }], 4),
    ];
    for (const r of sequence) expect(writer.json(r)).toBe(JSON.stringify(r));
  });
  it.each(VECTOR_NAMES)('matches JSON.stringify on every record of the %s vector', async (name) => {
    const { log } = await loadEvents(splitLines(createReadStream(eventsPath(name))), false);
    const writer = new IndexRecordWriter();
    let records = 0;
    for (const r of replayLog(log, 1000)) {
      expect(writer.json(r)).toBe(JSON.stringify(r));
      records++;
    }
    expect(records).toBeGreaterThan(100);
  });
});
