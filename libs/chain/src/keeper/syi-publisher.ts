// The keeper's second duty (docs/keeper.md, "The SYI feed"): follows syi.calculated (the app feeds it
// records) and publishes the newest one to the SYI feed contract when a trigger fires (syi-decision.ts).
// It sends through the same TxSubmitter as the Pyth pushes (one account: one nonce manager, one fee
// policy, one stuck-transaction handling, one transaction at a time). Only an active keeper publishes;
// before every publish the chain's latest round is read again, and the contract itself refuses a T
// that is not newer (simulation: already-updated), so a restart or a failover never rolls it back.
import { errorSummary } from '@stableyield/observability';
import {
  encodeFunctionData,
  isAddressEqual,
  parseEventLogs,
  type Address,
  type PublicClient,
  type TransactionReceipt,
} from 'viem';
import {
  readLatestSyi,
  syiRoundOf,
  answerToPercent,
  type OnchainSyi,
  type SyiRecordFields,
  type SyiRound,
} from '../syi-feed';
import { syiFeedAbi } from '../syi-feed-abi';
import { ChainTxError, classifyTxError, withRetry, type TxErrorKind } from '../tx/errors';
import { type SubmitResult, type TxPayload, type TxSubmitter } from '../tx/submitter';
import { BatchScheduler, RefreshTimer, systemClock, type Clock } from './batch-scheduler';
import { ChainClock } from './chain-clock';
import { decideSyi, type SyiDecision, type SyiTriggers } from './syi-decision';

export interface SyiPublisherOptions {
  feed: Address;
  triggers: SyiTriggers;
  /** Re-read the feed this often (the heartbeat clock), besides before and after every publish. */
  refreshMs: number;
  /** A due publish waits this long, so a burst of records becomes one transaction (the newest). */
  debounceMs: number;
  refreshAttempts?: number;
  /** False for a replica that must wait to be assigned the input before it publishes. Default true. */
  startActive?: boolean;
}

export interface SyiPublisherEvents {
  onDecision?(decision: SyiDecision): void;
  onPublish?(result: SubmitResult, round: SyiRound, decision: SyiDecision): void;
  onPublishError?(kind: TxErrorKind, err: unknown): void;
  onRefreshError?(err: unknown): void;
  /** A record the feed cannot hold (out of its band, not whole seconds…) was skipped. */
  onRecordRejected?(reason: string): void;
}

export interface SyiPublisherDeps {
  publicClient: PublicClient;
  submitter: TxSubmitter;
  events?: SyiPublisherEvents;
  clock?: Clock;
}

export interface SyiFeedStatus {
  feed: Address;
  active: boolean;
  triggers: SyiTriggers;
  chainTimeS: number;
  /** The newest syi.calculated record seen (T in seconds, value in percent). */
  latest?: { t: number; value: number; digest: string };
  /** The feed's latest round. */
  onchain?: { roundId: string; answer: string; value: number; updatedAt: number; ageS: number; digest: string };
  /** |latest − on-chain| in basis points. */
  deviationBps?: number;
  lastDecision?: { publish: boolean; reason: SyiDecision['reason'] };
  lastPublish?: {
    atMs: number;
    status: SubmitResult['status'];
    t: number;
    hash?: string;
    nonce?: number;
    gasUsed?: string;
  };
  lastError?: { atMs: number; kind: TxErrorKind; message: string };
  lastRefreshAtMs?: number;
  lastRefreshError?: string;
  publishesTotal: number;
  recordsRejected: number;
}

/** The publish transaction for one round (simulated and estimated on every (re-)send). */
export function syiPublishPayload(feed: Address, round: SyiRound): TxPayload {
  const args = [round.answer, round.rpl, round.updatedAt, round.inputsDigest, round.digest] as const;
  return {
    kind: 'syi',
    async prepare({ publicClient, account, retry }) {
      const call = {
        address: feed,
        abi: syiFeedAbi,
        functionName: 'publish',
        args,
        account,
        blockTag: 'latest',
      } as const;
      const [, gasEstimate] = await retry('simulate publish', () =>
        Promise.all([publicClient.simulateContract(call), publicClient.estimateContractGas(call)]),
      );
      return {
        to: feed,
        data: encodeFunctionData({ abi: syiFeedAbi, functionName: 'publish', args }),
        value: 0n,
        gasEstimate,
        updateFeeWei: 0n,
      };
    },
  };
}

export class SyiPublisher {
  private latest: { round: SyiRound; record: SyiRecordFields } | undefined;
  private onchain: OnchainSyi | undefined;
  private active: boolean;
  private readonly refreshTimer: RefreshTimer;
  private readonly clock: Clock;
  private readonly chainClock: ChainClock;
  private readonly scheduler: BatchScheduler;
  private state: Pick<
    SyiFeedStatus,
    | 'lastDecision'
    | 'lastPublish'
    | 'lastError'
    | 'lastRefreshAtMs'
    | 'lastRefreshError'
    | 'publishesTotal'
    | 'recordsRejected'
  > = {
    publishesTotal: 0,
    recordsRejected: 0,
  };

  constructor(
    private readonly options: SyiPublisherOptions,
    private readonly deps: SyiPublisherDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.chainClock = new ChainClock(() => this.clock.now());
    this.active = options.startActive ?? true;
    this.refreshTimer = new RefreshTimer(this.clock, options.refreshMs, () => this.refresh());
    this.scheduler = new BatchScheduler(
      options.debounceMs,
      async () => void (await this.runOnce()),
      (err) => deps.events?.onPublishError?.(classifyTxError(err), err),
      this.clock,
    );
  }

  async start(): Promise<void> {
    await this.refreshTimer.start();
  }

  /** Waits for a publish in flight, then stops. */
  async stop(): Promise<void> {
    this.refreshTimer.stop();
    await this.scheduler.stop();
  }

  /** A syi.calculated record: kept when newer than the one held; a publish is scheduled if due. */
  ingest(record: SyiRecordFields): void {
    if (this.latest && record.ts <= this.latest.record.ts) return;
    let round: SyiRound;
    try {
      round = syiRoundOf(record);
    } catch (err) {
      this.state.recordsRejected++;
      this.deps.events?.onRecordRejected?.(errorSummary(err));
      return;
    }
    this.latest = { round, record };
    if (this.active && this.decide().publish) this.scheduler.notify();
  }

  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active) {
      if (this.decide().publish) this.scheduler.notify();
    } else {
      this.scheduler.cancel();
    }
  }

  isActive(): boolean {
    return this.active;
  }

  /** Reads the feed's latest round and the chain clock; schedules a publish if one is due (heartbeat). */
  async refresh(): Promise<boolean> {
    const ok = await this.readChain();
    if (ok && this.active && this.decide().publish) this.scheduler.notify();
    return ok;
  }

  private async readChain(): Promise<boolean> {
    const { publicClient } = this.deps;
    try {
      const [onchain, block] = await withRetry(
        () =>
          Promise.all([readLatestSyi(publicClient, this.options.feed), publicClient.getBlock({ blockTag: 'latest' })]),
        { attempts: this.options.refreshAttempts ?? 3 },
      );
      this.onchain = onchain;
      this.chainClock.observe(Number(block.timestamp));
      this.state.lastRefreshAtMs = this.clock.now();
      delete this.state.lastRefreshError;
      return true;
    } catch (err) {
      this.state.lastRefreshError = errorSummary(err);
      this.deps.events?.onRefreshError?.(err);
      return false;
    }
  }

  private chainNowS(): number {
    return Math.floor(this.chainClock.nowS());
  }

  private decide(): SyiDecision {
    if (this.state.lastRefreshAtMs === undefined) return { publish: false, reason: 'chain-unknown' };
    const decision = decideSyi(this.latest?.round, this.onchain, this.chainNowS(), this.options.triggers);
    this.state.lastDecision = { publish: decision.publish, reason: decision.reason };
    return decision;
  }

  /** Reads the chain, decides, and publishes the newest record if due: at most one transaction. */
  async runOnce(): Promise<{ published: boolean; decision: SyiDecision; result?: SubmitResult; error?: TxErrorKind }> {
    if (!this.active) return { published: false, decision: { publish: false, reason: 'no-record' } };
    // Never decide on a stale view of the chain: a failover's new keeper learns the chain's T here.
    if (!(await this.readChain())) return { published: false, decision: this.decide() };
    const decision = this.decide();
    this.deps.events?.onDecision?.(decision);
    const latest = this.latest;
    if (!decision.publish || !latest) return { published: false, decision };
    try {
      const newest = (): TxPayload | undefined => {
        // A re-send of a stuck publish carries the newest record (its T is newer still).
        const now = this.latest;
        return now && now.round.updatedAt > latest.round.updatedAt
          ? syiPublishPayload(this.options.feed, now.round)
          : undefined;
      };
      const result = await this.deps.submitter.submitPayload(syiPublishPayload(this.options.feed, latest.round), {
        latest: newest,
      });
      if (result.status === 'mined' || result.status === 'landed') this.state.publishesTotal++;
      if (result.status === 'mined') this.onchain = this.publishedRound(result.receipt) ?? this.onchain;
      this.state.lastPublish = {
        atMs: this.clock.now(),
        status: result.status,
        t: Number(latest.round.updatedAt),
        ...('hash' in result ? { hash: result.hash, nonce: result.nonce } : {}),
        ...('receipt' in result ? { gasUsed: result.receipt.gasUsed.toString() } : {}),
      };
      this.deps.events?.onPublish?.(result, latest.round, decision);
      await this.readChain();
      return { published: result.status === 'mined' || result.status === 'landed', decision, result };
    } catch (err) {
      const kind = err instanceof ChainTxError ? err.kind : classifyTxError(err);
      this.state.lastError = { atMs: this.clock.now(), kind, message: errorSummary(err) };
      this.deps.events?.onPublishError?.(kind, err);
      return { published: false, decision, error: kind };
    }
  }

  /** The round a mined publish created, from its SyiPublished event (status is right at once). */
  private publishedRound(receipt: TransactionReceipt): OnchainSyi | undefined {
    const event = parseEventLogs({ abi: syiFeedAbi, eventName: 'SyiPublished', logs: receipt.logs }).find((l) =>
      isAddressEqual(l.address, this.options.feed),
    );
    if (!event) return undefined;
    const { roundId, answer, rpl, updatedAt, inputsDigest, digest } = event.args;
    return { roundId, answer, rpl, updatedAt, inputsDigest, digest };
  }

  /** The on-chain round, for metrics: age on the chain's clock and deviation from the newest record. */
  onchainView(): { ageS?: number; deviationBps?: number } {
    const d = decideSyi(this.latest?.round, this.onchain, this.chainNowS(), this.options.triggers);
    return {
      ...(d.onchainAgeS !== undefined ? { ageS: d.onchainAgeS } : {}),
      ...(d.deviationBps !== undefined ? { deviationBps: d.deviationBps } : {}),
    };
  }

  status(): SyiFeedStatus {
    const view = this.onchainView();
    const o = this.onchain;
    const l = this.latest;
    return {
      feed: this.options.feed,
      active: this.active,
      triggers: this.options.triggers,
      chainTimeS: this.chainNowS(),
      ...(l ? { latest: { t: Number(l.round.updatedAt), value: l.record.value, digest: l.record.digest } } : {}),
      ...(o
        ? {
            onchain: {
              roundId: o.roundId.toString(),
              answer: o.answer.toString(),
              value: answerToPercent(o.answer),
              updatedAt: Number(o.updatedAt),
              ageS: view.ageS ?? 0,
              digest: o.digest,
            },
          }
        : {}),
      ...(view.deviationBps !== undefined && Number.isFinite(view.deviationBps)
        ? { deviationBps: view.deviationBps }
        : {}),
      ...this.state,
    };
  }
}
