import { IndexState, METHODOLOGY_V1, type IndexEvent } from '@stableyield/index-engine';
import { partitionForKey } from '@stableyield/kafka';
import { measureRecord, MEASURE_SHARDS, shardAccepts, shardSymbols } from './measure-processor';

const symbols = METHODOLOGY_V1.constituents;

describe('shards of symbols', () => {
  it('puts every constituent in exactly one shard: the partition its output records go to', () => {
    const all = Array.from({ length: MEASURE_SHARDS }, (_, p) => shardSymbols(p, symbols));
    expect(all.flat().sort()).toEqual([...symbols].sort());
    all.forEach((shard, p) => shard.forEach((s) => expect(partitionForKey(s, MEASURE_SHARDS)).toBe(p)));
  });

  it("applies its symbols' records and every pool, never another symbol's price or the T-bill", () => {
    const mine = new Set(['USDC']);
    const price = (symbol: string): IndexEvent => ({
      topic: 'cc.prices',
      symbol,
      venue: 'v',
      price: 1,
      volume24hUsd: undefined,
      ts: 1,
    });
    expect(shardAccepts(mine, price('USDC'))).toBe(true);
    expect(shardAccepts(mine, price('USDT'))).toBe(false);
    expect(shardAccepts(mine, { topic: 'ex.mktcap', symbol: 'DAI', marketCapUsd: 1, ts: 1 })).toBe(false);
    // a pool of another symbol today may be a USDC pool in its next record: every shard keeps every pool
    expect(shardAccepts(mine, { topic: 'dl.apy', pool: 'p', symbol: 'DAI', tvlUsd: 1, apyBase: 1, ts: 1 })).toBe(true);
    expect(shardAccepts(mine, { topic: 'trad.tbill', rate: 4, ts: 1 })).toBe(false);
  });
});

describe('measure records', () => {
  const state = new IndexState();
  const T = 600_000;
  for (let t = 0; t <= T; t += 60_000) {
    state.apply({ topic: 'cc.prices', symbol: 'USDC', venue: 'a', price: 1.0002, volume24hUsd: 5e8, ts: t });
    state.apply({
      topic: 'cc.orderbook',
      symbol: 'USDC',
      venue: 'a',
      bids: [[0.9999, 1e6]],
      asks: [[1.0001, 1e6]],
      ts: t,
    });
    state.apply({ topic: 'ex.mktcap', symbol: 'USDC', marketCapUsd: 6e10, ts: t });
    state.apply({ topic: 'dl.apy', pool: 'p1', symbol: 'USDC', tvlUsd: 2e7, apyBase: 5, ts: t });
  }
  const usdc = state.measuresAt(T).find((m) => m.symbol === 'USDC')!;

  it('carries the fields of each topic', () => {
    expect(measureRecord('peg', usdc, T, '1')).toEqual({
      symbol: 'USDC',
      ts: T,
      price: 1.0002,
      devBps: usdc.devBps,
      pegScore: usdc.pegScore,
      sigmaBps: usdc.sigmaBps,
      sampleCount: 11,
      methodologyVersion: '1',
    });
    expect(measureRecord('liquidity', usdc, T, '1')).toEqual({
      symbol: 'USDC',
      ts: T,
      depthUsd: usdc.depthUsd,
      volume24hUsd: 5e8,
      marketCapUsd: 6e10,
      liquidityScore: usdc.liquidityScore,
      methodologyVersion: '1',
    });
    const ray = measureRecord('ray', usdc, T, '1');
    expect(ray).toMatchObject({ symbol: 'USDC', ts: T, apyEff: 5, counterpartyScore: 0.95 });
    expect(ray.rayNormal).toBeGreaterThan(ray.rayHighVol!);
  });

  it('agrees with the index record where the constituent is eligible', () => {
    const c = state.evaluate(T)!.constituents.find((x) => x.symbol === 'USDC')!;
    expect(c.ray).toBe(usdc.rayNormal);
    expect(c.pegScore).toBe(usdc.pegScore);
    expect(c.liquidityScore).toBe(usdc.liquidityScore);
  });
});
