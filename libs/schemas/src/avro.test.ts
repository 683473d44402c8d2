import avro from 'avsc';
import { VALUE_SCHEMAS } from './topics';
import type { SyiRecord, TopicValues, VenuePrice } from './records';
import { sampleValues, type SampleValues } from './testing';

const full = sampleValues(1_000);
/** The same values with every nullable field null (and a book side empty). */
const withNulls: SampleValues = {
  ...full,
  'cc.prices': { ...full['cc.prices'], volume24hUsd: null },
  'cc.orderbook': { ...full['cc.orderbook'], asks: [] },
  'dl.apy': { ...full['dl.apy'], apyBase: null, apyReward: 0.1, apy: 0.1 },
  'syi.peg': { ...full['syi.peg'], price: null, devBps: null, pegScore: null, sigmaBps: null, sampleCount: 0 },
  'syi.liquidity': { ...full['syi.liquidity'], marketCapUsd: null, liquidityScore: null },
  'ray.calculated': {
    ...full['ray.calculated'],
    apyEff: null,
    pegScore: null,
    liquidityScore: null,
    rayNormal: null,
    rayHighVol: null,
  },
  'syi.calculated': { ...full['syi.calculated'], tbillRate: null, rpl: null, mode: 'high-vol' },
};

describe('VALUE_SCHEMAS', () => {
  it.each(Object.keys(VALUE_SCHEMAS))('%s round-trips its record shape, nullable fields set and null', (topic) => {
    const type = avro.Type.forSchema(VALUE_SCHEMAS[topic] as avro.Schema);
    for (const samples of [full, withNulls]) {
      const value = samples[topic as keyof TopicValues];
      expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
    }
  });

  it('refuses a value of the wrong type, naming the field', () => {
    const type = avro.Type.forSchema(VALUE_SCHEMAS['cc.prices'] as avro.Schema);
    const paths: string[] = [];
    const bad = { ...full['cc.prices'], price: '1.0' } as unknown as VenuePrice;
    expect(type.isValid(bad, { errorHook: (path) => paths.push(path.join('.')) })).toBe(false);
    expect(paths).toEqual(['price']);
  });

  it('keeps the methodology mode spelling', () => {
    const type = avro.Type.forSchema(VALUE_SCHEMAS['syi.calculated'] as avro.Schema);
    expect((type.fromBuffer(type.toBuffer(withNulls['syi.calculated'])) as SyiRecord).mode).toBe('high-vol');
  });
});
