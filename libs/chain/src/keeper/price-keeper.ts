// The keeper's loop without its I/O wiring: the app feeds it Hermes updates (from pyth.updates) and
// exposes its status; this class keeps the latest source price and payload per feed, refreshes the
// on-chain prices (on every push and on a timer), decides, batches within DEBOUNCE_MS and submits.
// One run at a time; errors are classified and reported, never thrown out of the loop.
import { errorSummary } from '@stableyield/observability';
import { type Address, type PublicClient } from 'viem';
import {
  mergeUpdateData,
  sourcePricesFromHermes,
  type FeedId,
  type HermesPriceUpdate,
  type PriceInfo,
  type SourcePrice,
} from '../price-feed';
import { readOnchainPrices } from '../pyth-contract';
import { ChainTxError, classifyTxError, type TxErrorKind } from '../tx/errors';
import { type SubmitResult, type TxSubmitter } from '../tx/submitter';
import { BatchScheduler, systemClock, type Clock } from './batch-scheduler';
import { decideFeed, planPush, type DecisionSettings, type FeedDecision } from './decision';
import { type FeedConfig } from './price-config';

export interface PriceKeeperOptions {
  feeds: FeedConfig[];
  decision: DecisionSettings;
  debounceMs: number;
  /** Re-read on-chain prices (and the wallet balance) this often, besides after every push. */
  onchainRefreshMs: number;
}

/** Hooks for metrics and logs; all optional. */
export interface PriceKeeperEvents {
  onDecision?(decisions: FeedDecision[]): void;
  onPush?(result: SubmitResult, pushed: FeedDecision[]): void;
  onPushError?(kind: TxErrorKind, err: unknown, pushed: FeedDecision[]): void;
  onRefreshError?(err: unknown): void;
}

export interface PriceKeeperDeps {
  publicClient: PublicClient;
  contract: Address;
  submitter: TxSubmitter;
  events?: PriceKeeperEvents;
  clock?: Clock;
}

export type RunOutcome =
  | { pushed: false; decisions: FeedDecision[] }
  | { pushed: true; decisions: FeedDecision[]; feeds: FeedDecision[]; result?: SubmitResult; error?: TxErrorKind };

export interface FeedStatus {
  alias: string;
  id: FeedId;
  source?: { price: string; conf: string; expo: number; publishTime: number };
  onchain?: { price: string; conf: string; expo: number; publishTime: number };
  lastDecision?: Pick<FeedDecision, 'condition' | 'reasons' | 'hold' | 'deviationPct'>;
}

export interface KeeperStatus {
  account: Address;
  feeds: FeedStatus[];
  lastSourceAtMs?: number;
  lastOnchainRefreshAtMs?: number;
  lastOnchainRefreshError?: string;
  walletBalanceWei?: string;
  lastPush?: { atMs: number; status: SubmitResult['status']; hash?: string; nonce?: number; feeds: string[]; latencyMs?: number };
  lastError?: { atMs: number; kind: TxErrorKind; message: string };
  inFlight?: { nonce: number; hashes: string[]; sinceMs: number };
  pushesTotal: number;
}

const show = (p: PriceInfo | undefined): FeedStatus['source'] =>
  p && { price: p.price.toString(), conf: p.conf.toString(), expo: p.expo, publishTime: p.publishTime };

export class PriceKeeper {
  private readonly sources = new Map<FeedId, SourcePrice>();
  private onchain = new Map<FeedId, PriceInfo | undefined>();
  private readonly lastDecisions = new Map<FeedId, FeedDecision>();
  private readonly scheduler: BatchScheduler;
  private readonly clock: Clock;
  private readonly feedIds: Set<FeedId>;
  private refreshTimer: unknown;
  private state: Omit<KeeperStatus, 'account' | 'feeds' | 'inFlight'> = { pushesTotal: 0 };

  constructor(
    private readonly options: PriceKeeperOptions,
    private readonly deps: PriceKeeperDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.feedIds = new Set(options.feeds.map((f) => f.id));
    this.scheduler = new BatchScheduler(
      options.debounceMs,
      async ({ force }) => {
        await this.runOnce(force);
      },
      (err) => deps.events?.onPushError?.(classifyTxError(err), err, []),
      this.clock,
    );
  }

  /** Reads the chain once, then keeps it fresh on a timer. */
  async start(): Promise<void> {
    await this.refreshOnchain();
    const tick = (): void => {
      this.refreshTimer = this.clock.setTimeout(() => {
        void this.refreshOnchain().finally(tick);
      }, this.options.onchainRefreshMs);
    };
    tick();
  }

  /** Waits for the transaction in flight, if any (SIGTERM), then stops. */
  async stop(): Promise<void> {
    if (this.refreshTimer !== undefined) this.clock.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    await this.scheduler.stop();
  }

  /** A Hermes update (from pyth.updates): keep the newest price and payload per configured feed. */
  ingest(update: HermesPriceUpdate): void {
    this.state.lastSourceAtMs = this.clock.now();
    let changed = false;
    for (const source of sourcePricesFromHermes(update)) {
      if (!this.feedIds.has(source.id)) continue;
      const known = this.sources.get(source.id);
      if (known && known.info.publishTime >= source.info.publishTime) continue;
      this.sources.set(source.id, source);
      changed = true;
    }
    if (changed && this.evaluate(false).push.length > 0) this.scheduler.notify();
  }

  /** SIGUSR1: push every feed that has a newer source price, now. */
  forcePushAll(): void {
    this.scheduler.forceAll();
  }

  /**
   * Re-reads on-chain prices and the wallet balance, and schedules a push if one is due (the timer
   * is also the heartbeat/staleness clock: a quiet feed must still be pushed). Failures are
   * reported (RPC down), not thrown.
   */
  async refreshOnchain(): Promise<boolean> {
    const ok = await this.readChain();
    if (ok && this.evaluate(false).push.length > 0) this.scheduler.notify();
    return ok;
  }

  private async readChain(): Promise<boolean> {
    try {
      const [prices, balance] = await Promise.all([
        readOnchainPrices(this.deps.publicClient, this.deps.contract, [...this.feedIds]),
        this.deps.publicClient.getBalance({ address: this.deps.submitter.account }),
      ]);
      this.onchain = prices;
      this.state.walletBalanceWei = balance.toString();
      this.state.lastOnchainRefreshAtMs = this.clock.now();
      delete this.state.lastOnchainRefreshError;
      return true;
    } catch (err) {
      this.state.lastOnchainRefreshError = errorSummary(err);
      this.deps.events?.onRefreshError?.(err);
      return false;
    }
  }

  private evaluate(force: boolean): ReturnType<typeof planPush> {
    const infos = new Map([...this.sources].map(([id, s]) => [id, s.info]));
    const plan = planPush(this.options.feeds, infos, this.onchain, Math.floor(this.clock.now() / 1000), this.options.decision, force);
    for (const d of plan.decisions) this.lastDecisions.set(d.id, d);
    return plan;
  }

  /**
   * One decision + at most one transaction. The scheduler calls it after the debounce window;
   * tests and operators may call it directly.
   */
  async runOnce(force = false): Promise<RunOutcome> {
    await this.readChain();
    const plan = this.evaluate(force);
    this.deps.events?.onDecision?.(plan.decisions);
    if (plan.push.length === 0) return { pushed: false, decisions: plan.decisions };

    const pushed = plan.push.map((d) => this.sources.get(d.id)).filter((s): s is SourcePrice => s !== undefined);
    const batch = {
      updateData: mergeUpdateData(pushed),
      priceIds: pushed.map((s) => s.id),
      publishTimes: pushed.map((s) => BigInt(s.info.publishTime)),
    };
    const base = { pushed: true as const, decisions: plan.decisions, feeds: plan.push };
    try {
      const result = await this.deps.submitter.submit(batch);
      this.state.pushesTotal++;
      this.state.lastPush = {
        atMs: this.clock.now(),
        status: result.status,
        feeds: plan.push.map((d) => d.alias),
        ...('hash' in result ? { hash: result.hash, nonce: result.nonce } : {}),
        ...('latencyMs' in result ? { latencyMs: result.latencyMs } : {}),
      };
      this.deps.events?.onPush?.(result, plan.push);
      await this.readChain();
      return { ...base, result };
    } catch (err) {
      const kind = err instanceof ChainTxError ? err.kind : classifyTxError(err);
      this.state.lastError = { atMs: this.clock.now(), kind, message: errorSummary(err) };
      this.deps.events?.onPushError?.(kind, err, plan.push);
      return { ...base, error: kind };
    }
  }

  status(): KeeperStatus {
    const inFlight = this.deps.submitter.inFlight();
    return {
      account: this.deps.submitter.account,
      feeds: this.options.feeds.map((f) => {
        const d = this.lastDecisions.get(f.id);
        const source = show(this.sources.get(f.id)?.info);
        const onchain = show(this.onchain.get(f.id));
        return {
          alias: f.alias,
          id: f.id,
          ...(source ? { source } : {}),
          ...(onchain ? { onchain } : {}),
          ...(d
            ? {
                lastDecision: {
                  condition: d.condition,
                  reasons: d.reasons,
                  ...(d.hold ? { hold: d.hold } : {}),
                  ...(d.deviationPct !== undefined ? { deviationPct: d.deviationPct } : {}),
                },
              }
            : {}),
        };
      }),
      ...this.state,
      ...(inFlight ? { inFlight: { nonce: inFlight.nonce, hashes: inFlight.hashes, sinceMs: inFlight.firstSentAtMs } } : {}),
    };
  }

  /** Current decision for one feed (for logs and tests), without side effects on the schedule. */
  decisionFor(id: FeedId): FeedDecision | undefined {
    const feed = this.options.feeds.find((f) => f.id === id);
    if (!feed) return undefined;
    return decideFeed(feed, this.sources.get(id)?.info, this.onchain.get(id), Math.floor(this.clock.now() / 1000), this.options.decision);
  }
}

export interface HealthThresholds {
  /** Oracle stale: a feed's on-chain price older than this (MAX_STALENESS plus a grace). */
  maxOnchainAgeS: number;
  /** No input: no Hermes update for this long. */
  maxInputSilenceMs: number;
  /** RPC down: no successful on-chain read for this long. */
  maxRefreshSilenceMs: number;
  /** Balance low below this. */
  minBalanceWei: bigint;
}

export type HealthReason = 'stale-oracle' | 'no-input' | 'rpc-down' | 'balance-low';

/** /health: healthy, or the reasons it is not (each one actionable by an operator). */
export function keeperHealth(status: KeeperStatus, t: HealthThresholds, nowMs: number): { healthy: boolean; reasons: HealthReason[] } {
  const reasons: HealthReason[] = [];
  const nowS = Math.floor(nowMs / 1000);
  if (status.feeds.some((f) => !f.onchain || nowS - f.onchain.publishTime > t.maxOnchainAgeS)) reasons.push('stale-oracle');
  if (status.lastSourceAtMs === undefined || nowMs - status.lastSourceAtMs > t.maxInputSilenceMs) reasons.push('no-input');
  if (status.lastOnchainRefreshAtMs === undefined || nowMs - status.lastOnchainRefreshAtMs > t.maxRefreshSilenceMs) reasons.push('rpc-down');
  if (status.walletBalanceWei !== undefined && BigInt(status.walletBalanceWei) < t.minBalanceWei) reasons.push('balance-low');
  return { healthy: reasons.length === 0, reasons };
}
