// /health for the keeper: healthy, or the reasons it is not, each one actionable by an operator.
// Ages of on-chain prices are measured on the chain's clock (status.chainTimeS); silences and the
// in-flight age on the host's (both are host-measured intervals, immune to the host's offset).
import { type KeeperStatus } from './price-keeper';

export interface HealthThresholds {
  /** Oracle stale: a feed's on-chain price older than this (MAX_STALENESS plus a grace). */
  maxOnchainAgeS: number;
  /** No input: no newer Hermes price for this long. */
  maxInputSilenceMs: number;
  /** RPC down: no successful on-chain read for this long. */
  maxRefreshSilenceMs: number;
  /** Balance low below this. */
  minBalanceWei: bigint;
  /** Transaction stuck: one in flight for longer than this. */
  maxInFlightMs: number;
  /** Push failures: this many pushes in a row failed or were left pending. */
  maxConsecutiveFailures: number;
}

export const HEALTH_REASONS = [
  'stale-oracle',
  'no-input',
  'rpc-down',
  'balance-low',
  'tx-stuck',
  'push-failures',
] as const;
export type HealthReason = (typeof HEALTH_REASONS)[number];

export interface KeeperHealthReport {
  healthy: boolean;
  reasons: HealthReason[];
  /** With stale-oracle: the aliases of the stale (or never pushed) feeds. */
  staleFeeds: string[];
}

export function keeperHealth(status: KeeperStatus, t: HealthThresholds, nowMs: number): KeeperHealthReport {
  const reasons: HealthReason[] = [];
  const staleFeeds = status.feeds
    .filter((f) => !f.onchain || status.chainTimeS - f.onchain.publishTime > t.maxOnchainAgeS)
    .map((f) => f.alias);
  if (staleFeeds.length > 0) reasons.push('stale-oracle');
  if (status.lastSourceAtMs === undefined || nowMs - status.lastSourceAtMs > t.maxInputSilenceMs)
    reasons.push('no-input');
  if (status.lastOnchainRefreshAtMs === undefined || nowMs - status.lastOnchainRefreshAtMs > t.maxRefreshSilenceMs)
    reasons.push('rpc-down');
  if (status.walletBalanceWei !== undefined && BigInt(status.walletBalanceWei) < t.minBalanceWei)
    reasons.push('balance-low');
  if (status.inFlight && nowMs - status.inFlight.sinceMs > t.maxInFlightMs) reasons.push('tx-stuck');
  if (status.consecutiveFailures >= t.maxConsecutiveFailures) reasons.push('push-failures');
  return { healthy: reasons.length === 0, reasons, staleFeeds };
}
