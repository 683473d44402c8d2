// When the keeper publishes the SYI on-chain (docs/keeper.md, "The SYI feed"), as Chainlink feeds
// decide: a deviation of at least SYI_DEVIATION_BPS from the value on-chain, or the on-chain value
// reaching SYI_HEARTBEAT_S of age; never more often than SYI_MIN_INTERVAL_S of index time, and never
// a record whose T is not newer than the chain's (a restart or failover cannot roll the feed back).
// Pure: every input is passed in; deviation is computed on the integer answers, exactly.
import { type OnchainSyi, type SyiRound } from '../syi-feed';

export interface SyiTriggers {
  /** Publish when |new − on-chain| / |on-chain| ≥ this, in basis points (default 1). */
  deviationBps: number;
  /** Publish when the on-chain value is this old (chain time − updatedAt), seconds (default 3600). */
  heartbeatS: number;
  /** Never publish a T less than this after the on-chain T, seconds. */
  minIntervalS: number;
}

export const defaultSyiTriggers: SyiTriggers = { deviationBps: 1, heartbeatS: 3600, minIntervalS: 0 };

export type SyiPublishReason = 'first' | 'deviation' | 'heartbeat';
/** chain-unknown: the feed has not been read yet (a publish waits for the chain's T). */
export type SyiHoldReason = 'no-record' | 'chain-unknown' | 'not-newer' | 'min-interval' | 'within-band';

export interface SyiDecision {
  publish: boolean;
  reason: SyiPublishReason | SyiHoldReason;
  /** |latest − on-chain| / |on-chain| in basis points (absent without both). */
  deviationBps?: number;
  /** Chain time − on-chain updatedAt, seconds (absent before the first round). */
  onchainAgeS?: number;
}

const PRECISION = 1_000_000n; // millionths of a basis point

/** Deviation in bps as a number (for metrics and /status); Infinity from an on-chain 0. */
export function deviationBpsOf(latest: bigint, onchain: bigint): number {
  const diff = latest > onchain ? latest - onchain : onchain - latest;
  if (onchain === 0n) return diff === 0n ? 0 : Infinity;
  const abs = onchain < 0n ? -onchain : onchain;
  return Number((diff * 10_000n * PRECISION) / abs) / Number(PRECISION);
}

/** True when the deviation reaches the threshold, decided on integers (no rounding at the edge). */
function reaches(latest: bigint, onchain: bigint, thresholdBps: number): boolean {
  const diff = latest > onchain ? latest - onchain : onchain - latest;
  const abs = onchain < 0n ? -onchain : onchain;
  return diff * 10_000n * PRECISION >= BigInt(Math.round(thresholdBps * Number(PRECISION))) * abs;
}

export function decideSyi(
  latest: SyiRound | undefined,
  onchain: OnchainSyi | undefined,
  chainNowS: number,
  t: SyiTriggers,
): SyiDecision {
  const onchainAgeS = onchain ? Math.max(0, chainNowS - Number(onchain.updatedAt)) : undefined;
  const age = onchainAgeS !== undefined ? { onchainAgeS } : {};
  if (!latest) return { publish: false, reason: 'no-record', ...age };
  if (!onchain) return { publish: true, reason: 'first' };
  const deviationBps = deviationBpsOf(latest.answer, onchain.answer);
  const base = { deviationBps, ...age };
  if (latest.updatedAt <= onchain.updatedAt) return { publish: false, reason: 'not-newer', ...base };
  if (Number(latest.updatedAt - onchain.updatedAt) < t.minIntervalS)
    return { publish: false, reason: 'min-interval', ...base };
  if (reaches(latest.answer, onchain.answer, t.deviationBps)) return { publish: true, reason: 'deviation', ...base };
  if (onchainAgeS !== undefined && onchainAgeS >= t.heartbeatS) return { publish: true, reason: 'heartbeat', ...base };
  return { publish: false, reason: 'within-band', ...base };
}
