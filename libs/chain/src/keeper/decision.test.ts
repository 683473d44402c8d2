import fc from 'fast-check';
import { type PriceInfo } from '../price-feed';
import {
  confidenceReaches,
  decideFeed,
  decimalToRatio,
  deviationReaches,
  planPush,
  type DecisionSettings,
} from './decision';
import { type FeedConfig } from './price-config';

const settings: DecisionSettings = { maxStalenessS: 30, includeEarly: true, earlyFraction: 0.5 };
const feed = (id: string, over: Partial<FeedConfig> = {}): FeedConfig => ({
  alias: id,
  id: `0x${id.repeat(64).slice(0, 64)}`,
  timeDifferenceS: 60,
  priceDeviationPct: 0.5,
  confidenceRatioPct: 1,
  ...over,
});
const price = (p: bigint, publishTime: number, conf = 0n, expo = -8): PriceInfo => ({
  price: p,
  conf,
  expo,
  publishTime,
});

describe('decimalToRatio', () => {
  it.each([
    [0.01, 1n, 100n],
    [0.5, 5n, 10n],
    [2, 2n, 1n],
    [1e-7, 1n, 10_000_000n],
    [1.5e21, 1_500_000_000_000_000_000_000n, 1n],
  ])('%p is exactly %p/%p', (x, num, den) => {
    expect(decimalToRatio(x)).toEqual({ num, den });
  });
});

describe('deviationReaches (integer math)', () => {
  it('is exact at the threshold where floats are not: 0.01 % of 1.00000000', () => {
    const onchain = price(100_000_000n, 0);
    expect(deviationReaches(price(100_010_000n, 1), onchain, 0.01)).toBe(true); // exactly 0.01 %
    expect(deviationReaches(price(100_009_999n, 1), onchain, 0.01)).toBe(false);
    expect(deviationReaches(price(99_990_000n, 1), onchain, 0.01)).toBe(true); // downward too
  });

  it('compares prices with different exponents', () => {
    expect(deviationReaches(price(1_000_100n, 1, 0n, -6), price(100_000_000n, 0), 0.01)).toBe(true);
    expect(deviationReaches(price(1_000_000n, 1, 0n, -6), price(100_000_000n, 0), 0.01)).toBe(false);
  });

  it('handles prices beyond 2^53 without rounding', () => {
    const big = 9_007_199_254_740_993n; // 2^53 + 1: a float cannot hold it
    expect(deviationReaches(price(big + 1n, 1), price(big, 0), 0)).toBe(true);
    expect(deviationReaches(price(big, 1), price(big, 0), 1e-15)).toBe(false);
  });

  it('agrees with exact rational arithmetic on random inputs', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10_000 }),
        (t, delta, bp) => {
          const pct = bp / 100; // 0.00 … 100.00 %
          const expected = (delta < 0n ? -delta : delta) * 10_000n >= BigInt(bp) * t;
          return deviationReaches(price(t + delta, 1), price(t, 0), pct) === expected;
        },
      ),
    );
  });

  it('agrees with exact rational arithmetic when the on-chain price is negative', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: -1n }),
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.integer({ min: 0, max: 10_000 }),
        (t, delta, bp) => {
          const expected = (delta < 0n ? -delta : delta) * 10_000n >= BigInt(bp) * -t;
          return deviationReaches(price(t + delta, 1), price(t, 0), bp / 100) === expected;
        },
      ),
    );
    expect(deviationReaches(price(-101_000_000n, 1), price(-100_000_000n, 0), 1)).toBe(true); // -1.01 vs -1.00: 1 %
    expect(deviationReaches(price(-100_999_999n, 1), price(-100_000_000n, 0), 1)).toBe(false);
  });

  it('treats any move away from a zero on-chain price as a deviation', () => {
    expect(deviationReaches(price(1n, 1), price(0n, 0), 100)).toBe(true);
    expect(deviationReaches(price(0n, 1), price(0n, 0), 0.01)).toBe(false);
  });
});

describe('confidenceReaches', () => {
  it('compares conf / price × 100 with the threshold exactly', () => {
    expect(confidenceReaches(price(100_000_000n, 0, 1_000_000n), 1)).toBe(true); // 1 %
    expect(confidenceReaches(price(100_000_000n, 0, 999_999n), 1)).toBe(false);
    expect(confidenceReaches(price(-100_000_000n, 0, 1_000_000n), 1)).toBe(true); // negative prices use |price|
  });
});

describe('decideFeed', () => {
  const f = feed('a');
  const now = 1_000_000;
  const onchain = price(100_000_000n, now - 10, 1_000n);

  it('pushes a feed that is not on chain yet', () => {
    expect(decideFeed(f, price(1n, now), undefined, now, settings)).toMatchObject({
      condition: 'yes',
      reasons: ['not-on-chain'],
    });
  });

  it('holds without a source price, or when the source is not newer than the chain', () => {
    expect(decideFeed(f, undefined, onchain, now, settings)).toMatchObject({ condition: 'no', hold: 'no-source' });
    expect(decideFeed(f, price(200_000_000n, now - 10), onchain, now, settings)).toMatchObject({
      condition: 'no',
      hold: 'not-newer',
    });
    expect(decideFeed(f, price(200_000_000n, now - 11), onchain, now, settings, true)).toMatchObject({
      condition: 'no',
      hold: 'not-newer',
    });
  });

  it('pushes on deviation, not below it', () => {
    expect(decideFeed(f, price(100_500_000n, now, 1_000n), onchain, now, settings)).toMatchObject({
      condition: 'yes',
      reasons: ['price-deviation'],
      deviationPct: 0.5,
    });
    expect(decideFeed(f, price(100_100_000n, now, 1_000n), onchain, now, settings).condition).toBe('no');
  });

  it('pushes on heartbeat (source newer by time_difference) and on MAX_STALENESS (on-chain age)', () => {
    const old = price(100_000_000n, now - 60, 1_000n);
    expect(
      decideFeed(feed('a', { timeDifferenceS: 50 }), price(100_000_000n, now - 5, 1_000n), old, now, {
        ...settings,
        maxStalenessS: 1_000,
      }),
    ).toMatchObject({
      condition: 'yes',
      reasons: ['heartbeat'],
    });
    expect(
      decideFeed(feed('a', { timeDifferenceS: 3_600 }), price(100_000_000n, now - 5, 1_000n), old, now, settings),
    ).toMatchObject({
      condition: 'yes',
      reasons: ['max-staleness'],
      onchainAgeS: 60,
    });
  });

  it(
    'a max-staleness push needs the minimum publish-time gain (input lagging past ' + 'MAX_STALENESS does not storm)',
    () => {
      const lagging = { ...settings, stalenessMinGainS: 15 };
      const f60 = feed('a', { timeDifferenceS: 3_600 });
      // Input 40 s behind: the price just pushed is already "stale"; a slot 1 s newer must not push again.
      const justPushed = price(100_000_000n, now - 40, 1_000n);
      expect(decideFeed(f60, price(100_000_000n, now - 39, 1_000n), justPushed, now, lagging)).toMatchObject({
        condition: 'no',
        hold: 'within-thresholds',
      });
      expect(decideFeed(f60, price(100_000_000n, now - 25, 1_000n), justPushed, now, lagging)).toMatchObject({
        condition: 'yes',
        reasons: ['max-staleness'],
      });
      // Without the bound, every newer slot is a push.
      expect(decideFeed(f60, price(100_000_000n, now - 39, 1_000n), justPushed, now, settings)).toMatchObject({
        condition: 'yes',
        reasons: ['max-staleness'],
      });
    },
  );

  it('pushes when the confidence ratio reaches its threshold', () => {
    expect(decideFeed(f, price(100_000_000n, now, 1_000_000n), onchain, now, settings)).toMatchObject({
      condition: 'yes',
      reasons: ['confidence-ratio'],
    });
  });

  it('marks a feed close to a threshold as early (fraction of the main one, or its early_update block)', () => {
    expect(decideFeed(f, price(100_300_000n, now, 1_000n), onchain, now, settings)).toMatchObject({
      condition: 'early',
      reasons: ['price-deviation'],
    });
    expect(
      decideFeed(f, price(100_300_000n, now, 1_000n), onchain, now, { ...settings, earlyFraction: 0 }).condition,
    ).toBe('no');
    const withBlock = feed('a', { earlyUpdate: { priceDeviationPct: 0.4 } });
    expect(decideFeed(withBlock, price(100_300_000n, now, 1_000n), onchain, now, settings).condition).toBe('no');
    expect(decideFeed(withBlock, price(100_400_000n, now, 1_000n), onchain, now, settings).condition).toBe('early');
  });

  it('forces a push of a feed with a newer source when asked', () => {
    expect(decideFeed(f, price(100_000_000n, now, 1_000n), onchain, now, settings, true)).toMatchObject({
      condition: 'yes',
      reasons: ['forced'],
    });
  });
});

describe('planPush', () => {
  const now = 1_000_000;
  const a = feed('a');
  const b = feed('b');
  const c = feed('c');
  const onchain = new Map([a, b, c].map((x) => [x.id, price(100_000_000n, now - 10, 1_000n)]));

  it('batches every yes feed with the early ones, and nothing when no feed is yes', () => {
    const sources = new Map([
      [a.id, price(101_000_000n, now, 1_000n)], // yes
      [b.id, price(100_300_000n, now, 1_000n)], // early
      [c.id, price(100_000_001n, now, 1_000n)], // no
    ]);
    expect(planPush([a, b, c], sources, onchain, now, settings).push.map((d) => d.id)).toEqual([a.id, b.id]);
    expect(
      planPush([a, b, c], sources, onchain, now, { ...settings, includeEarly: false }).push.map((d) => d.id),
    ).toEqual([a.id]);
    const calm = new Map([[b.id, price(100_300_000n, now, 1_000n)]]);
    const plan = planPush([a, b, c], calm, onchain, now, settings);
    expect(plan.push).toEqual([]);
    expect(plan.decisions.map((d) => d.condition)).toEqual(['no', 'early', 'no']);
  });
});
