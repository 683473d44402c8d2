// SYI-v1.md point by point, with expectations computed by hand from the text (not from the
// engine's own output). Where a value is not exactly representable the comment shows the sum.
import { book, ccPrice, mktcap, ONLY_USDC, pool, pythPrice, stateWith, tbill, toLine } from '../test/builders';
import type { IndexEvent } from './events';
import { METHODOLOGY_V1 } from './params';
import type { IndexRecord } from './record';
import type { IndexState } from './state';
import { replayRecords } from '../test/vectors';

const BASE = 1_767_225_600_000; // a multiple of 60 000 and of 7 000
const DAY = 86_400_000;
/** Most points of the text are about one constituent. */
const usdcState = (events: IndexEvent[]) => stateWith(events, ONLY_USDC);

function at(state: IndexState, T: number): IndexRecord {
  const record = state.evaluate(T);
  if (record === null) throw new Error(`no record at ${T}`);
  return record;
}

function usdcAt(state: IndexState, T: number) {
  const c = at(state, T).constituents.find((x) => x.symbol === 'USDC');
  if (c === undefined) throw new Error('USDC not eligible');
  return c;
}

const replay = (events: IndexEvent[], intervalSeconds: number) => replayRecords(events.map(toLine), intervalSeconds);

describe('§1 freshness: t − ts ≤ limit, per input kind', () => {
  it('one cc.prices record counts for P up to 120 s and for V up to 600 s', () => {
    const state = usdcState([
      mktcap('USDC', 1e10, BASE),
      pool('p1', 'USDC', 5e7, 4, BASE),
      ccPrice('USDC', 'old', 0.998, BASE, 5e7),
    ]);
    const step = (T: number) => {
      state.apply(ccPrice('USDC', 'b', 1.0, T, 2e7));
      return usdcAt(state, T);
    };
    const atPriceLimit = step(BASE + 120_000);
    expect(atPriceLimit.price).toBeCloseTo((0.998 + 1.0) / 2, 15);
    expect(atPriceLimit.volume24hUsd).toBe(7e7);
    const pastPriceLimit = step(BASE + 120_001); // stale for price, fresh for volume
    expect(pastPriceLimit.price).toBe(1.0);
    expect(pastPriceLimit.volume24hUsd).toBe(7e7);
    expect(step(BASE + 600_000).volume24hUsd).toBe(7e7);
    expect(step(BASE + 600_001).volume24hUsd).toBe(2e7);
  });
  it('an order book counts up to 300 s', () => {
    const events = [
      mktcap('USDC', 1e10, BASE),
      pool('p1', 'USDC', 5e7, 4, BASE),
      book('USDC', 'x', [[0.5, 4]], [[1.5, 2]], BASE),
    ];
    // mid = 1, band [0.995, 1.005]: neither level is inside, so use levels at the mid itself
    const state = usdcState([...events, book('USDC', 'y', [[1, 4]], [[1, 2]], BASE)]);
    state.apply(ccPrice('USDC', 'a', 1, BASE + 300_000));
    expect(usdcAt(state, BASE + 300_000).depthUsd).toBe(6); // book y: 1 × 4 + 1 × 2; book x: 0
    state.apply(ccPrice('USDC', 'a', 1, BASE + 300_001));
    expect(usdcAt(state, BASE + 300_001).depthUsd).toBe(0);
  });
  it('a market cap counts up to 24 h, a T-bill up to 7 days, a pool up to 6 h', () => {
    const week = 604_800_000;
    const state = usdcState([
      tbill(3.5, BASE + DAY - week),
      mktcap('USDC', 1e10, BASE),
      pool('p1', 'USDC', 5e7, 4, BASE + DAY - 21_600_000),
      ccPrice('USDC', 'a', 1, BASE + DAY),
    ]);
    const record = at(state, BASE + DAY);
    expect(record.tbillRate).toBe(3.5);
    expect(record.rpl).toBe(record.value - 3.5);
    expect(state.evaluate(BASE + DAY + 1)).toBeNull(); // market cap and pool both stale now
    const later = usdcState([
      tbill(3.5, BASE + DAY + 1 - week - 1),
      mktcap('USDC', 1e10, BASE + 2),
      pool('p1', 'USDC', 5e7, 4, BASE + DAY - 21_600_000 + 2),
      ccPrice('USDC', 'a', 1, BASE + DAY + 1),
    ]);
    expect(at(later, BASE + DAY + 1).tbillRate).toBeNull(); // 7 days and 1 ms old
    expect(at(later, BASE + DAY + 1).rpl).toBeNull();
  });
});

describe('§1 the record in force', () => {
  const basics = [mktcap('USDC', 1e10, BASE), pool('p1', 'USDC', 5e7, 4, BASE)];
  it('on equal ts the later line wins, in a file as in a stream', async () => {
    const forward = await replay([...basics, ccPrice('USDC', 'a', 1.0, BASE), ccPrice('USDC', 'a', 1.004, BASE)], 60);
    expect(forward.map((r) => r.constituents[0]!.price)).toEqual([1.004]);
    const reversed = await replay([...basics, ccPrice('USDC', 'a', 1.004, BASE), ccPrice('USDC', 'a', 1.0, BASE)], 60);
    expect(reversed.map((r) => r.constituents[0]!.price)).toEqual([1.0]);
  });
  it('a later ts wins whatever the arrival order, and never acts before its ts', async () => {
    const records = await replay(
      [...basics, ccPrice('USDC', 'a', 1.002, BASE + 30_000), ccPrice('USDC', 'a', 1.0, BASE)],
      30,
    );
    expect(records.map((r) => [r.ts, r.constituents[0]!.price])).toEqual([
      [BASE, 1.0],
      [BASE + 30_000, 1.002],
    ]);
  });
  it('pyth.prices and a cc.prices venue named "pyth" share one key; pyth never adds volume', () => {
    const events = [
      ...basics,
      ccPrice('USDC', 'a', 1.0, BASE, 3e7),
      ccPrice('USDC', 'pyth', 1.002, BASE, 9e9),
      pythPrice('USDC', 1.004, BASE),
    ];
    const c = usdcAt(usdcState(events), BASE);
    expect(c.price).toBe((1.0 + 1.004) / 2); // venues a and pyth (the later pyth record), not 1.002
    expect(c.volume24hUsd).toBe(3e7);
    const ccLast = usdcAt(
      usdcState([...basics, pythPrice('USDC', 1.004, BASE), ccPrice('USDC', 'pyth', 1.002, BASE, 9e9)]),
      BASE,
    );
    expect(ccLast.price).toBe(1.002);
    expect(ccLast.volume24hUsd).toBe(0); // the pyth venue is excluded from V even with a volume
  });
  it('all trad.tbill records form one series, whatever their series field', async () => {
    const lines = [
      ...[...basics, ccPrice('USDC', 'a', 1.0, BASE)].map(toLine),
      JSON.stringify({
        topic: 'trad.tbill',
        value: { series: 'DGS3MO', rate: 3.9, date: '2026-01-01', ts: BASE - 2000 },
      }),
      JSON.stringify({
        topic: 'trad.tbill',
        value: { series: 'OTHER', rate: 4.2, date: '2026-01-01', ts: BASE - 1000 },
      }),
    ];
    const records = await replayRecords(lines, 60);
    expect(records).toHaveLength(1);
    expect(records[0]!.tbillRate).toBe(4.2);
  });
});

describe('§2 peg samples', () => {
  // d = (1 + 2⁻¹⁰ − 1) × 10 000 = 9.765625 exactly; h(d) = d² / 20 = 4.76837158203125
  const up = 1 + 2 ** -10;
  const T0 = BASE + DAY;
  const events = [
    mktcap('USDC', 1e10, BASE),
    ccPrice('USDC', 'a', up, BASE), // the sample at BASE
    ccPrice('USDC', 'a', 1, BASE + 60_000), // samples at BASE + 60 s, + 120 s, + 180 s, then stale
    pool('p1', 'USDC', 5e7, 4, T0 - 100_000),
    ccPrice('USDC', 'a', 1, T0 - 61_000), // fresh at the boundary T0 − 60 s
  ];
  it('the window (T − 24 h, T] includes the boundary 24 h − 1 min back', () => {
    const c = usdcAt(usdcState(events), T0 - 60_000);
    // K = [9.765625, 0, 0, 0, 0]: mean 1.953125, σ² = (7.8125² + 4 × 1.953125²) / 5 = 15.2587890625
    expect(c.sigmaBps).toBeCloseTo(3.90625, 12);
    expect(c.pegScore).toBeCloseTo(Math.exp(-4.76837158203125 / 5 / 25), 15);
  });
  it('and excludes the boundary exactly 24 h back (and the market cap is fresh at exactly 24 h)', () => {
    const state = usdcState([...events, ccPrice('USDC', 'a', 1, T0 - 1000)]);
    const c = usdcAt(state, T0); // K = [0 at BASE + 60 s, + 120 s, + 180 s, T0 − 60 s, T0]
    expect(c.sigmaBps).toBe(0);
    expect(c.pegScore).toBe(1);
  });
  it('adds T itself only when T is not a multiple of 60 s', () => {
    const state = usdcState([
      mktcap('USDC', 1e10, BASE),
      pool('p1', 'USDC', 5e7, 4, BASE),
      ccPrice('USDC', 'a', up, BASE),
      ccPrice('USDC', 'a', 1, BASE + 30_000),
    ]);
    // T = BASE + 30 s: K = [9.765625 at BASE, 0 at T] → σ = 4.8828125, H = h(d) / 2
    const between = usdcAt(state, BASE + 30_000);
    expect(between.sigmaBps).toBe(4.8828125);
    expect(between.pegScore).toBeCloseTo(Math.exp(-4.76837158203125 / 2 / 25), 15);
    // T = BASE + 60 s: K = [9.765625 at BASE, 0 at BASE + 60 s]; T is that boundary, counted once
    const onBoundary = usdcAt(state, BASE + 60_000);
    expect(onBoundary.sigmaBps).toBe(4.8828125);
    expect(onBoundary.pegScore).toBeCloseTo(Math.exp(-4.76837158203125 / 2 / 25), 15);
  });
  it('without a price at T there is no K sample at T and the constituent is not eligible', () => {
    const state = usdcState([
      mktcap('USDC', 1e10, BASE),
      pool('p1', 'USDC', 5e7, 4, BASE),
      ccPrice('USDC', 'a', 1, BASE),
    ]);
    expect(state.evaluate(BASE + 120_000)).not.toBeNull();
    expect(state.evaluate(BASE + 120_001)).toBeNull(); // K still holds the boundaries BASE … + 120 s
  });
});

describe('§2 effective APY at the state level', () => {
  it('takes the fresh pools of exactly the symbol with tvl ≥ 10 M and a finite apyBase', () => {
    const state = usdcState([
      pool('stale', 'USDC', 1e9, 90, BASE - 21_600_001),
      mktcap('USDC', 1e10, BASE),
      pool('p1', 'USDC', 1e7, 4, BASE), // exactly 10 M: kept
      pool('p2', 'USDC', 3e7, 8, BASE),
      pool('lower', 'usdc', 1e9, 50, BASE), // another symbol
      pool('small', 'USDC', 9_999_999, 30, BASE),
      pool('none', 'USDC', 1e9, null, BASE),
      ccPrice('USDC', 'a', 1, BASE),
    ]);
    // two pools left (no MAD rule): (1e7 × 4 + 3e7 × 8) / 4e7 = 7
    expect(usdcAt(state, BASE).apyEff).toBe(7);
  });
  it('follows pools crossing their freshness limit, whatever the order of evaluation times', () => {
    const events = [
      mktcap('USDC', 1e10, BASE),
      pool('old', 'USDC', 1e7, 10, BASE),
      pool('new', 'USDC', 1e7, 4, BASE + 1000),
      ccPrice('USDC', 'a', 1, BASE + 21_600_001),
    ];
    expect(usdcAt(usdcState(events), BASE + 21_600_001).apyEff).toBe(4); // "old" is 1 ms past 6 h
    // evaluating later then earlier again (the live pipeline may re-evaluate) uses the right pools
    const both = usdcState([...events.slice(0, 3), ccPrice('USDC', 'a', 1, BASE + 21_600_000)]);
    expect(usdcAt(both, BASE + 21_600_001).apyEff).toBe(4);
    expect(usdcAt(both, BASE + 21_600_000).apyEff).toBe(7); // (1e7 × 10 + 1e7 × 4) / 2e7
    expect(both.evaluate(BASE + 21_601_001)).toBeNull(); // "new" is stale too: no APY, no index
  });
});

describe('§3 mode', () => {
  const usdc = [mktcap('USDC', 1e10, BASE), pool('p1', 'USDC', 5e7, 4, BASE), ccPrice('USDC', 'a', 1, BASE)];
  it('is high-vol above 100 bps on any configured constituent with a price, eligible or not', () => {
    // 101 bps
    expect(at(stateWith([...usdc, ccPrice('DAI', 'a', 1.0101, BASE)], METHODOLOGY_V1), BASE).mode).toBe('high-vol');
    // −101 bps
    expect(at(stateWith([...usdc, ccPrice('DAI', 'a', 0.9899, BASE)], METHODOLOGY_V1), BASE).mode).toBe('high-vol');
    // 99 bps
    expect(at(stateWith([...usdc, ccPrice('DAI', 'a', 1.0099, BASE)], METHODOLOGY_V1), BASE).mode).toBe('normal');
  });
  it('ignores a depegged constituent without a fresh price, and symbols outside the configuration', () => {
    const events = [ccPrice('DAI', 'a', 0.9, BASE - 120_001), ...usdc, ccPrice('USDT', 'a', 0.5, BASE)];
    expect(at(stateWith(events, { ...METHODOLOGY_V1, constituents: ['USDC', 'DAI'] }), BASE).mode).toBe('normal');
  });
  it('doubles κ in high-vol: RAY = APY × exp(−κ (1 − min score))', () => {
    const calm = usdcAt(stateWith(usdc, METHODOLOGY_V1), BASE);
    const stressed = usdcAt(stateWith([...usdc, ccPrice('DAI', 'a', 1.02, BASE)], METHODOLOGY_V1), BASE);
    // no book and no volume: S_liq = 0 is the minimum, so RAY = 4 × e^(−2) and 4 × e^(−4)
    expect(calm.liquidityScore).toBe(0);
    expect(calm.ray).toBeCloseTo(4 * Math.exp(-2), 14);
    expect(stressed.ray).toBeCloseTo(4 * Math.exp(-4), 14);
  });
});

describe('§5 grid', () => {
  it('starts at the first multiple of I at or after the smallest ts and includes the largest ts', async () => {
    const events = [
      mktcap('USDC', 1e10, BASE + 1),
      pool('p1', 'USDC', 5e7, 4, BASE + 1),
      ccPrice('USDC', 'a', 1, BASE + 1),
      ccPrice('USDC', 'a', 1, BASE + 21_000),
    ];
    const records = await replay(events, 7);
    expect(records.map((r) => r.ts - BASE)).toEqual([7000, 14_000, 21_000]);
  });
  it('uses round(seconds × 1000) ms as the step', async () => {
    const events = [
      mktcap('USDC', 1e10, BASE),
      pool('p1', 'USDC', 5e7, 4, BASE),
      ccPrice('USDC', 'a', 1, BASE),
      ccPrice('USDC', 'a', 1, BASE + 3),
    ];
    expect((await replay(events, 0.0015)).map((r) => r.ts - BASE)).toEqual([0, 2]); // 1.5 ms → 2 ms
    expect((await replay(events, 0.0014)).map((r) => r.ts - BASE)).toEqual([0, 1, 2, 3]); // 1.4 ms → 1 ms
  });
});
