import fc from 'fast-check';
import {
  bookDepthUsd,
  counterpartyScore,
  deviationBps,
  effectiveApy,
  huberLoss,
  kappaOf,
  liquidityScore,
  median,
  modeOf,
  pegStats,
  riskAdjustedYield,
} from './measures';
import { METHODOLOGY_V1 as V1 } from './params';

describe('median', () => {
  it('of one value is that value', () => expect(median([1.2])).toBe(1.2));
  it('of an odd count is the middle value', () => expect(median([3, 1, 2])).toBe(2));
  it('of an even count is the mean of the two middle values', () => expect(median([4, 1, 3, 2])).toBe(2.5));
  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
  it('of nothing is an error', () => expect(() => median([])).toThrow('empty'));
});

describe('huber loss and peg score', () => {
  it('is quadratic up to δ (inclusive) and linear beyond', () => {
    expect(huberLoss(4, 10)).toBeCloseTo(16 / 20, 15);
    expect(huberLoss(-10, 10)).toBe(5);
    expect(huberLoss(30, 10)).toBe(25);
    expect(huberLoss(-30, 10)).toBe(25);
  });
  it('gives score 1 and σ 0 for a perfect peg', () => {
    expect(pegStats([0, 0, 0], V1.peg)).toEqual({ meanHuber: 0, pegScore: 1, sigmaBps: 0 });
  });
  it('uses the mean Huber loss and the population standard deviation', () => {
    const stats = pegStats([10, -10, 30, -30], V1.peg);
    expect(stats.meanHuber).toBeCloseTo((5 + 5 + 25 + 25) / 4, 12);
    expect(stats.pegScore).toBeCloseTo(Math.exp(-15 / 25), 12);
    expect(stats.sigmaBps).toBeCloseTo(Math.sqrt((100 + 100 + 900 + 900) / 4), 12);
  });
  it('a single sample has σ 0', () => expect(pegStats([-250], V1.peg).sigmaBps).toBe(0));
  it('deviation is signed basis points', () => expect(deviationBps(0.9985)).toBeCloseTo(-15, 9));
});

describe('book depth within ±50 bps', () => {
  it('is undefined when a side is empty', () => {
    expect(bookDepthUsd([], [[1.001, 5]], V1.depth)).toBeUndefined();
    expect(bookDepthUsd([[0.999, 5]], [], V1.depth)).toBeUndefined();
  });
  it('sums price × qty of the levels inside the band around the mid, edges included', () => {
    // best bid 0.9999 and best ask 1.0001: mid = 1 exactly, band [0.995, 1.005]
    const depth = bookDepthUsd(
      [
        [0.9999, 10],
        [0.995, 100],
        [0.99499999, 7],
      ],
      [
        [1.0001, 10],
        [1.005, 100],
        [1.00500001, 5],
      ],
      V1.depth,
    );
    expect(depth).toBeCloseTo(0.9999 * 10 + 0.995 * 100 + 1.0001 * 10 + 1.005 * 100, 10);
  });
  it('of a one-level book is that level on each side', () => {
    expect(bookDepthUsd([[0.999, 2]], [[1.001, 3]], V1.depth)).toBeCloseTo(0.999 * 2 + 1.001 * 3, 14);
  });
  it('uses the best bid and best ask whatever their order in the lists', () => {
    expect(
      bookDepthUsd(
        [
          [0.5, 1],
          [0.9999, 2],
        ],
        [
          [2, 1],
          [1.0001, 3],
        ],
        V1.depth,
      ),
    ).toBeCloseTo(0.9999 * 2 + 1.0001 * 3, 12);
  });
});

describe('liquidity score', () => {
  it('combines depth and volume over 5 % of market cap, the volume part capped at 1', () => {
    expect(liquidityScore(0, 0, 1e9, V1.liquidity)).toBe(0);
    expect(liquidityScore(1e7, 2.5e7, 1e9, V1.liquidity)).toBeCloseTo(0.7 * (1 - Math.exp(-1)) + 0.3 * 0.5, 15);
    expect(liquidityScore(1e12, 1e12, 1e9, V1.liquidity)).toBeCloseTo(1, 12);
  });
  it('never falls when depth is added', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e11, noNaN: true }),
        fc.double({ min: 0, max: 1e11, noNaN: true }),
        fc.double({ min: 0, max: 1e11, noNaN: true }),
        fc.double({ min: 1, max: 1e12, noNaN: true }),
        (depth, extra, volume, mc) => {
          expect(liquidityScore(depth + extra, volume, mc, V1.liquidity)).toBeGreaterThanOrEqual(
            liquidityScore(depth, volume, mc, V1.liquidity),
          );
        },
      ),
    );
  });
});

describe('counterparty score', () => {
  it('comes from the table, 0.75 for other symbols', () => {
    expect(counterpartyScore('USDC', V1.counterparty)).toBe(0.95);
    expect(counterpartyScore('USDe', V1.counterparty)).toBe(0.7);
    expect(counterpartyScore('USDE', V1.counterparty)).toBe(0.75);
    expect(counterpartyScore('toString', V1.counterparty)).toBe(0.75);
  });
});

describe('effective APY', () => {
  const p = (tvlUsd: number, apyBase: number | null) => ({ tvlUsd, apyBase });
  it('is undefined without a usable pool', () => {
    expect(effectiveApy([], V1.apy)).toBeUndefined();
    expect(effectiveApy([p(5e7, null)], V1.apy)).toBeUndefined();
    expect(effectiveApy([p(9_999_999, 5)], V1.apy)).toBeUndefined();
  });
  it('is undefined, not NaN or Infinity, when finite but absurd TVLs overflow the weighted mean', () => {
    expect(effectiveApy([p(1e308, 4), p(1e308, 5)], V1.apy)).toBeUndefined();
    expect(effectiveApy([p(1.7e308, 4)], V1.apy)).toBeUndefined();
  });
  it('is the TVL-weighted mean of the clamped base APYs', () => {
    expect(effectiveApy([p(1e7, 4), p(3e7, 8)], V1.apy)).toBeCloseTo((1e7 * 4 + 3e7 * 8) / 4e7, 12);
  });
  it('clamps a negative APY to 0 and a huge one to 100', () => {
    expect(effectiveApy([p(1e7, -3)], V1.apy)).toBe(0);
    expect(effectiveApy([p(1e7, 250)], V1.apy)).toBe(100);
  });
  it('does not apply the outlier rule with fewer than 3 pools', () => {
    expect(effectiveApy([p(1e7, 4), p(1e7, 90)], V1.apy)).toBe(47);
  });
  it('drops pools further than 5 MAD from the median with 3 pools or more', () => {
    // a = 4, 5, 6, 90: m = 5.5, |a − m| = 1.5, 0.5, 0.5, 84.5 → MAD = 1.4826 × 1 → 90 is dropped
    expect(effectiveApy([p(1e7, 4), p(1e7, 5), p(1e7, 6), p(1e7, 90)], V1.apy)).toBeCloseTo(5, 12);
  });
  it('counts only pools left after the filters towards the 3', () => {
    // the null pool and the small pool do not count: 2 pools, no outlier rule
    expect(effectiveApy([p(1e7, 4), p(1e7, 90), p(1e7, null), p(1e6, 5)], V1.apy)).toBe(47);
  });
  it('keeps every pool when the MAD is zero', () => {
    // a = 5, 5, 5, 20: m = 5, deviations 0, 0, 0, 15 → MAD 0 → nothing dropped
    expect(effectiveApy([p(1e7, 5), p(1e7, 5), p(1e7, 5), p(1e7, 20)], V1.apy)).toBeCloseTo(8.75, 12);
  });
  it('keeps a pool exactly at 5 MAD and drops one just beyond', () => {
    // a = 0, 3, 3, 6, e: m = 3, |a − m| = 3, 0, 0, 3, e − 3 → MAD = 1.4826 × 3
    const limit = 5 * (1.4826 * 3);
    const edge = 3 + limit;
    expect(Math.abs(edge - 3)).toBe(limit); // the edge is exactly representable
    const pools = (e: number) => [p(1e7, 0), p(1e7, 3), p(1e7, 3), p(1e7, 6), p(1e7, e)];
    expect(effectiveApy(pools(edge), V1.apy)).toBeCloseTo((12 + edge) / 5, 12);
    expect(effectiveApy(pools(edge + 1e-9), V1.apy)).toBeCloseTo(3, 12);
  });
});

describe('mode, κ and RAY', () => {
  it('is high-vol only above 100 bps (strictly)', () => {
    expect(modeOf([100, -100, 3], V1.mode)).toBe('normal');
    expect(modeOf([1, -100.0001], V1.mode)).toBe('high-vol');
    expect(modeOf([], V1.mode)).toBe('normal');
    expect(kappaOf('normal', V1.mode)).toBe(2);
    expect(kappaOf('high-vol', V1.mode)).toBe(4);
  });
  it('haircuts the APY by the weakest score', () => {
    expect(riskAdjustedYield(5, 0.99, 0.5, 0.9, 2)).toBeCloseTo(5 * Math.exp(-2 * 0.5), 14);
    expect(riskAdjustedYield(5, 1, 1, 1, 4)).toBe(5);
  });
});
