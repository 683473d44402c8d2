// /health for the keeper: keeperHealth's reasons, plus two rules of the app. A failed push for lack of
// funds means "balance low" even when the balance is above the configured floor (the floor was too
// low for the current gas price). A standby gets no input by design, so it answers only for what it
// owns (RPC, wallet).
import { keeperHealth, type HealthReason, type HealthThresholds, type KeeperStatus } from '@stableyield/chain';

export interface KeeperHealth {
  healthy: boolean;
  role: 'active' | 'standby';
  reasons: HealthReason[];
}

export function appHealth(status: KeeperStatus, active: boolean, t: HealthThresholds, nowMs: number): KeeperHealth {
  const reasons = new Set(keeperHealth(status, t, nowMs).reasons);
  const err = status.lastError;
  if (err?.kind === 'insufficient-funds' && (status.lastPush === undefined || status.lastPush.atMs < err.atMs)) reasons.add('balance-low');
  if (!active) {
    reasons.delete('stale-oracle');
    reasons.delete('no-input');
  }
  const ordered = (['stale-oracle', 'no-input', 'rpc-down', 'balance-low'] as const).filter((r) => reasons.has(r));
  return { healthy: ordered.length === 0, role: active ? 'active' : 'standby', reasons: ordered };
}
