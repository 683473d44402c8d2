// Which feeds to push, and why. Pure: compares the latest source (Hermes) price of each feed with
// its on-chain price. All price math is integer (bigint); a percent threshold such as 0.01 becomes
// the exact ratio 1/100 of a percent, so no float ever decides whether a transaction is sent.
import { type FeedId, type PriceInfo } from '../price-feed';
import { type FeedConfig, type Thresholds } from './price-config';

/** yes: must move now; early: close to a threshold, rides along in a batch; no: leave it. */
export type PushCondition = 'yes' | 'early' | 'no';

export type PushReason =
  | 'forced' // operator asked (SIGUSR1)
  | 'not-on-chain' // never pushed
  | 'max-staleness' // on-chain price older than MAX_STALENESS
  | 'heartbeat' // source newer than on-chain by time_difference
  | 'price-deviation'
  | 'confidence-ratio';

export type HoldReason = 'no-source' | 'not-newer' | 'within-thresholds';

export interface FeedDecision {
  id: FeedId;
  alias: string;
  condition: PushCondition;
  reasons: PushReason[];
  hold?: HoldReason;
  /** |source − on-chain| / on-chain in percent, for metrics and logs (not for deciding). */
  deviationPct?: number;
  /** now − on-chain publish time, seconds. */
  onchainAgeS?: number;
}

export interface DecisionSettings {
  /** Push any feed whose on-chain price is at least this old (seconds, on the chain's clock). */
  maxStalenessS: number;
  /**
   * A max-staleness push must also move the feed's publish time forward by at least this much
   * (seconds). Without it, input that lags more than maxStalenessS (Kafka or Hermes behind) makes
   * every new slot "stale" and every slot a transaction. Absent: 0.
   */
  stalenessMinGainS?: number;
  /** Add the feeds that are close to a threshold to a batch another feed triggered. */
  includeEarly: boolean;
  /**
   * For feeds without an `early_update` block: "close" means having reached this fraction of a
   * main threshold (0.5 = half way). 0 disables early updates for such feeds.
   */
  earlyFraction: number;
}

/** An exact non-negative decimal as num/den, from its shortest decimal representation. */
export function decimalToRatio(x: number): { num: bigint; den: bigint } {
  if (!Number.isFinite(x) || x < 0) throw new Error(`not a non-negative finite number: ${x}`);
  const [mantissa = '0', exponent = '0'] = String(x).toLowerCase().split('e');
  const [intPart = '0', frac = ''] = mantissa.split('.');
  let num = BigInt(intPart + frac);
  let scale = frac.length - Number(exponent);
  if (scale < 0) {
    num *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { num, den: 10n ** BigInt(scale) };
}

const abs = (v: bigint): bigint => (v < 0n ? -v : v);

/** Both prices in the same exponent (the smaller one), so they compare as integers. */
function aligned(a: PriceInfo, b: PriceInfo): [PriceInfo, PriceInfo] {
  const expo = Math.min(a.expo, b.expo);
  const scale = (p: PriceInfo): PriceInfo => {
    const f = 10n ** BigInt(p.expo - expo);
    return { ...p, price: p.price * f, conf: p.conf * f, expo };
  };
  return [scale(a), scale(b)];
}

/** |src − tgt| / |tgt| × 100 ≥ pct, exactly. A zero on-chain price deviates from anything else. */
export function deviationReaches(src: PriceInfo, tgt: PriceInfo, pct: number): boolean {
  const [s, t] = aligned(src, tgt);
  const { num, den } = decimalToRatio(pct);
  if (t.price === 0n) return s.price !== 0n;
  return abs(s.price - t.price) * 100n * den >= num * abs(t.price);
}

/** conf / |price| × 100 ≥ pct, exactly. A zero price has an unbounded ratio. */
export function confidenceReaches(src: PriceInfo, pct: number): boolean {
  const { num, den } = decimalToRatio(pct);
  if (src.price === 0n) return true;
  return src.conf * 100n * den >= num * abs(src.price);
}

/** For display only: the deviation in percent with 6 decimals. */
export function deviationPercent(src: PriceInfo, tgt: PriceInfo): number {
  const [s, t] = aligned(src, tgt);
  if (t.price === 0n) return s.price === 0n ? 0 : Number.POSITIVE_INFINITY;
  return Number((abs(s.price - t.price) * 100_000_000n) / abs(t.price)) / 1_000_000;
}

/** Which of the thresholds are met; an undefined threshold never matches. */
function thresholdReasons(src: PriceInfo, tgt: PriceInfo, t: Partial<Thresholds>): PushReason[] {
  const reasons: PushReason[] = [];
  if (t.timeDifferenceS !== undefined && src.publishTime - tgt.publishTime >= t.timeDifferenceS)
    reasons.push('heartbeat');
  if (t.priceDeviationPct !== undefined && deviationReaches(src, tgt, t.priceDeviationPct))
    reasons.push('price-deviation');
  if (t.confidenceRatioPct !== undefined && confidenceReaches(src, t.confidenceRatioPct))
    reasons.push('confidence-ratio');
  return reasons;
}

function earlyThresholds(feed: FeedConfig, fraction: number): Partial<Thresholds> {
  if (feed.earlyUpdate) return feed.earlyUpdate;
  if (fraction <= 0) return {};
  return {
    timeDifferenceS: feed.timeDifferenceS * fraction,
    priceDeviationPct: feed.priceDeviationPct * fraction,
    confidenceRatioPct: feed.confidenceRatioPct * fraction,
  };
}

export function decideFeed(
  feed: FeedConfig,
  source: PriceInfo | undefined,
  onchain: PriceInfo | undefined,
  nowS: number,
  settings: DecisionSettings,
  forced = false,
): FeedDecision {
  const base = { id: feed.id, alias: feed.alias };
  if (!source) return { ...base, condition: 'no', reasons: [], hold: 'no-source' };
  if (!onchain) return { ...base, condition: 'yes', reasons: forced ? ['forced', 'not-on-chain'] : ['not-on-chain'] };
  const measured = { deviationPct: deviationPercent(source, onchain), onchainAgeS: nowS - onchain.publishTime };
  // Nothing newer to prove: updatePriceFeedsIfNecessary would revert NoFreshUpdate.
  if (source.publishTime <= onchain.publishTime)
    return { ...base, ...measured, condition: 'no', reasons: [], hold: 'not-newer' };

  const reasons = thresholdReasons(source, onchain, feed);
  const gainS = source.publishTime - onchain.publishTime;
  if (measured.onchainAgeS >= settings.maxStalenessS && gainS >= (settings.stalenessMinGainS ?? 0))
    reasons.unshift('max-staleness');
  if (forced) reasons.unshift('forced');
  if (reasons.length > 0) return { ...base, ...measured, condition: 'yes', reasons };

  const early = thresholdReasons(source, onchain, earlyThresholds(feed, settings.earlyFraction));
  if (early.length > 0) return { ...base, ...measured, condition: 'early', reasons: early };
  return { ...base, ...measured, condition: 'no', reasons: [], hold: 'within-thresholds' };
}

export interface PushPlan {
  /** The feeds to send in one transaction; empty when no feed is `yes`. */
  push: FeedDecision[];
  decisions: FeedDecision[];
}

/** One transaction: every `yes` feed, plus the `early` ones when enabled, but only if one is `yes`. */
export function planPush(
  feeds: readonly FeedConfig[],
  sources: ReadonlyMap<FeedId, PriceInfo>,
  onchain: ReadonlyMap<FeedId, PriceInfo | undefined>,
  nowS: number,
  settings: DecisionSettings,
  forceAll = false,
): PushPlan {
  const decisions = feeds.map((f) => decideFeed(f, sources.get(f.id), onchain.get(f.id), nowS, settings, forceAll));
  const anyYes = decisions.some((d) => d.condition === 'yes');
  const push = anyYes
    ? decisions.filter((d) => d.condition === 'yes' || (settings.includeEarly && d.condition === 'early'))
    : [];
  return { push, decisions };
}
