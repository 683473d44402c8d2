// The keeper's metrics (docs/metrics.md, keeper section) and the Pyth price pusher's names. Event
// metrics are fed by the PriceKeeperEvents hooks; state metrics (prices, balance, ages) are read from
// the keeper's status when Prometheus scrapes.
import { type FeedDecision, type KeeperStatus, type PriceKeeperEvents, type SubmitResult, type TxErrorKind } from '@stableyield/chain';
import { LATENCY_BUCKETS_SECONDS } from '@stableyield/observability';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { formatEther, formatGwei } from 'viem';
import { type KeeperHealth } from './health';

export interface KeeperState {
  status(): KeeperStatus;
  health(): KeeperHealth;
  active(): boolean;
  /** True while Hermes updates arrive through the input topic. */
  inputFlowing(): boolean;
}

type Outcome = 'success' | 'failed' | 'replaced' | 'skipped';

export function pushOutcome(status: SubmitResult['status']): Outcome {
  switch (status) {
    case 'mined':
      return 'success';
    case 'reverted':
    case 'pending': // still unmined after every replacement: this push did not land
      return 'failed';
    case 'superseded':
      return 'replaced';
    case 'already-updated':
      return 'skipped';
  }
}

const scaled = (price: string, expo: number): number => Number(price) * 10 ** expo;

export function createKeeperMetrics(registry: Registry, state: KeeperState, labels: { network: string; balanceFloorEth: number }): PriceKeeperEvents {
  const registers = [registry];
  const priceUpdates = new Counter({ name: 'price_updates_total', help: 'Feeds updated on-chain (one per feed per mined transaction)', labelNames: ['feed'], registers });
  const transactions = new Counter({ name: 'keeper_transactions_total', help: 'Push attempts by outcome', labelNames: ['outcome'], registers });
  const pushErrors = new Counter({ name: 'keeper_push_errors_total', help: 'Failed pushes by error kind', labelNames: ['kind'], registers });
  const txLatency = new Histogram({ name: 'tx_latency_seconds', help: 'First broadcast to receipt of mined transactions', buckets: LATENCY_BUCKETS_SECONDS, registers });
  const changePct = new Gauge({ name: 'price_change_percent', help: 'Deviation between the Hermes and on-chain price, percent', labelNames: ['feed'], registers });
  const gasCost = new Gauge({ name: 'gas_cost_gwei', help: 'Effective gas price of the latest mined transaction, gwei', registers });
  const attempts = new Counter({
    name: 'pyth_price_update_attempts_total',
    help: 'Price update attempts per feed (price pusher name)',
    labelNames: ['alias', 'trigger', 'status'],
    registers,
  });
  const loops = new Counter({ name: 'pyth_pusher_loop_iterations_total', help: 'Decision runs (price pusher name)', registers });

  const feedGauge = (name: string, help: string, labelName: 'feed' | 'alias', value: (f: KeeperStatus['feeds'][number], nowS: number) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: [labelName],
      registers,
      collect() {
        const nowS = Math.floor(Date.now() / 1000);
        for (const f of state.status().feeds) {
          const v = value(f, nowS);
          if (v !== undefined) this.set({ [labelName]: f.alias }, v);
        }
      },
    });
  feedGauge('last_update_age_seconds', 'Now minus the on-chain publish time of each feed', 'feed', (f, nowS) => f.onchain && nowS - f.onchain.publishTime);
  feedGauge('keeper_onchain_price', 'On-chain price', 'feed', (f) => f.onchain && scaled(f.onchain.price, f.onchain.expo));
  feedGauge('keeper_hermes_price', 'Latest Hermes price', 'feed', (f) => f.source && scaled(f.source.price, f.source.expo));
  feedGauge('pyth_target_price', 'On-chain price (price pusher name)', 'alias', (f) => f.onchain && scaled(f.onchain.price, f.onchain.expo));
  feedGauge('pyth_source_price', 'Hermes price (price pusher name)', 'alias', (f) => f.source && scaled(f.source.price, f.source.expo));
  feedGauge('pyth_price_last_published_time', 'On-chain publish time, unix seconds (price pusher name)', 'alias', (f) => f.onchain?.publishTime);

  const balanceEth = (): number | undefined => {
    const wei = state.status().walletBalanceWei;
    return wei === undefined ? undefined : Number(formatEther(BigInt(wei)));
  };
  new Gauge({
    name: 'keeper_wallet_balance_eth',
    help: 'Balance of the keeper wallet, ETH',
    registers,
    collect() {
      const v = balanceEth();
      if (v !== undefined) this.set(v);
    },
  });
  new Gauge({
    name: 'pyth_wallet_balance',
    help: 'Balance of the keeper wallet, ETH (price pusher name)',
    labelNames: ['wallet_address', 'network'],
    registers,
    collect() {
      const v = balanceEth();
      if (v !== undefined) this.set({ wallet_address: state.status().account, network: labels.network }, v);
    },
  });
  new Gauge({ name: 'keeper_wallet_balance_floor_eth', help: 'Configured balance floor (WALLET_BALANCE_FLOOR_ETH)', registers }).set(labels.balanceFloorEth);
  new Gauge({
    name: 'keeper_is_active',
    help: '1 on the replica that owns the input partition',
    registers,
    collect() {
      this.set(state.active() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'sse_connection_status',
    help: '1 while Hermes updates arrive through the input topic',
    registers,
    collect() {
      this.set(state.inputFlowing() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'keeper_health_reason',
    help: '1 while /health reports this reason (stale-oracle, no-input, rpc-down, balance-low)',
    labelNames: ['reason'],
    registers,
    collect() {
      const reasons = new Set(state.health().reasons);
      for (const reason of ['stale-oracle', 'no-input', 'rpc-down', 'balance-low'] as const) this.set({ reason }, reasons.has(reason) ? 1 : 0);
    },
  });

  const countAttempts = (pushed: FeedDecision[], status: 'success' | 'error' | 'skipped'): void => {
    for (const d of pushed) attempts.inc({ alias: d.alias, trigger: d.condition, status });
  };

  return {
    onDecision(decisions) {
      loops.inc();
      for (const d of decisions) if (d.deviationPct !== undefined) changePct.set({ feed: d.alias }, d.deviationPct);
    },
    onPush(result, pushed) {
      transactions.inc({ outcome: pushOutcome(result.status) });
      if (result.status === 'mined') {
        for (const d of pushed) priceUpdates.inc({ feed: d.alias });
        txLatency.observe(result.latencyMs / 1000);
        gasCost.set(Number(formatGwei(result.receipt.effectiveGasPrice)));
      }
      countAttempts(pushed, result.status === 'mined' ? 'success' : result.status === 'already-updated' ? 'skipped' : 'error');
    },
    onPushError(kind: TxErrorKind, _err, pushed) {
      transactions.inc({ outcome: 'failed' });
      pushErrors.inc({ kind });
      countAttempts(pushed, 'error');
    },
  };
}
