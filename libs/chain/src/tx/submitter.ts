// Sends one price update and sees it through:
//   reconcile the in-flight record with the chain's nonces (gaps and lost transactions are found on
//   every push and every timeout) → getUpdateFee(exact payload) → simulate
//   updatePriceFeedsIfNecessary (a push another keeper already landed reverts NoFreshUpdate here, for
//   free) → sign locally, persist the hash, broadcast → poll receipts for a bounded time, until the
//   receipt has the configured confirmations → if stuck, act on WHY: a fee stall is replaced at the
//   same nonce with bumped fees (capped absolutely and at k × the fresh market fee), a lost
//   transaction is re-sent at fresh fees, a gap is resynchronised to the chain's nonce; every re-send
//   carries the newest payload the caller has.
// Each failure is classified; the caller gets a result or a ChainTxError, never an unhandled crash.
// One submitter per account serves every duty (Pyth pushes, SYI publishes: a TxPayload each): its
// transactions go out one at a time (a lock), so the duties share the nonce manager, the fee policy
// and the stuck-transaction handling and never race for a nonce.
import {
  encodeFunctionData,
  keccak256,
  type Account,
  type Address,
  type Chain,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from 'viem';
import { pythAbi } from '../pyth-abi';
import { type FeedId } from '../price-feed';
import { ChainTxError, classifyTxError, withRetry } from './errors';
import { initialFees, legacyFees, replacementFees, scaleUp, type FeePolicy, type Fees } from './fees';
import { type InFlightTx, type NonceCheck, type NonceManager } from './nonce-manager';

export interface UpdateBatch {
  updateData: Hex[];
  priceIds: FeedId[];
  /**
   * Per feed, the publish time being pushed: the contract reverts NoFreshUpdate (free, in simulation)
   * when every feed already has this publish time or a newer one on-chain.
   */
  publishTimes: bigint[];
}

/** The transaction a payload wants sent now (nonce and fees are the submitter's). */
export interface PreparedCall {
  to: Address;
  data: Hex;
  value: bigint;
  gasEstimate: bigint;
  /** For the result: the Pyth update fee paid as value (0 for calls without one). */
  updateFeeWei: bigint;
}

export interface PrepareContext {
  publicClient: PublicClient;
  account: Account;
  retry: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
}

/**
 * One duty's transaction: simulated and estimated against 'latest' on every (re-)send, since the chain
 * may have changed under it. 'already-updated' when the chain already holds what it would write.
 * Simulation failures are thrown (the submitter classifies them).
 */
export interface TxPayload {
  /** For logs: 'pyth', 'syi'. */
  readonly kind: string;
  prepare(ctx: PrepareContext): Promise<PreparedCall | 'already-updated'>;
}

export interface SubmitterOptions {
  /** How long a transaction may wait for a receipt before it is considered stuck and replaced. */
  stuckAfterMs: number;
  receiptPollMs: number;
  /**
   * Re-sends per push (replacements, lost or gap re-sends); after them the tx is left in flight and the next push
   * picks it up.
   */
  maxReplacements: number;
  /** Attempts for transient RPC errors (RETRY_ATTEMPTS). */
  retryAttempts: number;
  /** Gas limit = estimate × this (a little headroom for state changing between estimate and mining). */
  gasMultiplier: number;
  /** A fixed gas limit instead of estimate × gasMultiplier (chains whose estimates are unreliable). */
  gasLimit?: bigint;
  /** value = getUpdateFee × this (chains whose fee changes between the read and the inclusion). */
  updateFeeMultiplier: number;
  /**
   * Blocks a receipt must have (1 = the block that includes it) before the push counts as mined: a
   * receipt that disappears meanwhile (a reorg) sends the submitter back to waiting.
   */
  confirmations: number;
}

export const defaultSubmitterOptions: SubmitterOptions = {
  stuckAfterMs: 30_000,
  receiptPollMs: 500,
  maxReplacements: 3,
  retryAttempts: 3,
  gasMultiplier: 1.2,
  updateFeeMultiplier: 1,
  confirmations: 1,
};

export interface SubmitterLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

interface LandedFields {
  hash: Hex;
  nonce: number;
  replacements: number;
  updateFeeWei: bigint;
  /** From the first broadcast to the receipt (or to finding the transaction mined). */
  latencyMs: number;
}

export type SubmitResult =
  | { status: 'already-updated' }
  | (LandedFields & {
      status: 'mined' | 'reverted';
      receipt: TransactionReceipt;
      /** Fee paid for gas: gasUsed × effectiveGasPrice. */
      gasCostWei: bigint;
    })
  /** One of our hashes is mined but its receipt could not be read (a node that lost or pruned it). */
  | (LandedFields & { status: 'landed' })
  /** Another transaction took the nonce (none of our hashes is mined). */
  | { status: 'superseded'; nonce: number }
  /** Still unmined after every re-send (fee cap reached?); stays in flight for the next push. */
  | { status: 'pending'; hash: Hex; nonce: number };

export interface SubmitOptions {
  /**
   * The newest batch for the same push, asked for before every re-send so a replacement carries the
   * freshest prices rather than the ones that were current when the push started.
   */
  latestBatch?: () => UpdateBatch | undefined;
}

export interface SubmitPayloadOptions {
  /** The newest payload for the same duty, asked for before every re-send (see SubmitOptions). */
  latest?: () => TxPayload | undefined;
}

/** A Pyth update: updatePriceFeedsIfNecessary with the exact getUpdateFee as value. */
export function pythUpdatePayload(contract: Address, batch: UpdateBatch, updateFeeMultiplier: number): TxPayload {
  return {
    kind: 'pyth',
    async prepare({ publicClient, account, retry }) {
      const args = [batch.updateData, batch.priceIds, batch.publishTimes] as const;
      const fee = await retry('getUpdateFee', () =>
        publicClient.readContract({
          address: contract,
          abi: pythAbi,
          functionName: 'getUpdateFee',
          args: [batch.updateData],
        }),
      );
      const updateFeeWei = scaleUp(fee, updateFeeMultiplier);
      // Against 'latest', never 'pending': our own in-flight tx (about to be replaced at this nonce)
      // would otherwise make the feed look stored already and the gas estimate too low to create it.
      const call = {
        address: contract,
        abi: pythAbi,
        functionName: 'updatePriceFeedsIfNecessary',
        args,
        value: updateFeeWei,
        account,
        blockTag: 'latest',
      } as const;
      const [, gasEstimate] = await retry('simulate', () =>
        Promise.all([publicClient.simulateContract(call), publicClient.estimateContractGas(call)]),
      );
      return {
        to: contract,
        data: encodeFunctionData({ abi: pythAbi, functionName: 'updatePriceFeedsIfNecessary', args }),
        value: updateFeeWei,
        gasEstimate,
        updateFeeWei,
      };
    },
  };
}

export interface SubmitterDeps {
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain, Account>;
  contract: Address;
  nonces: NonceManager;
  policy: FeePolicy;
  logger?: SubmitterLogger;
  now?: () => number;
}

const silent: SubmitterLogger = { info: () => undefined, warn: () => undefined };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface UnsignedTx {
  to: Address;
  data: Hex;
  value: bigint;
  gas: bigint;
  nonce: number;
}

/** What is known about the transaction being followed. */
interface Tracked {
  hashes: Hex[];
  nonce: number;
  fees: Fees;
  updateFeeWei: bigint;
  replacements: number;
  firstSentAtMs: number;
  /** Absent when we only follow a transaction sent before (no payload to re-send). */
  tx?: UnsignedTx;
  payload?: TxPayload | undefined;
}

export class TxSubmitter {
  private readonly log: SubmitterLogger;
  private readonly now: () => number;
  /** The tail of the queue of submissions: one transaction at a time per account. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: SubmitterDeps,
    private readonly options: SubmitterOptions = defaultSubmitterOptions,
  ) {
    this.log = deps.logger ?? silent;
    this.now = deps.now ?? Date.now;
  }

  /** The transaction in flight (nonce, every hash sent at it, current fees), for /status. */
  inFlight(): InFlightTx | undefined {
    return this.deps.nonces.snapshot().inFlight;
  }

  get account(): Address {
    return this.deps.walletClient.account.address;
  }

  private retry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      attempts: this.options.retryAttempts,
      onRetry: (err, attempt) => this.log.warn({ err, attempt, what }, 'transient RPC error, retrying'),
    });
  }

  /** Re-reads the chain's nonces and reconciles the in-flight record with them (see NonceCheck). */
  private async reconcile(): Promise<NonceCheck> {
    const { check, latest, pending, record } = await this.retry('sync nonces', () => this.deps.nonces.sync());
    if (check === 'gap') {
      this.log.warn(
        { nonce: record?.nonce, latest, pending },
        'nonce gap: the in-flight transaction can never be mined; resynchronised to the chain',
      );
    } else if (check === 'lost') {
      this.log.warn(
        { nonce: record?.nonce, latest, pending },
        'the in-flight transaction is not in the node pool; it will be re-sent',
      );
    }
    return check;
  }

  /** A Pyth update (see pythUpdatePayload). */
  async submit(batch: UpdateBatch, options: SubmitOptions = {}): Promise<SubmitResult> {
    const payloadOf = (b: UpdateBatch): TxPayload =>
      pythUpdatePayload(this.deps.contract, b, this.options.updateFeeMultiplier);
    const latestBatch = options.latestBatch;
    return this.submitPayload(
      payloadOf(batch),
      latestBatch
        ? {
            latest: () => {
              const b = latestBatch();
              return b && payloadOf(b);
            },
          }
        : {},
    );
  }

  /**
   * Any duty's transaction, after the ones already queued on this account have concluded (mined,
   * superseded, left pending or failed): the duties never hold two nonces' worth of decisions at once.
   */
  submitPayload(payload: TxPayload, options: SubmitPayloadOptions = {}): Promise<SubmitResult> {
    const run = this.queue.then(() => this.submitNow(payload, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async submitNow(payload: TxPayload, options: SubmitPayloadOptions): Promise<SubmitResult> {
    const check = await this.reconcile();
    try {
      return await this.submitOnce(payload, options, check);
    } catch (err) {
      const kind = err instanceof ChainTxError ? err.kind : classifyTxError(err);
      if (kind !== 'nonce-too-low') throw err;
      // Our view of the nonce was behind (a tx from before a restart landed): resync and re-simulate,
      // which most likely says the update is already there.
      this.log.warn({ duty: payload.kind }, 'nonce too low, resynchronising');
      return this.submitOnce(payload, options, await this.reconcile());
    }
  }

  /** The transaction for a payload (nonce left to the caller), or already-updated. */
  private async prepare(
    payload: TxPayload,
  ): Promise<{ tx: Omit<UnsignedTx, 'nonce'>; updateFeeWei: bigint } | 'already-updated'> {
    let call: PreparedCall | 'already-updated';
    try {
      call = await payload.prepare({
        publicClient: this.deps.publicClient,
        account: this.deps.walletClient.account,
        retry: (what, fn) => this.retry(what, fn),
      });
    } catch (err) {
      const kind = classifyTxError(err);
      if (kind === 'already-updated') return 'already-updated';
      throw new ChainTxError(kind, `simulation of the ${payload.kind} transaction failed (${kind})`, { cause: err });
    }
    if (call === 'already-updated') return call;
    return {
      updateFeeWei: call.updateFeeWei,
      tx: {
        to: call.to,
        data: call.data,
        value: call.value,
        gas: this.options.gasLimit ?? scaleUp(call.gasEstimate, this.options.gasMultiplier),
      },
    };
  }

  private async submitOnce(
    payload: TxPayload,
    options: SubmitPayloadOptions,
    check: NonceCheck,
  ): Promise<SubmitResult> {
    const prepared = await this.prepare(payload);
    if (prepared === 'already-updated') return { status: 'already-updated' };
    const { updateFeeWei } = prepared;

    const nonces = this.deps.nonces;
    const nonce = nonces.nextNonce();
    const inFlight = nonces.snapshot().inFlight;
    const fresh = await this.freshFees();
    // A lost transaction is not in the pool: fresh fees are enough, no need to outbid ourselves.
    const replacing = inFlight?.nonce === nonce && check !== 'lost';
    let fees: Fees | undefined = replacing ? replacementFees(inFlight.fees, fresh, this.deps.policy) : fresh;
    if (!fees && inFlight) {
      // The cap leaves no room to replace what is in flight: wait for it instead.
      this.log.warn({ nonce }, 'fee cap reached; waiting for the transaction in flight');
      return this.followUp(
        {
          hashes: inFlight.hashes,
          nonce,
          fees: inFlight.fees,
          updateFeeWei,
          replacements: 0,
          firstSentAtMs: inFlight.firstSentAtMs,
        },
        options,
      );
    }
    const tx = { ...prepared.tx, nonce };
    const sent = await this.broadcast(tx, fees as Fees);
    fees = sent.fees;
    const record = nonces.snapshot().inFlight;
    return this.followUp(
      {
        hashes: record?.hashes ?? [sent.hash],
        nonce,
        fees,
        updateFeeWei,
        replacements: 0,
        firstSentAtMs: record?.firstSentAtMs ?? this.now(),
        tx,
        payload,
      },
      options,
    );
  }

  private async freshFees(): Promise<Fees> {
    const { publicClient } = this.deps;
    if (this.deps.policy.gasMode === 'legacy') {
      return legacyFees(await this.retry('gas price', () => publicClient.getGasPrice()), this.deps.policy);
    }
    const block = await this.retry('fee sample', () => publicClient.getBlock({ blockTag: 'latest' }));
    if (block.baseFeePerGas === null)
      throw new ChainTxError('unknown', 'the chain has no EIP-1559 base fee (set GAS_MODE=legacy)');
    const tip = await this.retry('priority fee', () => publicClient.estimateMaxPriorityFeePerGas());
    return initialFees({ baseFeePerGas: block.baseFeePerGas, maxPriorityFeePerGas: tip }, this.deps.policy);
  }

  private feeFields(
    fees: Fees,
  ): { type: 'eip1559'; maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { type: 'legacy'; gasPrice: bigint } {
    return this.deps.policy.gasMode === 'legacy'
      ? { type: 'legacy', gasPrice: fees.maxFeePerGas }
      : { type: 'eip1559', maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas };
  }

  /**
   * Signs, records (before sending), broadcasts. An underpriced rejection is escalated a bounded
   * number of times; other rejections forget the hash and surface as a ChainTxError.
   */
  private async broadcast(tx: UnsignedTx, initial: Fees): Promise<{ hash: Hex; fees: Fees }> {
    let fees = initial;
    for (let attempt = 0; ; attempt++) {
      const { walletClient } = this.deps;
      const signed = await walletClient.signTransaction({
        ...tx,
        ...this.feeFields(fees),
        account: walletClient.account,
        chain: walletClient.chain,
      });
      const hash = keccak256(signed);
      await this.deps.nonces.recordSend(tx.nonce, hash, fees, this.now());
      try {
        await this.retry('sendRawTransaction', () =>
          this.deps.publicClient.sendRawTransaction({ serializedTransaction: signed }),
        );
        this.log.info({ hash, nonce: tx.nonce, maxFeePerGas: fees.maxFeePerGas, attempt }, 'price update broadcast');
        return { hash, fees };
      } catch (err) {
        const kind = classifyTxError(err);
        if (kind === 'already-known') return { hash, fees };
        await this.deps.nonces.forgetSend(hash);
        const bumped =
          kind === 'underpriced' ? replacementFees(fees, await this.freshFees(), this.deps.policy) : undefined;
        if (!bumped || attempt >= this.options.maxReplacements) {
          throw new ChainTxError(kind, `broadcast rejected (${kind})`, { cause: err });
        }
        this.log.warn(
          { nonce: tx.nonce, maxFeePerGas: bumped.maxFeePerGas },
          'underpriced, re-sending with bumped fees',
        );
        fees = bumped;
      }
    }
  }

  /**
   * The transaction for a re-send: the caller's newest payload (or ours), simulated and estimated
   * again, since the chain may have changed under it (a reorg can remove the feed we estimated
   * an update of). The previous transaction when the payload is already on-chain or fails to prepare.
   */
  private async newestTx(
    tx: UnsignedTx,
    previous: TxPayload | undefined,
    options: SubmitPayloadOptions,
  ): Promise<{ tx: UnsignedTx; updateFeeWei?: bigint; payload?: TxPayload }> {
    const payload = options.latest?.() ?? previous;
    if (!payload) return { tx };
    try {
      const prepared = await this.prepare(payload);
      if (prepared === 'already-updated') return { tx };
      return { tx: { ...prepared.tx, nonce: tx.nonce }, updateFeeWei: prepared.updateFeeWei, payload };
    } catch (err) {
      this.log.warn({ err, duty: payload.kind }, 'newest payload could not be prepared; re-sending the previous one');
      return { tx };
    }
  }

  /** Waits for a receipt of any hash at `nonce`; when stuck, acts on why (see the file comment). */
  private async followUp(t: Tracked, options: SubmitPayloadOptions): Promise<SubmitResult> {
    const outcome = await this.waitForReceipt(t.hashes, t.nonce, this.options.stuckAfterMs);
    if (outcome !== 'timeout') return this.concluded(t, outcome);

    const check = await this.reconcile();
    if (check === 'mined') return this.concluded(t, (await this.findReceipt(t.hashes)) ?? 'superseded');
    const last = t.hashes[t.hashes.length - 1] as Hex;
    if (!t.tx || t.replacements >= this.options.maxReplacements) {
      this.log.warn(
        { nonce: t.nonce, hash: last, replacements: t.replacements },
        'transaction still pending; left in flight',
      );
      return { status: 'pending', hash: last, nonce: t.nonce };
    }
    const fresh = await this.freshFees();
    let nonce = t.nonce;
    let fees: Fees | undefined;
    if (check === 'gap') {
      // Not about fees: the chain cannot reach our nonce. Fill the chain's next nonce instead.
      nonce = this.deps.nonces.nextNonce();
      fees = fresh;
    } else if (check === 'lost' || check === 'none') {
      fees = fresh; // the node no longer has it: nothing to outbid
    } else {
      fees = replacementFees(t.fees, fresh, this.deps.policy);
    }
    if (!fees) {
      this.log.warn({ nonce, hash: last }, 'stuck but the fee cap allows no bump; waiting');
      return this.followUp({ ...t, replacements: t.replacements + 1 }, options);
    }
    const newest = await this.newestTx({ ...t.tx, nonce }, t.payload, options);
    this.log.warn(
      { nonce, stuck: last, cause: check, maxFeePerGas: fees.maxFeePerGas },
      'transaction stuck, re-sending',
    );
    let sent: { hash: Hex; fees: Fees };
    try {
      sent = await this.broadcast(newest.tx, fees);
    } catch (err) {
      // The stuck tx may have been mined meanwhile ("nonce too low"): look once more before giving up.
      if (err instanceof ChainTxError && err.kind === 'nonce-too-low') {
        const { tx: _tx, payload: _payload, ...followOnly } = t;
        return this.followUp({ ...followOnly, replacements: this.options.maxReplacements }, options);
      }
      throw err;
    }
    const hashes = nonce === t.nonce ? [...t.hashes, sent.hash] : [sent.hash];
    return this.followUp(
      {
        ...t,
        hashes,
        nonce,
        fees: sent.fees,
        tx: newest.tx,
        payload: newest.payload ?? t.payload,
        updateFeeWei: newest.updateFeeWei ?? t.updateFeeWei,
        replacements: t.replacements + 1,
      },
      options,
    );
  }

  /** The nonce is consumed: by our receipt, by one of our transactions without a receipt, or by another. */
  private async concluded(t: Tracked, outcome: TransactionReceipt | 'superseded'): Promise<SubmitResult> {
    await this.deps.nonces.settle();
    const landed = {
      nonce: t.nonce,
      replacements: t.replacements,
      updateFeeWei: t.updateFeeWei,
      latencyMs: this.now() - t.firstSentAtMs,
    };
    if (outcome !== 'superseded') {
      return {
        ...landed,
        status: outcome.status === 'success' ? 'mined' : 'reverted',
        hash: outcome.transactionHash,
        receipt: outcome,
        gasCostWei: outcome.gasUsed * outcome.effectiveGasPrice,
      };
    }
    const ours = await this.findMinedTransaction(t.hashes);
    if (ours) {
      this.log.warn(
        { nonce: t.nonce, hash: ours },
        'our transaction is mined but its receipt is unavailable; counted as landed',
      );
      return { ...landed, status: 'landed', hash: ours };
    }
    return { status: 'superseded', nonce: t.nonce };
  }

  /**
   * Polls receipts of every hash sent at `nonce` (any of them may be the one mined) for at most
   * `timeoutMs`, until one has the configured confirmations. 'superseded' when the nonce was
   * consumed and no receipt of ours is found.
   */
  private async waitForReceipt(
    hashes: Hex[],
    nonce: number,
    timeoutMs: number,
  ): Promise<TransactionReceipt | 'superseded' | 'timeout'> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const receipt = await this.findReceipt(hashes);
      if (receipt && (await this.confirmed(receipt))) return receipt;
      if (!receipt) {
        const latest = await this.deps.publicClient
          .getTransactionCount({ address: this.account, blockTag: 'latest' })
          .catch(() => undefined);
        if (latest !== undefined && latest > nonce) {
          // Mined between the two reads? Look once more before calling it someone else's.
          return (await this.findReceipt(hashes)) ?? 'superseded';
        }
      }
      if (this.now() >= deadline) return 'timeout';
      await sleep(Math.min(this.options.receiptPollMs, Math.max(0, deadline - this.now())));
    }
  }

  /** The receipt's block is `confirmations − 1` blocks deep (a reorged receipt is not found at all). */
  private async confirmed(receipt: TransactionReceipt): Promise<boolean> {
    if (this.options.confirmations <= 1) return true;
    const head = await this.deps.publicClient.getBlockNumber({ cacheTime: 0 }).catch(() => undefined);
    return head !== undefined && head - receipt.blockNumber + 1n >= BigInt(this.options.confirmations);
  }

  private async findReceipt(hashes: Hex[]): Promise<TransactionReceipt | undefined> {
    const receipts = await Promise.all(
      hashes.map((hash) => this.deps.publicClient.getTransactionReceipt({ hash }).catch(() => undefined)),
    );
    return receipts.find((r) => r !== undefined);
  }

  private async findMinedTransaction(hashes: Hex[]): Promise<Hex | undefined> {
    const txs = await Promise.all(
      hashes.map((hash) => this.deps.publicClient.getTransaction({ hash }).catch(() => undefined)),
    );
    return txs.find((tx) => tx?.blockNumber !== null && tx?.blockNumber !== undefined)?.hash;
  }
}
