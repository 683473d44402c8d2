// The keeper's metrics (docs/metrics.md, keeper section) and the Pyth price pusher's names. Event
// metrics are fed by the PriceKeeperEvents hooks; state metrics (prices, balance, ages) are read from
// the keeper's status when Prometheus scrapes.
import {
  formatEther,
  formatGwei,
  HEALTH_REASONS,
  type FeedDecision,
  type KeeperStatus,
  type PriceKeeperEvents,
  type SubmitResult,
  type TxErrorKind,
} from '@stableyield/chain';
import { metricsOf, type Registry } from '@stableyield/observability';
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
    case 'landed': // mined, only its receipt was unavailable
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
type Feed = KeeperStatus['feeds'][number];
const onchainPrice = (f: Feed): number | undefined => f.onchain && scaled(f.onchain.price, f.onchain.expo);
const sourcePrice = (f: Feed): number | undefined => f.source && scaled(f.source.price, f.source.expo);

export function createKeeperMetrics(
  registry: Registry,
  state: KeeperState,
  labels: { network: string; balanceFloorEth: number },
): PriceKeeperEvents {
  const { counter, gauge, histogram } = metricsOf(registry);
  const priceUpdates = counter('price_updates_total', 'Feeds updated on-chain (one per feed per mined transaction)', [
    'feed',
  ]);
  const transactions = counter('keeper_transactions_total', 'Push attempts by outcome', ['outcome']);
  const pushErrors = counter('keeper_push_errors_total', 'Failed pushes by error kind', ['kind']);
  const txLatency = histogram('tx_latency_seconds', 'First broadcast to receipt of mined transactions');
  const changePct = gauge('price_change_percent', 'Deviation between the Hermes and on-chain price, percent', ['feed']);
  const gasCost = gauge('gas_cost_gwei', 'Effective gas price of the latest mined transaction, gwei');
  const attempts = counter('pyth_price_update_attempts_total', 'Price update attempts per feed (price pusher name)', [
    'alias',
    'trigger',
    'status',
  ]);
  const loops = counter('pyth_pusher_loop_iterations_total', 'Decision runs (price pusher name)');
  const replacements = counter(
    'keeper_replacements_total',
    'Re-sends of stuck transactions (fee bumps, lost or gap re-sends)',
  );
  const refreshFailures = counter(
    'keeper_onchain_refresh_failures_total',
    'On-chain refreshes that failed after their retries',
  );
  const sourcesDropped = counter(
    'keeper_source_dropped_total',
    'Hermes prices dropped for being older than MAX_SOURCE_AGE_S',
    ['feed'],
  );

  const feedGauge = (
    name: string,
    help: string,
    labelName: 'feed' | 'alias',
    value: (f: Feed, nowS: number) => number | undefined,
  ) =>
    gauge(name, help, [labelName], function () {
      const status = state.status();
      const nowS = status.chainTimeS; // ages on the chain's clock, as consumers see them
      for (const f of status.feeds) {
        const v = value(f, nowS);
        if (v !== undefined) this.set({ [labelName]: f.alias }, v);
      }
    });
  feedGauge(
    'last_update_age_seconds',
    'Chain time minus the on-chain publish time of each feed',
    'feed',
    (f, nowS) => f.onchain && nowS - f.onchain.publishTime,
  );
  feedGauge(
    'keeper_source_age_seconds',
    'Chain time minus the publish time of the newest Hermes price of each feed',
    'feed',
    (f, nowS) => f.source && nowS - f.source.publishTime,
  );
  feedGauge('keeper_onchain_price', 'On-chain price', 'feed', onchainPrice);
  feedGauge('keeper_hermes_price', 'Latest Hermes price', 'feed', sourcePrice);
  feedGauge('pyth_target_price', 'On-chain price (price pusher name)', 'alias', onchainPrice);
  feedGauge('pyth_source_price', 'Hermes price (price pusher name)', 'alias', sourcePrice);
  feedGauge(
    'pyth_price_last_published_time',
    'On-chain publish time, unix seconds (price pusher name)',
    'alias',
    (f) => f.onchain?.publishTime,
  );

  const balanceEth = (): number | undefined => {
    const wei = state.status().walletBalanceWei;
    return wei === undefined ? undefined : Number(formatEther(BigInt(wei)));
  };
  gauge('keeper_wallet_balance_eth', 'Balance of the keeper wallet, ETH', [], function () {
    const v = balanceEth();
    if (v !== undefined) this.set(v);
  });
  gauge(
    'pyth_wallet_balance',
    'Balance of the keeper wallet, ETH (price pusher name)',
    ['wallet_address', 'network'],
    function () {
      const v = balanceEth();
      if (v !== undefined) this.set({ wallet_address: state.status().account, network: labels.network }, v);
    },
  );
  gauge('keeper_wallet_balance_floor_eth', 'Configured balance floor (WALLET_BALANCE_FLOOR_ETH)').set(
    labels.balanceFloorEth,
  );
  gauge('keeper_is_active', '1 on the replica that owns the input partition', [], function () {
    this.set(state.active() ? 1 : 0);
  });
  gauge('sse_connection_status', '1 while Hermes updates arrive through the input topic', [], function () {
    this.set(state.inputFlowing() ? 1 : 0);
  });
  gauge(
    'keeper_health_reason',
    `1 while /health reports this reason (${HEALTH_REASONS.join(', ')})`,
    ['reason'],
    function () {
      const reasons = new Set(state.health().reasons);
      for (const reason of HEALTH_REASONS) this.set({ reason }, reasons.has(reason) ? 1 : 0);
    },
  );
  gauge('keeper_feed_stale', '1 for each feed behind /health stale-oracle', ['feed'], function () {
    const stale = new Set(state.health().staleFeeds);
    for (const f of state.status().feeds) this.set({ feed: f.alias }, stale.has(f.alias) ? 1 : 0);
  });
  gauge(
    'keeper_in_flight_age_seconds',
    'How long the transaction in flight has waited since its first broadcast (0: none)',
    [],
    function () {
      const inFlight = state.status().inFlight;
      this.set(inFlight ? Math.max(0, (Date.now() - inFlight.sinceMs) / 1000) : 0);
    },
  );
  gauge(
    'keeper_current_bid_gwei',
    'maxFeePerGas (gas price in legacy mode) of the transaction in flight, gwei (0: none)',
    [],
    function () {
      const inFlight = state.status().inFlight;
      this.set(inFlight ? Number(formatGwei(BigInt(inFlight.maxFeePerGasWei))) : 0);
    },
  );
  gauge('keeper_consecutive_push_failures', 'Pushes in a row that failed or were left pending', [], function () {
    this.set(state.status().consecutiveFailures);
  });
  gauge(
    'keeper_chain_clock_offset_seconds',
    'Chain time minus host time (a skewed host clock shows here; the keeper uses the chain time)',
    [],
    function () {
      const offset = state.status().chainClockOffsetS;
      if (offset !== undefined) this.set(offset);
    },
  );

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
      const landed = result.status === 'mined' || result.status === 'landed';
      if (landed) {
        for (const d of pushed) priceUpdates.inc({ feed: d.alias });
        txLatency.observe(result.latencyMs / 1000);
      }
      if (result.status === 'mined') gasCost.set(Number(formatGwei(result.receipt.effectiveGasPrice)));
      if ('replacements' in result) replacements.inc(result.replacements);
      countAttempts(pushed, landed ? 'success' : result.status === 'already-updated' ? 'skipped' : 'error');
    },
    onRefreshError() {
      refreshFailures.inc();
    },
    onSourceDropped(alias) {
      sourcesDropped.inc({ feed: alias });
    },
    onPushError(kind: TxErrorKind, _err, pushed) {
      transactions.inc({ outcome: 'failed' });
      pushErrors.inc({ kind });
      countAttempts(pushed, 'error');
    },
  };
}
