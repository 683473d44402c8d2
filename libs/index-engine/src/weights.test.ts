import fc from 'fast-check';
import { METHODOLOGY_V1 as V1 } from './params';
import { capWeights, indexValue, topThree, type WeightInput } from './weights';

const W = V1.weights;
const c = (symbol: string, marketCapUsd: number, sigmaBps = 0): WeightInput => ({ symbol, marketCapUsd, sigmaBps });
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

describe('capWeights', () => {
  it('gives a single constituent the whole index (no cap with n = 1)', () => {
    expect(capWeights([c('USDT', 5e9)], W)).toEqual([1]);
  });
  it('applies no cap with n = 2', () => {
    const w = capWeights([c('USDC', 1e9), c('USDT', 9e9)], W);
    expect(w[0]).toBeCloseTo(0.1, 15);
    expect(w[1]).toBeCloseTo(0.9, 15);
  });
  it('discounts market cap by peg volatility: r = MC / (1 + (σ/10)²)', () => {
    const w = capWeights([c('A', 1e9, 10), c('B', 1e9, 0)], W);
    expect(w[0]).toBeCloseTo(1 / 3, 15);
    expect(w[1]).toBeCloseTo(2 / 3, 15);
  });
  it('caps one weight at 0.45 with n = 3 and spreads the excess proportionally', () => {
    // 0.7, 0.2, 0.1 → 0.45 and the 0.25 excess goes 2:1 → 0.45, 0.366…, 0.183…
    const w = capWeights([c('A', 7e9), c('B', 2e9), c('C', 1e9)], W);
    expect(w[0]).toBeCloseTo(0.45, 15);
    expect(w[1]).toBeCloseTo(0.2 + (0.25 * 2) / 3, 14);
    expect(w[2]).toBeCloseTo(0.1 + 0.25 / 3, 14);
  });
  it('needs further passes when the redistribution pushes another weight over the cap', () => {
    // 0.5, 0.42, 0.08: after pass 1 B = 0.42 + 0.05 × 0.42/0.5 = 0.462 > 0.45
    const w = capWeights([c('A', 50), c('B', 42), c('C', 8)], W);
    expect(w[0]).toBeCloseTo(0.45, 12);
    expect(w[1]).toBeCloseTo(0.45, 12);
    expect(w[2]).toBeCloseTo(0.1, 12);
  });
  it('caps every weight above 0.45 in one step, sharing the excess by the weights after capping', () => {
    // 0.5, 0.46, 0.04: O = {A, B}, excess = 0.05 + 0.01 = 0.06, F = {C} → 0.45, 0.45, 0.10
    const w = capWeights([c('A', 50), c('B', 46), c('C', 4)], { ...W, maxPasses: 1 });
    expect(w[0]).toBe(0.45);
    expect(w[1]).toBe(0.45);
    expect(w[2]).toBeCloseTo(0.1, 15);
  });
  it('shares among F in proportion to their weights right after capping', () => {
    // 0.6, 0.3, 0.1: excess 0.15 → B gets 0.15 × 0.3 / 0.4 = 0.1125, C gets 0.0375
    const w = capWeights([c('A', 6), c('B', 3), c('C', 1)], { ...W, maxPasses: 1 });
    expect(w[1]).toBeCloseTo(0.4125, 15);
    expect(w[2]).toBeCloseTo(0.1375, 15);
  });
  it('applies no top-3 cap with n = 3', () => {
    // 0.4, 0.4, 0.2: the top 3 sum to 1 > 0.8, but the cap needs n ≥ 4
    const w = capWeights([c('A', 4), c('B', 4), c('C', 2)], W);
    expect(w[0]).toBeCloseTo(0.4, 15);
    expect(w[2]).toBeCloseTo(0.2, 15);
  });
  it('shares the top-3 surplus by ΣR taken before the step', () => {
    // 0.3, 0.3, 0.3, 0.06, 0.04: s3 = 0.9 → T3 × 0.8/0.9; R gets 0.1 × 0.06/0.1 and 0.1 × 0.04/0.1
    const w = capWeights([c('A', 30), c('B', 30), c('C', 30), c('D', 6), c('E', 4)], W);
    expect(w[0]).toBeCloseTo(0.8 / 3, 15);
    expect(w[3]).toBeCloseTo(0.12, 15);
    expect(w[4]).toBeCloseTo(0.08, 15);
  });
  it('applies the top-3 cap of 0.80 with n = 4', () => {
    // 0.3, 0.3, 0.3, 0.1: top 3 = 0.9 → scaled to 0.8 (0.2667 each), the 0.1 surplus goes to D
    const w = capWeights([c('A', 3), c('B', 3), c('C', 3), c('D', 1)], W);
    expect(w[0]).toBeCloseTo(0.8 / 3, 14);
    expect(w[3]).toBeCloseTo(0.2, 14);
  });
  it('leaves weights under both caps untouched', () => {
    const w = capWeights([c('A', 25), c('B', 25), c('C', 25), c('D', 25)], W);
    expect(w).toEqual([0.25, 0.25, 0.25, 0.25]);
  });
  it('breaks ties in the top 3 by symbol ascending (UTF-16 code units)', () => {
    const inputs = [c('USDC', 2), c('USDT', 2), c('USDe', 2), c('DAI', 2), c('FDUSD', 1)];
    // 'USDT' < 'USDe' because 'T' (0x54) < 'e' (0x65); localeCompare would say otherwise
    const top = topThree([0.225, 0.225, 0.225, 0.225, 0.1], inputs).map((i) => inputs[i]!.symbol);
    expect(top).toEqual(['DAI', 'USDC', 'USDT']);
  });
  it('with a tie for third place, the symbol that sorts first is capped', () => {
    // 0.4, 0.35, 0.125, 0.125: T3 = A, B, C (C before D) → s3 = 0.875, scaled by 0.8/0.875; D gets 0.075
    const w = capWeights([c('A', 40), c('B', 35), c('C', 12.5), c('D', 12.5)], { ...W, maxPasses: 1 });
    expect(w[2]).toBeCloseTo(0.125 * (0.8 / 0.875), 14);
    expect(w[3]).toBeCloseTo(0.2, 14);
    expect(sum(w)).toBeCloseTo(1, 14);
  });
  it('stops after at most 100 passes', () => {
    const tinyPasses = { ...W, maxPasses: 1 };
    const w = capWeights([c('A', 50), c('B', 42), c('C', 8)], tinyPasses);
    expect(w[1]).toBeGreaterThan(0.45); // one pass is not enough here
  });
});

const constituentSets = (minSize: number) =>
  fc
    .uniqueArray(fc.stringMatching(/^[A-Za-z]{1,5}$/), { minLength: minSize, maxLength: 8 })
    .chain((symbols) =>
      fc.tuple(
        fc.constant([...symbols].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))),
        fc.array(fc.double({ min: 1e3, max: 1e12, noNaN: true }), {
          minLength: symbols.length,
          maxLength: symbols.length,
        }),
        fc.array(fc.double({ min: 0, max: 300, noNaN: true }), {
          minLength: symbols.length,
          maxLength: symbols.length,
        }),
      ),
    )
    .map(([symbols, caps, sigmas]) => symbols.map((s, i) => c(s, caps[i]!, sigmas[i])));

describe('capWeights properties', () => {
  it('weights are ≥ 0 and sum to 1', () => {
    fc.assert(
      fc.property(constituentSets(1), (inputs) => {
        const w = capWeights(inputs, W);
        for (const x of w) expect(x).toBeGreaterThanOrEqual(0);
        expect(Math.abs(sum(w) - 1)).toBeLessThan(1e-9);
      }),
    );
  });
  it('with n ≥ 3 no weight exceeds 0.45', () => {
    fc.assert(
      fc.property(constituentSets(3), (inputs) => {
        for (const x of capWeights(inputs, W)) expect(x).toBeLessThanOrEqual(0.45 + 1e-9);
      }),
    );
  });
  it('with n ≥ 4 the three largest weights sum to at most 0.80', () => {
    fc.assert(
      fc.property(constituentSets(4), (inputs) => {
        const w = [...capWeights(inputs, W)].sort((a, b) => b - a);
        expect(w[0]! + w[1]! + w[2]!).toBeLessThanOrEqual(0.8 + 1e-9);
      }),
    );
  });
  it('the index lies between the smallest and the largest RAY', () => {
    fc.assert(
      fc.property(
        constituentSets(1).chain((inputs) =>
          fc.tuple(
            fc.constant(inputs),
            fc.array(fc.double({ min: 0, max: 100, noNaN: true }), {
              minLength: inputs.length,
              maxLength: inputs.length,
            }),
          ),
        ),
        ([inputs, rays]) => {
          const value = indexValue(capWeights(inputs, W), rays);
          expect(value).toBeGreaterThanOrEqual(Math.min(...rays) - 1e-9);
          expect(value).toBeLessThanOrEqual(Math.max(...rays) + 1e-9);
        },
      ),
    );
  });
});
