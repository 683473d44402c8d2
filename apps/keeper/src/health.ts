// /health for the keeper: keeperHealth's reasons, plus two rules of the app. A failed push for lack of
// funds means "balance low" even when the balance is above the configured floor (the floor was too
// low for the current gas price). A standby gets no input by design, so it answers only for what it
// owns (RPC, wallet, a transaction it may still have in flight, its push record).
import {
  HEALTH_REASONS,
  keeperHealth,
  type HealthReason,
  type HealthThresholds,
  type KeeperStatus,
} from '@stableyield/chain';

export interface KeeperHealth {
  healthy: boolean;
  role: 'active' | 'standby';
  reasons: HealthReason[];
  /** The feeds behind `stale-oracle`, by alias. */
  staleFeeds: string[];
}

export function appHealth(status: KeeperStatus, active: boolean, t: HealthThresholds, nowMs: number): KeeperHealth {
  const report = keeperHealth(status, t, nowMs);
  const reasons = new Set(report.reasons);
  const err = status.lastError;
  if (err?.kind === 'insufficient-funds' && (status.lastPush === undefined || status.lastPush.atMs < err.atMs))
    reasons.add('balance-low');
  if (!active) {
    reasons.delete('stale-oracle');
    reasons.delete('no-input');
  }
  const ordered = HEALTH_REASONS.filter((r) => reasons.has(r));
  return {
    healthy: ordered.length === 0,
    role: active ? 'active' : 'standby',
    reasons: ordered,
    staleFeeds: reasons.has('stale-oracle') ? report.staleFeeds : [],
  };
}
