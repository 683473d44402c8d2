import avro from 'avsc';
import { VALUE_SCHEMAS } from './topics';
import type { SyiRecord, TopicValues, VenuePrice } from './records';

const samples: { [K in keyof TopicValues]: TopicValues[K] } = {
  'pyth.updates': {
    encoding: 'hex',
    data: ['0102'],
    receivedAt: 1_700_000_000_123,
    ts: 1_700_000_000_000,
    feeds: [
      {
        feedId: 'ab'.repeat(32),
        symbol: 'USDC',
        price: '99990000',
        conf: '1000',
        expo: -8,
        publishTime: 1_700_000_000,
        emaPrice: '99980000',
        emaConf: '1100',
        slot: null,
        prevPublishTime: null,
      },
    ],
  },
  'pyth.prices': { symbol: 'USDC', feedId: 'ab'.repeat(32), price: 0.9999, conf: 0.00001, publishTime: 1, ts: 1000 },
  'cc.prices': { symbol: 'USDC', venue: 'binance', price: 1.0001, volume24hUsd: null, ts: 1 },
  'cc.orderbook': { symbol: 'USDC', venue: 'binance', bids: [[0.9999, 10]], asks: [], ts: 1 },
  'dl.apy': {
    pool: 'p',
    project: 'aave-v3',
    chain: 'Ethereum',
    symbol: 'USDC',
    tvlUsd: 1e9,
    apyBase: null,
    apyReward: 0.1,
    apy: 0.1,
    ts: 1,
  },
  'ex.mktcap': { symbol: 'USDC', marketCapUsd: 6e10, ts: 1 },
  'trad.tbill': { series: 'DGS3MO', rate: 3.9, date: '2026-01-01', ts: 1 },
  'syi.peg': {
    symbol: 'USDC',
    ts: 1,
    price: null,
    devBps: null,
    pegScore: null,
    sigmaBps: null,
    sampleCount: 0,
    methodologyVersion: '1',
  },
  'syi.liquidity': {
    symbol: 'USDC',
    ts: 1,
    depthUsd: 0,
    volume24hUsd: 0,
    marketCapUsd: null,
    liquidityScore: null,
    methodologyVersion: '1',
  },
  'ray.calculated': {
    symbol: 'USDC',
    ts: 1,
    apyEff: 4,
    pegScore: 1,
    liquidityScore: 0.5,
    counterpartyScore: 0.95,
    rayNormal: 1,
    rayHighVol: 0.5,
    methodologyVersion: '1',
  },
  'syi.calculated': {
    ts: 60_000,
    value: 2.1,
    tbillRate: null,
    rpl: null,
    mode: 'high-vol',
    eligible: 1,
    methodologyVersion: '1',
    constituents: [
      {
        symbol: 'USDC',
        weight: 1,
        ray: 2.1,
        apyEff: 4,
        pegScore: 1,
        liquidityScore: 0.5,
        counterpartyScore: 0.95,
        price: 1,
        devBps: 0,
        sigmaBps: 0,
        marketCapUsd: 6e10,
        depthUsd: 0,
        volume24hUsd: 0,
      },
    ],
    inputsDigest: 'aa',
    prevDigest: null,
    digest: 'bb',
  },
};

describe('VALUE_SCHEMAS', () => {
  it.each(Object.keys(VALUE_SCHEMAS))('%s round-trips its record shape', (topic) => {
    const type = avro.Type.forSchema(VALUE_SCHEMAS[topic] as avro.Schema);
    const value = samples[topic as keyof TopicValues];
    expect(type.fromBuffer(type.toBuffer(value))).toEqual(value);
  });

  it('refuses a value of the wrong type, naming the field', () => {
    const type = avro.Type.forSchema(VALUE_SCHEMAS['cc.prices'] as avro.Schema);
    const paths: string[] = [];
    const bad = { ...samples['cc.prices'], price: '1.0' } as unknown as VenuePrice;
    expect(type.isValid(bad, { errorHook: (path) => paths.push(path.join('.')) })).toBe(false);
    expect(paths).toEqual(['price']);
  });

  it('keeps the methodology mode spelling', () => {
    const type = avro.Type.forSchema(VALUE_SCHEMAS['syi.calculated'] as avro.Schema);
    expect((type.fromBuffer(type.toBuffer(samples['syi.calculated'])) as SyiRecord).mode).toBe('high-vol');
  });
});
