// The constituent measures of methodology v1 (§2, §3) as small pure functions.
// The incremental state decides which records are in force and fresh; these
// functions only do the arithmetic on what it hands them.

import type { BookLevel } from './events';
import type { MethodologyParams } from './params';

/** Median; the mean of the two middle values for an even count. Sorts `values` in place. */
export function medianInPlace(values: number[]): number {
  const n = values.length;
  if (n === 0) throw new Error('median of an empty list');
  if (n === 1) return values[0] as number;
  sortAscending(values);
  const mid = n >> 1;
  const upper = values[mid] as number;
  return n % 2 === 1 ? upper : ((values[mid - 1] as number) + upper) / 2;
}

const ascending = (a: number, b: number): number => a - b;

/** Insertion sort for the few values of venues or pools (no closure per call), built-in sort beyond. */
function sortAscending(values: number[]): void {
  const n = values.length;
  if (n > 32) {
    values.sort(ascending);
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = values[i] as number;
    let j = i - 1;
    while (j >= 0 && (values[j] as number) > x) {
      values[j + 1] = values[j] as number;
      j--;
    }
    values[j + 1] = x;
  }
}

export function median(values: readonly number[]): number {
  return medianInPlace([...values]);
}

/** Deviation from the peg in signed basis points. */
export function deviationBps(price: number): number {
  return (price - 1) * 10_000;
}

/** Huber loss: quadratic near zero, linear beyond δ, so a short depeg counts but does not dominate. */
export function huberLoss(x: number, delta: number): number {
  const abs = Math.abs(x);
  return abs <= delta ? (x * x) / (2 * delta) : abs - delta / 2;
}

export interface PegStats {
  /** H: mean Huber loss of the samples */
  readonly meanHuber: number;
  readonly pegScore: number;
  /** population standard deviation of the samples, bps */
  readonly sigmaBps: number;
}

/** Peg score and σ from the complete list K of deviation samples (non-empty). */
export function pegStats(samples: readonly number[], peg: MethodologyParams['peg']): PegStats {
  const n = samples.length;
  if (n === 0) throw new Error('peg statistics need at least one sample');
  let sum = 0;
  let sumHuber = 0;
  for (const d of samples) {
    sum += d;
    sumHuber += huberLoss(d, peg.huberDeltaBps);
  }
  const mean = sum / n;
  let m2 = 0;
  for (const d of samples) m2 += (d - mean) * (d - mean);
  return pegStatsFromMoments(n, m2, sumHuber, peg);
}

/** The same from running moments (count, Σ(d − mean)², Σ h(d)), as the incremental state keeps them. */
export function pegStatsFromMoments(
  count: number,
  m2: number,
  sumHuber: number,
  peg: MethodologyParams['peg'],
): PegStats {
  const meanHuber = sumHuber / count;
  return {
    meanHuber,
    pegScore: Math.exp(-meanHuber / peg.scoreScaleBps),
    sigmaBps: Math.sqrt(Math.max(0, m2) / count),
  };
}

/**
 * USD depth of one book within the ±50 bps band around its mid, or undefined when a side
 * is empty (such a book does not count). The band edges are inclusive, compared as written.
 */
export function bookDepthUsd(
  bids: readonly BookLevel[],
  asks: readonly BookLevel[],
  depth: MethodologyParams['depth'],
): number | undefined {
  if (bids.length === 0 || asks.length === 0) return undefined;
  let bestBid = -Infinity;
  for (const [price] of bids) if (price > bestBid) bestBid = price;
  let bestAsk = Infinity;
  for (const [price] of asks) if (price < bestAsk) bestAsk = price;
  const mid = (bestBid + bestAsk) / 2;
  const bidFloor = mid * depth.bidFactor;
  const askCeiling = mid * depth.askFactor;
  let total = 0;
  for (const [price, qty] of bids) if (price >= bidFloor) total += price * qty;
  for (const [price, qty] of asks) if (price <= askCeiling) total += price * qty;
  return total;
}

/** S_liq = 0.7 × (1 − exp(−D / 10M)) + 0.3 × min(1, V / (0.05 × MC)); MC > 0. */
export function liquidityScore(
  depthUsd: number,
  volumeUsd: number,
  marketCapUsd: number,
  liquidity: MethodologyParams['liquidity'],
): number {
  const depthPart = liquidity.depthWeight * (1 - Math.exp(-depthUsd / liquidity.depthScaleUsd));
  const volumePart = liquidity.volumeWeight * Math.min(1, volumeUsd / (liquidity.volumeToMarketCap * marketCapUsd));
  return depthPart + volumePart;
}

export function counterpartyScore(symbol: string, counterparty: MethodologyParams['counterparty']): number {
  return Object.hasOwn(counterparty.scores, symbol)
    ? (counterparty.scores[symbol] as number)
    : counterparty.defaultScore;
}

export interface PoolCandidate {
  readonly tvlUsd: number;
  readonly apyBase: number | null;
}

/**
 * Effective APY of one constituent from its pools that are in force, fresh and of its symbol:
 * TVL and apyBase filters, clamp to [0, 100], the MAD outlier rule with ≥ 3 pools, then the
 * TVL-weighted mean. Undefined when no pool is left.
 */
export function effectiveApy(candidates: readonly PoolCandidate[], apy: MethodologyParams['apy']): number | undefined {
  const tvl: number[] = [];
  const clamped: number[] = [];
  for (const pool of candidates) {
    if (!(pool.tvlUsd >= apy.minTvlUsd)) continue;
    const base = pool.apyBase;
    if (base === null || !Number.isFinite(base)) continue;
    tvl.push(pool.tvlUsd);
    clamped.push(Math.min(apy.clampMax, Math.max(apy.clampMin, base)));
  }
  const n = clamped.length;
  if (n === 0) return undefined;
  let m = 0;
  let limit = Infinity;
  if (n >= apy.outlierMinPools) {
    m = medianInPlace(clamped.slice());
    const distances: number[] = new Array<number>(n);
    for (let i = 0; i < n; i++) distances[i] = Math.abs((clamped[i] as number) - m);
    const mad = apy.madScale * medianInPlace(distances);
    if (mad > 0) limit = apy.madMultiplier * mad;
  }
  let weighted = 0;
  let totalTvl = 0;
  for (let i = 0; i < n; i++) {
    // Pools further than 5 MAD from the median are dropped (only when the rule applies: limit < ∞).
    if (Math.abs((clamped[i] as number) - m) > limit) continue;
    weighted += (tvl[i] as number) * (clamped[i] as number);
    totalTvl += tvl[i] as number;
  }
  // Every kept pool has TVL ≥ minTvlUsd > 0 and the median pool is always kept, so totalTvl > 0
  // with v1's parameters; a custom set with minTvlUsd = 0 can reach 0/0, which means "no value".
  if (totalTvl === 0) return undefined;
  // Inputs are finite, but absurd ones (a TVL of 1e308) overflow the sums: no value then either.
  const mean = weighted / totalTvl;
  return Number.isFinite(mean) ? mean : undefined;
}

export type IndexMode = 'normal' | 'high-vol';

/** high-vol when any of the given current deviations (constituents with a price) exceeds the limit. */
export function modeOf(deviationsBps: Iterable<number>, mode: MethodologyParams['mode']): IndexMode {
  for (const dev of deviationsBps) if (Math.abs(dev) > mode.highVolDevBps) return 'high-vol';
  return 'normal';
}

export function kappaOf(indexMode: IndexMode, mode: MethodologyParams['mode']): number {
  return indexMode === 'high-vol' ? mode.kappaHighVol : mode.kappaNormal;
}

/** RAY = APY_eff × exp(−κ × (1 − min(S_peg, S_liq, S_cp))): the weakest risk dimension sets the haircut. */
export function riskAdjustedYield(
  apyEff: number,
  pegScore: number,
  liqScore: number,
  cpScore: number,
  kappa: number,
): number {
  return apyEff * Math.exp(-kappa * (1 - Math.min(pegScore, liqScore, cpScore)));
}
