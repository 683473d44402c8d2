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
import { Counter, Gauge, Histogram, LATENCY_BUCKETS_SECONDS, type Registry } from '@stableyield/observability';
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

export function createKeeperMetrics(
  registry: Registry,
  state: KeeperState,
  labels: { network: string; balanceFloorEth: number },
): PriceKeeperEvents {
  const registers = [registry];
  const priceUpdates = new Counter({
    name: 'price_updates_total',
    help: 'Feeds updated on-chain (one per feed per mined transaction)',
    labelNames: ['feed'],
    registers,
  });
  const transactions = new Counter({
    name: 'keeper_transactions_total',
    help: 'Push attempts by outcome',
    labelNames: ['outcome'],
    registers,
  });
  const pushErrors = new Counter({
    name: 'keeper_push_errors_total',
    help: 'Failed pushes by error kind',
    labelNames: ['kind'],
    registers,
  });
  const txLatency = new Histogram({
    name: 'tx_latency_seconds',
    help: 'First broadcast to receipt of mined transactions',
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const changePct = new Gauge({
    name: 'price_change_percent',
    help: 'Deviation between the Hermes and on-chain price, percent',
    labelNames: ['feed'],
    registers,
  });
  const gasCost = new Gauge({
    name: 'gas_cost_gwei',
    help: 'Effective gas price of the latest mined transaction, gwei',
    registers,
  });
  const attempts = new Counter({
    name: 'pyth_price_update_attempts_total',
    help: 'Price update attempts per feed (price pusher name)',
    labelNames: ['alias', 'trigger', 'status'],
    registers,
  });
  const loops = new Counter({
    name: 'pyth_pusher_loop_iterations_total',
    help: 'Decision runs (price pusher name)',
    registers,
  });
  const replacements = new Counter({
    name: 'keeper_replacements_total',
    help: 'Re-sends of stuck transactions (fee bumps, lost or gap re-sends)',
    registers,
  });
  const refreshFailures = new Counter({
    name: 'keeper_onchain_refresh_failures_total',
    help: 'On-chain refreshes that failed after their retries',
    registers,
  });
  const sourcesDropped = new Counter({
    name: 'keeper_source_dropped_total',
    help: 'Hermes prices dropped for being older than MAX_SOURCE_AGE_S',
    labelNames: ['feed'],
    registers,
  });

  const feedGauge = (
    name: string,
    help: string,
    labelName: 'feed' | 'alias',
    value: (f: KeeperStatus['feeds'][number], nowS: number) => number | undefined,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: [labelName],
      registers,
      collect() {
        const status = state.status();
        const nowS = status.chainTimeS; // ages on the chain's clock, as consumers see them
        for (const f of status.feeds) {
          const v = value(f, nowS);
          if (v !== undefined) this.set({ [labelName]: f.alias }, v);
        }
      },
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
  feedGauge(
    'keeper_onchain_price',
    'On-chain price',
    'feed',
    (f) => f.onchain && scaled(f.onchain.price, f.onchain.expo),
  );
  feedGauge(
    'keeper_hermes_price',
    'Latest Hermes price',
    'feed',
    (f) => f.source && scaled(f.source.price, f.source.expo),
  );
  feedGauge(
    'pyth_target_price',
    'On-chain price (price pusher name)',
    'alias',
    (f) => f.onchain && scaled(f.onchain.price, f.onchain.expo),
  );
  feedGauge(
    'pyth_source_price',
    'Hermes price (price pusher name)',
    'alias',
    (f) => f.source && scaled(f.source.price, f.source.expo),
  );
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
  new Gauge({
    name: 'keeper_wallet_balance_floor_eth',
    help: 'Configured balance floor (WALLET_BALANCE_FLOOR_ETH)',
    registers,
  }).set(labels.balanceFloorEth);
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
    help: `1 while /health reports this reason (${HEALTH_REASONS.join(', ')})`,
    labelNames: ['reason'],
    registers,
    collect() {
      const reasons = new Set(state.health().reasons);
      for (const reason of HEALTH_REASONS) this.set({ reason }, reasons.has(reason) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'keeper_feed_stale',
    help: '1 for each feed behind /health stale-oracle',
    labelNames: ['feed'],
    registers,
    collect() {
      const stale = new Set(state.health().staleFeeds);
      for (const f of state.status().feeds) this.set({ feed: f.alias }, stale.has(f.alias) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'keeper_in_flight_age_seconds',
    help: 'How long the transaction in flight has waited since its first broadcast (0: none)',
    registers,
    collect() {
      const inFlight = state.status().inFlight;
      this.set(inFlight ? Math.max(0, (Date.now() - inFlight.sinceMs) / 1000) : 0);
    },
  });
  new Gauge({
    name: 'keeper_current_bid_gwei',
    help: 'maxFeePerGas (gas price in legacy mode) of the transaction in flight, gwei (0: none)',
    registers,
    collect() {
      const inFlight = state.status().inFlight;
      this.set(inFlight ? Number(formatGwei(BigInt(inFlight.maxFeePerGasWei))) : 0);
    },
  });
  new Gauge({
    name: 'keeper_consecutive_push_failures',
    help: 'Pushes in a row that failed or were left pending',
    registers,
    collect() {
      this.set(state.status().consecutiveFailures);
    },
  });
  new Gauge({
    name: 'keeper_chain_clock_offset_seconds',
    help: 'Chain time minus host time (a skewed host clock shows here; the keeper uses the chain time)',
    registers,
    collect() {
      const offset = state.status().chainClockOffsetS;
      if (offset !== undefined) this.set(offset);
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
