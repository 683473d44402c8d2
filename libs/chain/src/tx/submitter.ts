// Sends one price update and sees it through:
//   getUpdateFee(exact payload) → simulate updatePriceFeedsIfNecessary (a push another keeper already
//   landed reverts NoFreshUpdate here, for free) → sign locally, persist the hash, broadcast →
//   poll receipts for a bounded time → if stuck, replace at the same nonce with bumped (capped) fees.
// Each failure is classified; the caller gets a result or a ChainTxError, never an unhandled crash.
import { errorSummary } from '@stableyield/observability';
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
import { initialFees, replacementFees, scaleUp, type FeePolicy, type Fees } from './fees';
import { type InFlightTx, type NonceManager } from './nonce-manager';

export interface UpdateBatch {
  updateData: Hex[];
  priceIds: FeedId[];
  /**
   * Per feed, the publish time being pushed: the contract reverts NoFreshUpdate (free, in simulation)
   * when every feed already has this publish time or a newer one on-chain.
   */
  publishTimes: bigint[];
}

export interface SubmitterOptions {
  /** How long a transaction may wait for a receipt before it is considered stuck and replaced. */
  stuckAfterMs: number;
  receiptPollMs: number;
  /** Replacements per push; after them the tx is left in flight and the next push picks it up. */
  maxReplacements: number;
  /** Attempts for transient RPC errors (RETRY_ATTEMPTS). */
  retryAttempts: number;
  /** Gas limit = estimate × this (a little headroom for state changing between estimate and mining). */
  gasMultiplier: number;
}

export const defaultSubmitterOptions: SubmitterOptions = {
  stuckAfterMs: 30_000,
  receiptPollMs: 500,
  maxReplacements: 3,
  retryAttempts: 3,
  gasMultiplier: 1.2,
};

export interface SubmitterLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export type SubmitResult =
  | { status: 'already-updated' }
  | {
      status: 'mined' | 'reverted';
      hash: Hex;
      nonce: number;
      receipt: TransactionReceipt;
      replacements: number;
      updateFeeWei: bigint;
      /** Fee paid for gas: gasUsed × effectiveGasPrice. */
      gasCostWei: bigint;
      /** From the first broadcast to the receipt. */
      latencyMs: number;
    }
  /** Another transaction took the nonce (e.g. the one in flight before a restart landed first). */
  | { status: 'superseded'; nonce: number }
  /** Still unmined after every replacement (fee cap reached?); stays in flight for the next push. */
  | { status: 'pending'; hash: Hex; nonce: number };

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

export class TxSubmitter {
  private readonly log: SubmitterLogger;
  private readonly now: () => number;
  private synced = false;

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
      onRetry: (err, attempt) => this.log.warn({ error: errorSummary(err), attempt, what }, 'transient RPC error, retrying'),
    });
  }

  async submit(batch: UpdateBatch): Promise<SubmitResult> {
    if (!this.synced) {
      await this.retry('sync nonces', () => this.deps.nonces.sync());
      this.synced = true;
    }
    try {
      return await this.submitOnce(batch);
    } catch (err) {
      const kind = err instanceof ChainTxError ? err.kind : classifyTxError(err);
      if (kind !== 'nonce-too-low') throw err;
      // Our view of the nonce was behind (a tx from before a restart landed): resync and re-simulate,
      // which most likely says the update is already there.
      this.log.warn({}, 'nonce too low, resynchronising');
      await this.retry('sync nonces', () => this.deps.nonces.sync());
      return this.submitOnce(batch);
    }
  }

  private async submitOnce(batch: UpdateBatch): Promise<SubmitResult> {
    const { publicClient, contract } = this.deps;
    const account = this.deps.walletClient.account;
    const args = [batch.updateData, batch.priceIds, batch.publishTimes] as const;
    const updateFeeWei = await this.retry('getUpdateFee', () =>
      publicClient.readContract({ address: contract, abi: pythAbi, functionName: 'getUpdateFee', args: [batch.updateData] }),
    );
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
    let gasEstimate: bigint;
    try {
      [, gasEstimate] = await this.retry('simulate', () =>
        Promise.all([publicClient.simulateContract(call), publicClient.estimateContractGas(call)]),
      );
    } catch (err) {
      const kind = classifyTxError(err);
      if (kind === 'already-updated') return { status: 'already-updated' };
      throw new ChainTxError(kind, `simulation of updatePriceFeedsIfNecessary failed (${kind})`, { cause: err });
    }

    const nonces = this.deps.nonces;
    const nonce = nonces.nextNonce();
    const inFlight = nonces.snapshot().inFlight;
    const fresh = await this.freshFees();
    let fees: Fees | undefined = inFlight?.nonce === nonce ? replacementFees(inFlight.fees, fresh, this.deps.policy) : fresh;
    if (!fees && inFlight) {
      // The cap leaves no room to replace what is in flight: wait for it instead.
      this.log.warn({ nonce }, 'fee cap reached; waiting for the transaction in flight');
      return this.followUp(inFlight.hashes, nonce, inFlight.fees, updateFeeWei, 0, inFlight.firstSentAtMs);
    }
    const tx = {
      to: contract,
      data: encodeFunctionData({ abi: pythAbi, functionName: 'updatePriceFeedsIfNecessary', args }),
      value: updateFeeWei,
      gas: scaleUp(gasEstimate, this.options.gasMultiplier),
      nonce,
    };
    const sent = await this.broadcast(tx, fees as Fees);
    fees = sent.fees;
    const record = nonces.snapshot().inFlight;
    return this.followUp(record?.hashes ?? [sent.hash], nonce, fees, updateFeeWei, 0, record?.firstSentAtMs ?? this.now(), tx);
  }

  private async freshFees(): Promise<Fees> {
    const [block, tip] = await this.retry('fee sample', () =>
      Promise.all([
        this.deps.publicClient.getBlock({ blockTag: 'latest' }),
        this.deps.publicClient.estimateMaxPriorityFeePerGas(),
      ]),
    );
    if (block.baseFeePerGas === null) throw new ChainTxError('unknown', 'the chain has no EIP-1559 base fee');
    return initialFees({ baseFeePerGas: block.baseFeePerGas, maxPriorityFeePerGas: tip }, this.deps.policy);
  }

  /**
   * Signs, records (before sending), broadcasts. An underpriced rejection is escalated a bounded
   * number of times; other rejections forget the hash and surface as a ChainTxError.
   */
  private async broadcast(tx: UnsignedTx, initial: Fees): Promise<{ hash: Hex; fees: Fees }> {
    let fees = initial;
    for (let attempt = 0; ; attempt++) {
      const { walletClient } = this.deps;
      const signed = await walletClient.signTransaction({ ...tx, ...fees, account: walletClient.account, chain: walletClient.chain, type: 'eip1559' });
      const hash = keccak256(signed);
      await this.deps.nonces.recordSend(tx.nonce, hash, fees, this.now());
      try {
        await this.retry('sendRawTransaction', () => this.deps.publicClient.sendRawTransaction({ serializedTransaction: signed }));
        this.log.info({ hash, nonce: tx.nonce, maxFeePerGas: fees.maxFeePerGas, attempt }, 'price update broadcast');
        return { hash, fees };
      } catch (err) {
        const kind = classifyTxError(err);
        if (kind === 'already-known') return { hash, fees };
        await this.deps.nonces.forgetSend(hash);
        const bumped = kind === 'underpriced' ? replacementFees(fees, await this.freshFees(), this.deps.policy) : undefined;
        if (!bumped || attempt >= this.options.maxReplacements) {
          throw new ChainTxError(kind, `broadcast rejected (${kind})`, { cause: err });
        }
        this.log.warn({ nonce: tx.nonce, maxFeePerGas: bumped.maxFeePerGas }, 'underpriced, re-sending with bumped fees');
        fees = bumped;
      }
    }
  }

  /** Waits for a receipt of any hash at `nonce`; replaces the tx when stuck, if it can. */
  private async followUp(
    hashes: Hex[],
    nonce: number,
    fees: Fees,
    updateFeeWei: bigint,
    replacements: number,
    firstSentAtMs: number,
    tx?: UnsignedTx,
  ): Promise<SubmitResult> {
    const outcome = await this.waitForReceipt(hashes, nonce, this.options.stuckAfterMs);
    if (outcome !== 'timeout') {
      await this.deps.nonces.settle();
      if (outcome === 'superseded') return { status: 'superseded', nonce };
      const receipt = outcome;
      return {
        status: receipt.status === 'success' ? 'mined' : 'reverted',
        hash: receipt.transactionHash,
        nonce,
        receipt,
        replacements,
        updateFeeWei,
        gasCostWei: receipt.gasUsed * receipt.effectiveGasPrice,
        latencyMs: this.now() - firstSentAtMs,
      };
    }
    const last = hashes[hashes.length - 1] as Hex;
    if (!tx || replacements >= this.options.maxReplacements) {
      this.log.warn({ nonce, hash: last, replacements }, 'transaction still pending; left in flight');
      return { status: 'pending', hash: last, nonce };
    }
    const bumped = replacementFees(fees, await this.freshFees(), this.deps.policy);
    if (!bumped) {
      this.log.warn({ nonce, hash: last }, 'stuck but the fee cap allows no bump; waiting');
      return this.followUp(hashes, nonce, fees, updateFeeWei, replacements + 1, firstSentAtMs, tx);
    }
    this.log.warn({ nonce, stuck: last, maxFeePerGas: bumped.maxFeePerGas }, 'transaction stuck, replacing at the same nonce');
    let sent: { hash: Hex; fees: Fees };
    try {
      sent = await this.broadcast(tx, bumped);
    } catch (err) {
      // The stuck tx may have been mined meanwhile ("nonce too low"): look once more before giving up.
      if (err instanceof ChainTxError && err.kind === 'nonce-too-low') {
        return this.followUp(hashes, nonce, fees, updateFeeWei, this.options.maxReplacements, firstSentAtMs);
      }
      throw err;
    }
    return this.followUp([...hashes, sent.hash], nonce, sent.fees, updateFeeWei, replacements + 1, firstSentAtMs, tx);
  }

  /**
   * Polls receipts of every hash sent at `nonce` (any of them may be the one mined) for at most
   * `timeoutMs`. 'superseded' when the nonce was consumed by a transaction that is none of ours.
   */
  private async waitForReceipt(hashes: Hex[], nonce: number, timeoutMs: number): Promise<TransactionReceipt | 'superseded' | 'timeout'> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const receipt = await this.findReceipt(hashes);
      if (receipt) return receipt;
      const latest = await this.deps.publicClient
        .getTransactionCount({ address: this.account, blockTag: 'latest' })
        .catch(() => undefined);
      if (latest !== undefined && latest > nonce) {
        // Mined between the two reads? Look once more before calling it someone else's.
        return (await this.findReceipt(hashes)) ?? 'superseded';
      }
      if (this.now() >= deadline) return 'timeout';
      await sleep(Math.min(this.options.receiptPollMs, Math.max(0, deadline - this.now())));
    }
  }

  private async findReceipt(hashes: Hex[]): Promise<TransactionReceipt | undefined> {
    const receipts = await Promise.all(
      hashes.map((hash) => this.deps.publicClient.getTransactionReceipt({ hash }).catch(() => undefined)),
    );
    return receipts.find((r) => r !== undefined);
  }
}

interface UnsignedTx {
  to: Address;
  data: Hex;
  value: bigint;
  gas: bigint;
  nonce: number;
}
