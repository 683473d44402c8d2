import * as upstream from '@stableyield/upstream';
import { CONSTITUENTS, splitPair } from './catalog';
import { Market } from './market';
import { hash32, uuidFrom, valueNoise } from './prng';
import {
  binanceDepth,
  binanceTicker,
  cryptoCompareBody,
  defiLlamaPoolsBody,
  defiLlamaStablecoinsBody,
  fredObservationsBody,
} from './venues';

const T = Date.UTC(2026, 0, 15, 12, 0, 0);

describe('prng', () => {
  it('is deterministic and seed-dependent', () => {
    expect(hash32(1, 'a', 5)).toBe(hash32(1, 'a', 5));
    expect(hash32(1, 'a', 5)).not.toBe(hash32(2, 'a', 5));
    expect(hash32(1, 'a', 5)).not.toBe(hash32(1, 'a', 6));
    expect(uuidFrom(7, 'pool:USDC:0')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('value noise stays in [-1, 1] and is continuous between knots', () => {
    for (let t = 0; t < 100_000; t += 777) {
      const v = valueNoise(3, 'k', t, 5000);
      expect(Math.abs(v)).toBeLessThanOrEqual(1);
      expect(Math.abs(valueNoise(3, 'k', t + 1, 5000) - v)).toBeLessThan(0.001);
    }
  });
});

describe('Market', () => {
  it('keeps the stablecoins near the peg and is reproducible from the seed', () => {
    const a = new Market(42);
    const b = new Market(42);
    const c = new Market(43);
    for (const s of CONSTITUENTS) {
      for (let t = T; t < T + 600_000; t += 13_000) {
        const p = a.venuePrice(s, 'cryptocompare', t);
        expect(Math.abs(p - 1)).toBeLessThan(0.0015);
        expect(b.venuePrice(s, 'cryptocompare', t)).toBe(p);
      }
    }
    expect(c.fairPrice('USDC', T)).not.toBe(a.fairPrice('USDC', T));
    expect(a.fairPrice('BTC', T)).toBeGreaterThan(50_000);
  });

  it('quotes Pyth as integers with expo -8 close to the venue price', () => {
    const m = new Market(1);
    const q = m.pythQuote('USDT', T);
    expect(q.expo).toBe(-8);
    expect(Math.abs(Number(q.price) / 1e8 - m.venuePrice('USDT', 'pyth', T))).toBeLessThan(1e-8);
    expect(q.conf > 0n && q.emaConf > 0n).toBe(true);
  });

  it('has several single-asset pools with TVL >= 10M for every constituent, plus pools the filters drop', () => {
    const pools = new Market(5).pools(T);
    for (const s of CONSTITUENTS) {
      const big = pools.filter(
        (p) => p.symbol === s && p.exposure === 'single' && p.tvlUsd >= 1e7 && p.apyBase !== null,
      );
      expect(big.length).toBeGreaterThanOrEqual(3);
    }
    expect(pools.some((p) => p.exposure === 'multi')).toBe(true);
    expect(pools.some((p) => p.symbol === 'USDC' && p.tvlUsd < 1e7)).toBe(true);
    expect(pools.some((p) => p.symbol === 'USDT' && p.apyBase === null)).toBe(true);
    expect(new Set(pools.map((p) => p.pool)).size).toBe(pools.length);
  });

  it('splits Binance pairs into known assets', () => {
    expect(splitPair('USDCUSDT')).toMatchObject({ base: { symbol: 'USDC' }, quote: { symbol: 'USDT' } });
    expect(splitPair('usdeusdt')).toMatchObject({ base: { symbol: 'USDe' } });
    expect(splitPair('FDUSDUSDC')).toMatchObject({ base: { symbol: 'FDUSD' }, quote: { symbol: 'USDC' } });
    expect(splitPair('XYZUSDT')).toBeUndefined();
    expect(splitPair('USDT')).toBeUndefined();
  });
});

describe('response bodies parse with libs/upstream', () => {
  const m = new Market(9);

  it('CryptoCompare', () => {
    const r = upstream.mapCryptoComparePriceMultiFull(cryptoCompareBody(m, ['USDC', 'USDE', 'NOPE'], ['USD'], T), {
      symbols: { USDC: 'USDC', USDE: 'USDe' },
    });
    if (!r.ok) throw new Error(r.reason);
    expect(r.records.map((x) => x.symbol)).toEqual(['USDC', 'USDe']);
    expect(r.records[0]!.ts).toBe(T);
    expect(Math.abs(r.records[0]!.price - 1)).toBeLessThan(0.002);
    expect(cryptoCompareBody(m, ['NOPE'], ['USD'], T)).toMatchObject({ Response: 'Error' });
  });

  it('Binance ticker and depth', () => {
    const tk = upstream.mapBinanceTicker24hr(
      [binanceTicker(m, 'USDCUSDT', T), binanceTicker(m, 'FDUSDUSDT', T)],
      [
        { pair: 'USDCUSDT', symbol: 'USDC' },
        { pair: 'FDUSDUSDT', symbol: 'FDUSD' },
      ],
    );
    if (!tk.ok) throw new Error(tk.reason);
    expect(tk.records.map((r) => r.ts)).toEqual([T, T]);
    const d = upstream.mapBinanceDepth(binanceDepth(m, 'USDCUSDT', 100, T), { pair: 'USDCUSDT', symbol: 'USDC' }, T);
    if (!d.ok) throw new Error(d.reason);
    expect(d.records.bids).toHaveLength(100);
    expect(d.records.asks[0]![0]).toBeGreaterThan(d.records.bids[0]![0]);
    expect(d.records.bids[0]![0]).toBeGreaterThan(d.records.bids[1]![0]);
    expect(binanceTicker(m, 'XYZUSDT', T)).toBeNull();
  });

  it('DefiLlama pools and stablecoins', () => {
    const pools = upstream.mapDefiLlamaPools(defiLlamaPoolsBody(m, T), { symbols: [...CONSTITUENTS], fetchedAt: T });
    if (!pools.ok) throw new Error(pools.reason);
    expect(new Set(pools.records.map((p) => p.symbol))).toEqual(new Set(CONSTITUENTS));
    const caps = upstream.mapDefiLlamaStablecoins(defiLlamaStablecoinsBody(m, T, true), {
      symbols: [...CONSTITUENTS],
      fetchedAt: T,
    });
    if (!caps.ok) throw new Error(caps.reason);
    expect(caps.records.find((c) => c.symbol === 'USDT')!.marketCapUsd).toBeGreaterThan(1e11);
  });

  it('FRED: business days only, lagging one day, with the latest value usable', () => {
    const body = fredObservationsBody(m, { seriesId: 'DGS3MO', observationStart: '2026-01-01' }, T) as {
      observations: { date: string; value: string }[];
    };
    const dates = body.observations.map((o) => o.date);
    expect(dates[0]).toBe('2026-01-01');
    expect(dates[dates.length - 1]).toBe('2026-01-14');
    expect(dates.every((d) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay()))).toBe(true);
    const r = upstream.mapFredObservations(body, 'DGS3MO');
    if (!r.ok) throw new Error(r.reason);
    expect(r.records.rate).toBeGreaterThan(3.5);
    expect(r.records.rate).toBeLessThan(5);
    const desc = fredObservationsBody(
      m,
      { seriesId: 'DGS3MO', observationStart: '2026-01-01', sortOrder: 'desc', limit: 2 },
      T,
    ) as { observations: { date: string }[] };
    expect(desc.observations.map((o) => o.date)).toEqual(['2026-01-14', '2026-01-13']);
  });
});
