// The repository's own `edge` vector (test/vectors/edge-scenario.ts): the precisions of SYI-v1
// that the methodology's vectors do not reach, each checked against a value worked out by hand
// from the formulas, not against the engine's own output.
import path from 'node:path';
import { edgeEvents, MINUTE, T0 } from '../test/vectors/edge-scenario';
import { readJsonLines, VECTORS_DIR, type ExpectedRecord } from '../test/vectors';
import { toLine } from '../test/builders';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

const records = readJsonLines<ExpectedRecord>(path.join(VECTORS_DIR, 'edge.expected.jsonl'));
const at = (minutes: number): ExpectedRecord => {
  const record = records.find((r) => r.ts === T0 + minutes * MINUTE);
  if (record === undefined) throw new Error(`no edge record at T0 + ${minutes} min`);
  return record;
};
const constituent = (record: ExpectedRecord, symbol: string) => {
  const c = record.constituents.find((x) => x.symbol === symbol);
  if (c === undefined) throw new Error(`${symbol} not in the record at ${record.ts}`);
  return c;
};
const symbols = (record: ExpectedRecord) => record.constituents.map((c) => c.symbol);
const EPS = 1e-12;

describe('edge vector', () => {
  it('is the output of its scenario file', () => {
    const lines = readFileSync(path.join(VECTORS_DIR, 'edge.events.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toEqual(edgeEvents().map(toLine));
    expect(records.map((r) => r.ts)).toEqual([0, 1, 2, 3, 4, 5].map((m) => T0 + m * MINUTE));
  });

  it('drops the outlier pool by the MAD rule and never counts small or differently spelled pools', () => {
    // pools 4, 5, 6, 40 (equal TVL): median 5.5, MAD 1.4826 × 1 → 40 is 34.5 away > 7.413
    expect(constituent(at(0), 'USDC').apyEff).toBe(5);
  });

  it('takes no fall-back when the pool record in force has apyBase null', () => {
    expect(symbols(at(1))).toEqual(['DAI', 'PYUSD', 'USDC', 'USDT']);
    expect(symbols(at(2))).toEqual(['DAI', 'USDC', 'USDT']);
  });

  it('leaves a constituent with market cap 0 ineligible and one without a large pool too', () => {
    for (const r of records) expect(symbols(r)).not.toContain('FDUSD');
    for (const r of records) expect(symbols(r)).not.toContain('USDe');
  });

  it('counts a venue stale for price in V but not in P', () => {
    const usdtAt0 = constituent(at(0), 'USDT');
    expect(usdtAt0.price).toBeCloseTo((1.0001 + 0.999) / 2, 12);
    expect(usdtAt0.volume24hUsd).toBe(1.1e9);
    const usdtAt2 = constituent(at(2), 'USDT'); // venue b is 121 s old: stale for price, fresh for volume
    expect(usdtAt2.price).toBe(1.0001);
    expect(usdtAt2.volume24hUsd).toBe(1.1e9);
  });

  it('sets the mode from an ineligible constituent, and breaks equal ts by line order', () => {
    expect([at(0).mode, at(1).mode, at(2).mode]).toEqual(['high-vol', 'high-vol', 'high-vol']);
    expect([at(3).mode, at(4).mode, at(5).mode]).toEqual(['normal', 'normal', 'normal']);
  });

  it('has no T-bill rate and no RPL once the T-bill record is older than 7 days', () => {
    expect(at(2).tbillRate).toBe(3.9);
    expect(at(2).rpl).toBeCloseTo(at(2).value - 3.9, 12);
    expect([at(3).tbillRate, at(3).rpl]).toEqual([null, null]);
  });

  it('caps weights: two members at 0.45 leave the third exactly 0.10; four members obey the top-3 cap', () => {
    expect(at(3).constituents.map((c) => c.weight)).toEqual([
      expect.closeTo(0.1, 12),
      expect.closeTo(0.45, 12),
      expect.closeTo(0.45, 12),
    ]);
    const four = at(0).constituents.map((c) => c.weight);
    const sorted = [...four].sort((a, b) => b - a);
    expect(four.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(sorted[0]).toBeLessThanOrEqual(0.45 + EPS);
    expect(sorted[0]! + sorted[1]! + sorted[2]!).toBeLessThanOrEqual(0.8 + EPS);
  });

  it('computes RAY from the liquidity score, with books counted only while fresh', () => {
    // USDC: D = 2 × 2e7 × ~1 (both sides in the band), V = 1e8, MC = 5e10; S_peg ≈ 0.998 and S_cp 0.95 are larger
    const withBook = 0.7 * (1 - Math.exp(-(0.9999 * 2e7 + 1.0001 * 2e7) / 1e7)) + 0.3 * (1e8 / (0.05 * 5e10));
    expect(constituent(at(3), 'USDC').liquidityScore).toBeCloseTo(withBook, 12);
    expect(constituent(at(3), 'USDC').ray).toBeCloseTo(5 * Math.exp(-2 * (1 - withBook)), 12);
    const noBook = 0.3 * (1e8 / (0.05 * 5e10)); // books are 301 s old at T0 + 5 min
    expect(constituent(at(5), 'USDC').depthUsd).toBe(0);
    expect(constituent(at(5), 'USDC').ray).toBeCloseTo(5 * Math.exp(-2 * (1 - noBook)), 12);
    // high-vol doubles κ
    expect(constituent(at(2), 'USDC').ray).toBeCloseTo(5 * Math.exp(-4 * (1 - withBook)), 12);
  });

  it('is the weighted sum of the constituents’ RAY', () => {
    for (const r of records)
      expect(r.value).toBeCloseTo(
        r.constituents.reduce((sum, c) => sum + c.weight * c.ray, 0),
        12,
      );
  });
});

describe('the methodology vectors kept in the repository', () => {
  it('are byte for byte the published ones (sha256 as listed in vectors/README.md)', () => {
    const readme = readFileSync(path.join(VECTORS_DIR, 'README.md'), 'utf8');
    const listed = [...readme.matchAll(/^([0-9a-f]{64}) {2}(\S+\.jsonl)$/gm)].map((m) => [m[2], m[1]]);
    expect(listed.map(([file]) => file)).toEqual([
      'basic.events.jsonl',
      'basic.expected.jsonl',
      'stress.events.jsonl',
      'stress.expected.jsonl',
    ]);
    for (const [file, sha] of listed)
      expect([
        file,
        createHash('sha256')
          .update(readFileSync(path.join(VECTORS_DIR, file!)))
          .digest('hex'),
      ]).toEqual([file, sha]);
  });
});
