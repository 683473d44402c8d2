// The keeper's loop without its I/O wiring: the app feeds it Hermes updates (from pyth.updates) and
// exposes its status; this class keeps the latest source price and payload per feed, refreshes the
// on-chain prices (on every push and on a timer), decides, batches within DEBOUNCE_MS and submits.
// One run at a time; errors are classified and reported, never thrown out of the loop.
// Time is the chain's (ChainClock: from the block timestamps it reads), not the host's. Only an active
// keeper (the replica that owns the input) ingests and pushes; a demoted one forgets its prices.
import { errorSummary } from '@stableyield/observability';
import { type PythUpdate } from '@stableyield/schemas';
import { type Address, type PublicClient } from 'viem';
import { mergeUpdateData, sourcePricesOf, type FeedId, type PriceInfo, type SourcePrice } from '../price-feed';
import { hasMulticall3, MULTICALL3_ADDRESS, readOnchainPrices, readOnchainPricesMulticall } from '../pyth-contract';
import { ChainTxError, classifyTxError, withRetry, type TxErrorKind } from '../tx/errors';
import { type SubmitResult, type TxSubmitter, type UpdateBatch } from '../tx/submitter';
import { BatchScheduler, RefreshTimer, systemClock, type Clock } from './batch-scheduler';
import { ChainClock } from './chain-clock';
import { decideFeed, planPush, type DecisionSettings, type FeedDecision } from './decision';
import { type FeedConfig } from './price-config';

export interface PriceKeeperOptions {
  feeds: FeedConfig[];
  decision: DecisionSettings;
  debounceMs: number;
  /** Re-read on-chain prices (and the wallet balance) this often, besides after every push. */
  onchainRefreshMs: number;
  /**
   * Hermes prices older than this on the chain's clock (seconds) are dropped at ingestion, as the
   * price pusher does (60 s there): pushing them cannot make the oracle fresh. Absent: no bound.
   */
  maxSourceAgeS?: number;
  /** Attempts per on-chain refresh on transient RPC errors (exponential backoff). Default 3. */
  refreshAttempts?: number;
  /** 'auto' (default): read every feed in one eth_call when the chain has Multicall3. */
  multicall?: 'auto' | 'off';
  /** False for a replica that must wait to be assigned the input before it pushes. Default true. */
  startActive?: boolean;
}

/** Hooks for metrics and logs; all optional. */
export interface PriceKeeperEvents {
  onDecision?(decisions: FeedDecision[]): void;
  onPush?(result: SubmitResult, pushed: FeedDecision[]): void;
  onPushError?(kind: TxErrorKind, err: unknown, pushed: FeedDecision[]): void;
  onRefreshError?(err: unknown): void;
  /** A Hermes price older than maxSourceAgeS was dropped. */
  onSourceDropped?(alias: string, ageS: number): void;
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
  /** Hermes prices of this feed dropped for being older than maxSourceAgeS. */
  sourcesDropped?: number;
}

export interface KeeperStatus {
  account: Address;
  /** False on a replica that does not own the input (it neither ingests nor pushes). */
  active: boolean;
  /** The chain's clock now (unix seconds): every age below is measured on it. */
  chainTimeS: number;
  /** Chain time minus host time, once a block has been seen: a skewed host shows here. */
  chainClockOffsetS?: number;
  feeds: FeedStatus[];
  lastSourceAtMs?: number;
  lastOnchainRefreshAtMs?: number;
  lastOnchainRefreshError?: string;
  /** On-chain refreshes that failed after their retries. */
  onchainRefreshFailures: number;
  /** Whether refreshes read every feed in one Multicall3 call. */
  multicall: boolean;
  walletBalanceWei?: string;
  lastPush?: {
    atMs: number;
    status: SubmitResult['status'];
    hash?: string;
    nonce?: number;
    feeds: string[];
    latencyMs?: number;
  };
  lastError?: { atMs: number; kind: TxErrorKind; message: string };
  inFlight?: { nonce: number; hashes: string[]; sinceMs: number; maxFeePerGasWei: string };
  pushesTotal: number;
  /** Pushes in a row that failed or were left pending (reset by one that lands or is not needed). */
  consecutiveFailures: number;
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
  private readonly sourcesDropped = new Map<FeedId, number>();
  private readonly chainClock: ChainClock;
  private readonly refreshTimer: RefreshTimer;
  private active: boolean;
  private multicallAddress: Address | undefined;
  private state: Omit<KeeperStatus, 'account' | 'feeds' | 'inFlight' | 'active' | 'chainTimeS' | 'multicall'> = {
    pushesTotal: 0,
    consecutiveFailures: 0,
    onchainRefreshFailures: 0,
  };

  constructor(
    private readonly options: PriceKeeperOptions,
    private readonly deps: PriceKeeperDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.chainClock = new ChainClock(() => this.clock.now());
    this.active = options.startActive ?? true;
    this.feedIds = new Set(options.feeds.map((f) => f.id));
    this.refreshTimer = new RefreshTimer(this.clock, options.onchainRefreshMs, () => this.refreshOnchain());
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
    if ((this.options.multicall ?? 'auto') === 'auto') {
      const found = await hasMulticall3(this.deps.publicClient).catch(() => false);
      this.multicallAddress = found ? MULTICALL3_ADDRESS : undefined;
    }
    await this.refreshTimer.start();
  }

  /** Waits for the transaction in flight, if any (SIGTERM), then stops. */
  async stop(): Promise<void> {
    this.refreshTimer.stop();
    await this.scheduler.stop();
  }

  /**
   * A pyth.updates record (one Hermes event): keep the newest price and payload per configured feed.
   * Only a newer publish time counts as input (a replayed or duplicated record does not keep
   * /health's no-input quiet); a price older than maxSourceAgeS is dropped and counted.
   */
  ingest(update: PythUpdate): void {
    if (!this.active) return;
    const nowS = this.chainClock.nowS();
    let changed = false;
    for (const source of sourcePricesOf(update)) {
      if (!this.feedIds.has(source.id)) continue;
      const known = this.sources.get(source.id);
      if (known && known.info.publishTime >= source.info.publishTime) continue;
      const ageS = nowS - source.info.publishTime;
      if (this.options.maxSourceAgeS !== undefined && ageS > this.options.maxSourceAgeS) {
        this.sourcesDropped.set(source.id, (this.sourcesDropped.get(source.id) ?? 0) + 1);
        this.deps.events?.onSourceDropped?.(this.aliasOf(source.id), Math.round(ageS));
        continue;
      }
      this.sources.set(source.id, source);
      changed = true;
    }
    if (!changed) return;
    this.state.lastSourceAtMs = this.clock.now();
    if (this.evaluate(false).push.length > 0) this.scheduler.notify();
  }

  /**
   * Gains or loses the input (the Kafka partition). A demoted keeper forgets its prices and what it
   * had scheduled, and pushes nothing until it is active again (a run already sending finishes:
   * its transaction cannot be unsent). The on-chain refresh goes on for /health.
   */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active) return;
    this.scheduler.cancel();
    this.sources.clear();
    this.lastDecisions.clear();
    delete this.state.lastSourceAtMs;
  }

  isActive(): boolean {
    return this.active;
  }

  /** SIGUSR1: push every feed that has a newer source price, now. */
  forcePushAll(): void {
    if (this.active) this.scheduler.forceAll();
  }

  private aliasOf(id: FeedId): string {
    return this.options.feeds.find((f) => f.id === id)?.alias ?? id;
  }

  /**
   * Re-reads on-chain prices and the wallet balance, and schedules a push if one is due (the timer
   * is also the heartbeat/staleness clock: a quiet feed must still be pushed). Failures are
   * reported (RPC down), not thrown.
   */
  async refreshOnchain(): Promise<boolean> {
    const ok = await this.readChain();
    if (ok && this.active && this.evaluate(false).push.length > 0) this.scheduler.notify();
    return ok;
  }

  /** Prices (one multicall where possible), balance and the latest block (the chain clock), retried. */
  private async readChain(): Promise<boolean> {
    const { publicClient, contract } = this.deps;
    const ids = [...this.feedIds];
    const read = () =>
      Promise.all([
        this.multicallAddress
          ? readOnchainPricesMulticall(publicClient, contract, ids, this.multicallAddress)
          : readOnchainPrices(publicClient, contract, ids),
        publicClient.getBalance({ address: this.deps.submitter.account }),
        publicClient.getBlock({ blockTag: 'latest' }),
        // The node's "now" where it builds a pending block (anvil, geth); optional.
        publicClient.getBlock({ blockTag: 'pending' }).catch(() => undefined),
      ]);
    try {
      const [prices, balance, latest, pending] = await withRetry(read, { attempts: this.options.refreshAttempts ?? 3 });
      this.onchain = prices;
      this.chainClock.observe(Number(latest.timestamp));
      if (pending) this.chainClock.observe(Number(pending.timestamp));
      this.state.walletBalanceWei = balance.toString();
      this.state.lastOnchainRefreshAtMs = this.clock.now();
      delete this.state.lastOnchainRefreshError;
      return true;
    } catch (err) {
      this.state.onchainRefreshFailures++;
      this.state.lastOnchainRefreshError = errorSummary(err);
      this.deps.events?.onRefreshError?.(err);
      return false;
    }
  }

  private chainNowS(): number {
    return Math.floor(this.chainClock.nowS());
  }

  private evaluate(force: boolean): ReturnType<typeof planPush> {
    const infos = new Map([...this.sources].map(([id, s]) => [id, s.info]));
    const plan = planPush(this.options.feeds, infos, this.onchain, this.chainNowS(), this.options.decision, force);
    for (const d of plan.decisions) this.lastDecisions.set(d.id, d);
    return plan;
  }

  /**
   * One decision + at most one transaction. The scheduler calls it after the debounce window;
   * tests and operators may call it directly.
   */
  async runOnce(force = false): Promise<RunOutcome> {
    if (!this.active) return { pushed: false, decisions: [] };
    await this.readChain();
    const plan = this.evaluate(force);
    this.deps.events?.onDecision?.(plan.decisions);
    if (plan.push.length === 0) return { pushed: false, decisions: plan.decisions };

    const ids = plan.push.map((d) => d.id);
    const batch = this.batchOf(ids);
    const base = { pushed: true as const, decisions: plan.decisions, feeds: plan.push };
    if (!batch) return { pushed: false, decisions: plan.decisions };
    try {
      // A re-send of a stuck transaction takes the newest prices of the same feeds.
      const result = await this.deps.submitter.submit(batch, { latestBatch: () => this.batchOf(ids) });
      this.state.pushesTotal++;
      this.state.consecutiveFailures =
        result.status === 'pending' || result.status === 'reverted' ? this.state.consecutiveFailures + 1 : 0;
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
      this.state.consecutiveFailures++;
      this.deps.events?.onPushError?.(kind, err, plan.push);
      return { ...base, error: kind };
    }
  }

  /** The update for these feeds from the newest source prices; undefined if one has none (demoted). */
  private batchOf(ids: readonly FeedId[]): UpdateBatch | undefined {
    const sources = ids.map((id) => this.sources.get(id));
    if (sources.some((s) => s === undefined)) return undefined;
    const pushed = sources as SourcePrice[];
    return {
      updateData: mergeUpdateData(pushed),
      priceIds: pushed.map((s) => s.id),
      publishTimes: pushed.map((s) => BigInt(s.info.publishTime)),
    };
  }

  status(): KeeperStatus {
    const inFlight = this.deps.submitter.inFlight();
    const offset = this.chainClock.offsetS();
    return {
      account: this.deps.submitter.account,
      active: this.active,
      chainTimeS: this.chainNowS(),
      ...(offset !== undefined ? { chainClockOffsetS: offset } : {}),
      multicall: this.multicallAddress !== undefined,
      feeds: this.options.feeds.map((f) => {
        const dropped = this.sourcesDropped.get(f.id);
        const d = this.lastDecisions.get(f.id);
        const source = show(this.sources.get(f.id)?.info);
        const onchain = show(this.onchain.get(f.id));
        return {
          alias: f.alias,
          id: f.id,
          ...(source ? { source } : {}),
          ...(onchain ? { onchain } : {}),
          ...(dropped ? { sourcesDropped: dropped } : {}),
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
      ...(inFlight
        ? {
            inFlight: {
              nonce: inFlight.nonce,
              hashes: inFlight.hashes,
              sinceMs: inFlight.firstSentAtMs,
              maxFeePerGasWei: inFlight.fees.maxFeePerGas.toString(),
            },
          }
        : {}),
    };
  }

  /** Current decision for one feed (for logs and tests), without side effects on the schedule. */
  decisionFor(id: FeedId): FeedDecision | undefined {
    const feed = this.options.feeds.find((f) => f.id === id);
    if (!feed) return undefined;
    return decideFeed(feed, this.sources.get(id)?.info, this.onchain.get(id), this.chainNowS(), this.options.decision);
  }
}
