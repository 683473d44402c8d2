import { book, ccPrice, healthySymbol, mktcap, ONLY_USDC, pool, pythPrice, stateWith, tbill } from '../test/builders';
import type { IndexEvent } from './events';
import { nonFiniteFields } from './record';
import { IndexState, type IndexStateSnapshot } from './state';

const BASE = 1_767_225_600_000; // a multiple of 60 000
const MIN = 60_000;

/** USDC eligible apart from prices: market cap, pool and a book at BASE. */
const usdcBasics = (ts = BASE): IndexEvent[] => [
  mktcap('USDC', 1e10, ts),
  pool('p1', 'USDC', 5e7, 4, ts),
  book('USDC', 'a', [[0.9999, 1e6]], [[1.0001, 1e6]], ts),
];

const only = (state: IndexState, T: number) => {
  const record = state.evaluate(T);
  if (record === null) throw new Error(`no record at ${T}`);
  return record;
};
const usdc = (state: IndexState, T: number) => {
  const c = only(state, T).constituents.find((x) => x.symbol === 'USDC');
  if (c === undefined) throw new Error('USDC not eligible');
  return c;
};

describe('IndexState basics', () => {
  it('has no record before any event, or without an eligible constituent', () => {
    expect(new IndexState().evaluate(BASE)).toBeNull();
    expect(stateWith([tbill(3.9, BASE)]).evaluate(BASE)).toBeNull();
  });
  it('computes a one-constituent index equal to its RAY with weight 1', () => {
    const state = stateWith(
      [...usdcBasics(), ccPrice('USDC', 'a', 1.0001, BASE, 1e8), ccPrice('USDC', 'b', 0.9999, BASE, 1e8)],
      ONLY_USDC,
    );
    const record = only(state, BASE);
    expect(record.eligible).toBe(1);
    expect(record.constituents[0]!.weight).toBe(1);
    expect(record.value).toBe(record.constituents[0]!.ray);
    expect(record.constituents[0]!.price).toBe(1);
    expect(record.tbillRate).toBeNull();
    expect(record.rpl).toBeNull();
    expect(record.methodologyVersion).not.toBe('1');
  });
  it('rejects events that go back in time and evaluations before the last event', () => {
    const state = stateWith([ccPrice('USDC', 'a', 1, BASE)]);
    expect(() => state.apply(ccPrice('USDC', 'a', 1, BASE - 1))).toThrow('event time went backwards');
    expect(() => state.evaluate(BASE - 1)).toThrow('cannot evaluate');
    expect(() => state.apply(ccPrice('USDC', 'a', 1, BASE))).not.toThrow();
  });
});

describe('prices and freshness', () => {
  const events = [...usdcBasics(), ccPrice('USDC', 'a', 1.002, BASE), ccPrice('USDC', 'b', 1.0, BASE + 1000)];
  it('counts a venue exactly at the 120 s limit and drops it 1 ms later', () => {
    const state = stateWith(events, ONLY_USDC);
    expect(usdc(state, BASE + 120_000).price).toBeCloseTo(1.001, 12);
    expect(usdc(state, BASE + 120_001).price).toBe(1.0);
  });
  it('takes the median over venues (even count: mean of the middle two)', () => {
    const state = stateWith(
      [
        ...usdcBasics(),
        ccPrice('USDC', 'a', 1.0, BASE),
        ccPrice('USDC', 'b', 1.002, BASE),
        ccPrice('USDC', 'c', 1.001, BASE),
        pythPrice('USDC', 1.003, BASE),
      ],
      ONLY_USDC,
    );
    expect(usdc(state, BASE).price).toBeCloseTo(1.0015, 12);
  });
  it('lets the later of two events with the same key and ts win', () => {
    const state = stateWith(
      [...usdcBasics(), ccPrice('USDC', 'a', 1.0, BASE), ccPrice('USDC', 'a', 1.004, BASE)],
      ONLY_USDC,
    );
    expect(usdc(state, BASE).price).toBe(1.004);
  });
  it('stores pyth prices under the venue "pyth" of their symbol, excluded from volume', () => {
    const state = stateWith(
      [
        ...usdcBasics(),
        pythPrice('USDC', 1.01, BASE),
        ccPrice('USDC', 'pyth', 1.0, BASE + 1, 5e8),
        ccPrice('USDC', 'a', 1.0, BASE + 1, 1e8),
      ],
      ONLY_USDC,
    );
    const c = usdc(state, BASE + 1);
    expect(c.price).toBe(1.0); // the pyth key holds 1.0 now, not 1.01
    expect(c.volume24hUsd).toBe(1e8);
  });
  it('counts a venue stale for price but fresh for volume in V only', () => {
    const state = stateWith(
      [...usdcBasics(), ccPrice('USDC', 'old', 0.9, BASE, 7e7), ccPrice('USDC', 'a', 1.0, BASE + 500_000, 1e8)],
      ONLY_USDC,
    );
    const at = BASE + 600_000;
    expect(usdc(state, at).price).toBe(1.0);
    expect(usdc(state, at).volume24hUsd).toBe(1.7e8);
    // the market cap, pool and book of BASE are still fresh at BASE + 600 000? the book is not (300 s)
    expect(usdc(state, at).depthUsd).toBe(0);
  });
  it('counts a missing volume as 0', () => {
    const state = stateWith([...usdcBasics(), ccPrice('USDC', 'a', 1.0, BASE)], ONLY_USDC);
    expect(usdc(state, BASE).volume24hUsd).toBe(0);
  });
});

describe('no fall-back to older records', () => {
  const prices = [ccPrice('USDC', 'a', 1.0, BASE + 5000)];
  it('a market cap of zero makes the constituent ineligible even after a good one', () => {
    const state = stateWith([...usdcBasics(), mktcap('USDC', 0, BASE + 1000), ...prices], ONLY_USDC);
    expect(state.evaluate(BASE + 5000)).toBeNull();
  });
  it('a pool whose current apyBase is null gives no APY', () => {
    const state = stateWith([...usdcBasics(), pool('p1', 'USDC', 5e7, null, BASE + 1000), ...prices], ONLY_USDC);
    expect(state.evaluate(BASE + 5000)).toBeNull();
  });
  it('a pool that changed its symbol no longer counts for the old one', () => {
    const state = stateWith([...usdcBasics(), pool('p1', 'USDC.e', 5e7, 4, BASE + 1000), ...prices], ONLY_USDC);
    expect(state.evaluate(BASE + 5000)).toBeNull();
  });
  it('a stale market cap or pool is not used', () => {
    const state = stateWith([...usdcBasics(), ccPrice('USDC', 'a', 1, BASE + 21_600_001)], ONLY_USDC);
    expect(state.evaluate(BASE + 21_600_001)).toBeNull(); // pool stale after 6 h
    const fresh = stateWith([...usdcBasics(), ccPrice('USDC', 'a', 1, BASE + 21_600_000)], ONLY_USDC);
    expect(fresh.evaluate(BASE + 21_600_000)).not.toBeNull();
  });
});

describe('depth', () => {
  it('sums the fresh books with both sides, ignoring empty-sided and stale ones', () => {
    const state = stateWith(
      [
        mktcap('USDC', 1e10, BASE),
        pool('p1', 'USDC', 5e7, 4, BASE),
        book('USDC', 'old', [[1, 1000]], [[1, 1000]], BASE),
        book('USDC', 'a', [[1, 10]], [[1, 20]], BASE + 200_000),
        book('USDC', 'b', [[1, 5]], [], BASE + 200_000),
        book('USDC', 'c', [[1, 1]], [[1, 2]], BASE + 250_000),
        ccPrice('USDC', 'a', 1, BASE + 300_001),
      ],
      ONLY_USDC,
    );
    expect(usdc(state, BASE + 300_001).depthUsd).toBe(33);
  });
  it('adding a fresh book never lowers the liquidity score', () => {
    const events = [...usdcBasics(), ccPrice('USDC', 'a', 1, BASE, 1e8)];
    const without = usdc(stateWith(events, ONLY_USDC), BASE).liquidityScore;
    const withMore = usdc(
      stateWith([...events, book('USDC', 'z', [[0.9999, 5e6]], [[1.0001, 5e6]], BASE)], ONLY_USDC),
      BASE,
    ).liquidityScore;
    expect(withMore).toBeGreaterThan(without);
  });
});

describe('peg samples', () => {
  const basics = usdcBasics();
  it('uses every minute boundary of the window plus T itself', () => {
    const state = stateWith(
      [...basics, ccPrice('USDC', 'a', 1.0, BASE), ccPrice('USDC', 'a', 1.001, BASE + 30_000)],
      ONLY_USDC,
    );
    // K = [0 at BASE, 10 at T]
    expect(usdc(state, BASE + 30_000).sigmaBps).toBeCloseTo(5, 9);
    expect(usdc(state, BASE + 30_000).pegScore).toBeCloseTo(Math.exp(-2.5 / 25), 12);
    // at BASE + 60 000 (a boundary) T is not counted twice: K = [0, 10]
    expect(usdc(state, BASE + MIN).sigmaBps).toBeCloseTo(5, 9);
  });
  it('samples a boundary with every event of that exact ts applied', () => {
    const state = stateWith(
      [...basics, ccPrice('USDC', 'a', 1.0, BASE), ccPrice('USDC', 'a', 1.002, BASE + MIN)],
      ONLY_USDC,
    );
    expect(usdc(state, BASE + MIN).sigmaBps).toBeCloseTo(10, 9); // K = [0, 20]
    state.apply(ccPrice('USDC', 'a', 1.0, BASE + 90_000));
    // K = [0, 20, 0] (the sample at BASE + 60 000 was stored with the 1.002 of that ts)
    expect(usdc(state, BASE + 90_000).sigmaBps).toBeCloseTo(Math.sqrt(((20 / 3) ** 2 * 2 + (40 / 3) ** 2) / 3), 9);
  });
  it('judges freshness at each sample time, not at T', () => {
    const state = stateWith(
      [...basics, ccPrice('USDC', 'a', 1.001, BASE), ccPrice('USDC', 'a', 1.0, BASE + 200_000)],
      ONLY_USDC,
    );
    // boundaries BASE, +60 s, +120 s see the 1.001 (10 bps, fresh up to 120 s inclusive); +180 s has no price;
    // T has 1.0
    const expectedSigma = Math.sqrt((3 * (10 - 7.5) ** 2 + 7.5 ** 2) / 4);
    expect(usdc(state, BASE + 200_000).sigmaBps).toBeCloseTo(expectedSigma, 9);
  });
  it('keeps only the last 24 hours', () => {
    const day = 86_400_000;
    const events = [
      ...basics,
      ccPrice('USDC', 'a', 1.005, BASE), // 50 bps, seen by the boundaries BASE … BASE + 120 s
      ...usdcBasics(BASE + day - 200_000),
      ccPrice('USDC', 'a', 1.0, BASE + day - 100_000),
      ccPrice('USDC', 'a', 1.0, BASE + day + 100_000),
    ];
    const state = stateWith(events, ONLY_USDC);
    // window (BASE + 120 s, BASE + day + 120 s]: the 50 bps samples are out, only 0 bps samples remain
    expect(usdc(state, BASE + day + 120_000).sigmaBps).toBe(0);
    expect(usdc(state, BASE + day + 120_000).pegScore).toBe(1);
    // one minute earlier the boundary BASE + 120 s (50 bps) is still in
    const earlier = stateWith(events.slice(0, -1), ONLY_USDC);
    expect(earlier.evaluate(BASE + day + 60_000)).toBeNull(); // no fresh price at T
    expect(usdc(earlier, BASE + day).sigmaBps).toBeGreaterThan(0);
  });
  it('counts a long gap correctly (pending boundaries computed at evaluation)', () => {
    const state = stateWith([...basics, ccPrice('USDC', 'a', 1.001, BASE)], ONLY_USDC);
    // T = BASE + 90 s: boundaries BASE (10), BASE + 60 s (10, fresh) and T (10)
    expect(usdc(state, BASE + 90_000).sigmaBps).toBe(0);
    expect(usdc(state, BASE + 90_000).pegScore).toBeCloseTo(Math.exp(-5 / 25), 12);
  });
});

describe('mode, T-bill and several constituents', () => {
  it('turns high-vol when a configured constituent with a price deviates > 100 bps, even if ineligible', () => {
    const events = [
      ...healthySymbol('USDC', BASE),
      ccPrice('DAI', 'a', 0.9899, BASE),
      ccPrice('NOTME', 'a', 0.5, BASE),
    ];
    const record = only(stateWith(events), BASE);
    expect(record.mode).toBe('high-vol');
    expect(record.eligible).toBe(1);
    const calm = only(stateWith([...healthySymbol('USDC', BASE), ccPrice('NOTME', 'a', 0.5, BASE)]), BASE);
    expect(calm.mode).toBe('normal');
  });
  it('uses one T-bill series and its 7-day freshness', () => {
    const week = 604_800_000;
    const events = [tbill(4.1, BASE - week), tbill(3.9, BASE - week), ...healthySymbol('USDC', BASE)];
    const record = only(stateWith(events), BASE);
    expect(record.tbillRate).toBe(3.9);
    expect(record.rpl).toBe(record.value - 3.9);
    const later = stateWith([tbill(3.9, BASE - week - 1), ...healthySymbol('USDC', BASE)]);
    expect(only(later, BASE).tbillRate).toBeNull();
  });
  it('lists eligible constituents in UTF-16 order with weights summing to 1', () => {
    const events = ['USDe', 'USDT', 'DAI', 'USDC'].flatMap((s, i) => healthySymbol(s, BASE, (i + 1) * 1e10));
    const record = only(stateWith(events), BASE);
    expect(record.constituents.map((c) => c.symbol)).toEqual(['DAI', 'USDC', 'USDT', 'USDe']);
    expect(record.constituents.reduce((a, c) => a + c.weight, 0)).toBeCloseTo(1, 14);
    const top3 = record.constituents.map((c) => c.weight).sort((a, b) => b - a);
    expect(top3[0]! + top3[1]! + top3[2]!).toBeLessThanOrEqual(0.8 + 1e-12);
  });
});

describe('checkpoints', () => {
  const events = [
    ...healthySymbol('USDC', BASE),
    ...healthySymbol('DAI', BASE + 10),
    ccPrice('USDC', 'a', 1.002, BASE + 70_000),
    tbill(3.9, BASE + 80_000),
  ];
  it('restores a state that evaluates and continues exactly like the original', () => {
    const original = stateWith(events.slice(0, 8));
    const snapshot = JSON.parse(JSON.stringify(original.toJSON())) as IndexStateSnapshot;
    const restored = IndexState.fromJSON(snapshot);
    for (const e of events.slice(8)) {
      original.apply(e);
      restored.apply(e);
    }
    for (const T of [BASE + 80_000, BASE + 120_000, BASE + 150_500])
      expect(restored.evaluate(T)).toEqual(original.evaluate(T));
    expect(restored.lastEventTs).toBe(original.lastEventTs);
  });
  it('refuses a snapshot taken with another parameter set', () => {
    const snapshot = stateWith(events).toJSON();
    expect(() => IndexState.fromJSON(snapshot, ONLY_USDC)).toThrow('snapshot was taken with methodology 1');
  });
});

describe('nonFiniteFields', () => {
  it('names every NaN and Infinity of a record', () => {
    const record = only(
      stateWith(
        [...usdcBasics(), ...[ccPrice('USDC', 'a', 1.0001, BASE, 1e8), ccPrice('USDC', 'b', 0.9999, BASE, 1e8)]],
        ONLY_USDC,
      ),
      BASE,
    );
    expect(nonFiniteFields(record)).toEqual([]);
    const broken = { ...record, value: NaN, constituents: [{ ...record.constituents[0]!, apyEff: Infinity }] };
    expect(nonFiniteFields(broken)).toEqual(['value', 'constituents[0].apyEff']);
  });
});
