// Nonces for a keeper that keeps at most ONE transaction in flight. The in-flight record (nonce,
// every hash sent at that nonce, fees) is persisted BEFORE each broadcast, so after a crash or
// restart the keeper replaces that transaction at the same nonce instead of stacking a second push
// behind it: no nonce gap, no double push. The chain is the source of truth; the record only
// remembers what the chain cannot tell (our hashes and the fees to bump from).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Address, type Hex, type PublicClient } from 'viem';
import { type Fees } from './fees';

export interface InFlightTx {
  nonce: number;
  /** Every hash broadcast at this nonce (the original and its replacements), oldest first. */
  hashes: Hex[];
  /** Fees of the newest hash. */
  fees: Fees;
  firstSentAtMs: number;
}

export interface TxStateStore {
  load(): Promise<InFlightTx | undefined>;
  save(tx: InFlightTx): Promise<void>;
  clear(): Promise<void>;
}

export class MemoryTxStateStore implements TxStateStore {
  private tx: InFlightTx | undefined;
  load(): Promise<InFlightTx | undefined> {
    return Promise.resolve(this.tx && structuredClone(this.tx));
  }
  save(tx: InFlightTx): Promise<void> {
    this.tx = structuredClone(tx);
    return Promise.resolve();
  }
  clear(): Promise<void> {
    this.tx = undefined;
    return Promise.resolve();
  }
}

interface StoredTx {
  nonce: number;
  hashes: Hex[];
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
  firstSentAtMs: number;
}

/** A JSON file written atomically (temp file + rename), e.g. on a persistent volume. */
export class FileTxStateStore implements TxStateStore {
  constructor(private readonly path: string) {}

  async load(): Promise<InFlightTx | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const s = JSON.parse(text) as StoredTx;
    return {
      nonce: s.nonce,
      hashes: s.hashes,
      fees: { maxFeePerGas: BigInt(s.maxFeePerGas), maxPriorityFeePerGas: BigInt(s.maxPriorityFeePerGas) },
      firstSentAtMs: s.firstSentAtMs,
    };
  }

  async save(tx: InFlightTx): Promise<void> {
    const stored: StoredTx = {
      nonce: tx.nonce,
      hashes: tx.hashes,
      maxFeePerGas: tx.fees.maxFeePerGas.toString(),
      maxPriorityFeePerGas: tx.fees.maxPriorityFeePerGas.toString(),
      firstSentAtMs: tx.firstSentAtMs,
    };
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, JSON.stringify(stored));
    await rename(tmp, this.path);
  }

  async clear(): Promise<void> {
    await rm(this.path, { force: true });
  }
}

export interface NonceSnapshot {
  /** Transactions of the account that are mined (= the next nonce to be mined). */
  latest: number;
  /** Including the ones the node holds in its pool. */
  pending: number;
  inFlight: InFlightTx | undefined;
}

export class NonceManager {
  private inFlight: InFlightTx | undefined;
  private latest = 0;
  private pending = 0;

  constructor(
    private readonly client: PublicClient,
    private readonly address: Address,
    private readonly store: TxStateStore,
  ) {}

  /** Reads both nonces from the chain and drops a persisted record the chain has moved past. */
  async sync(): Promise<NonceSnapshot> {
    const [latest, pending, stored] = await Promise.all([
      this.client.getTransactionCount({ address: this.address, blockTag: 'latest' }),
      this.client.getTransactionCount({ address: this.address, blockTag: 'pending' }),
      this.inFlight ? Promise.resolve(this.inFlight) : this.store.load(),
    ]);
    this.latest = latest;
    this.pending = pending;
    this.inFlight = stored;
    if (stored && stored.nonce < latest) await this.settle();
    return this.snapshot();
  }

  snapshot(): NonceSnapshot {
    return { latest: this.latest, pending: this.pending, inFlight: this.inFlight && structuredClone(this.inFlight) };
  }

  /**
   * The nonce for the next transaction: the in-flight one's (we replace it) or, with none, the first
   * unmined nonce. Unknown pending transactions of the account (another process) get replaced
   * too rather than stacked behind, so a gap can never form.
   */
  nextNonce(): number {
    return this.inFlight?.nonce ?? this.latest;
  }

  /** Remember a hash about to be broadcast at `nonce` (persisted before the broadcast). */
  async recordSend(nonce: number, hash: Hex, fees: Fees, nowMs: number): Promise<InFlightTx> {
    const same = this.inFlight?.nonce === nonce ? this.inFlight : undefined;
    this.inFlight = {
      nonce,
      hashes: same ? [...same.hashes.filter((h) => h !== hash), hash] : [hash],
      fees,
      firstSentAtMs: same?.firstSentAtMs ?? nowMs,
    };
    this.pending = Math.max(this.pending, nonce + 1);
    await this.store.save(this.inFlight);
    return structuredClone(this.inFlight);
  }

  /** A broadcast was rejected: forget its hash (and the record if nothing else was sent). */
  async forgetSend(hash: Hex): Promise<void> {
    if (!this.inFlight) return;
    const hashes = this.inFlight.hashes.filter((h) => h !== hash);
    if (hashes.length === 0) {
      this.inFlight = undefined;
      await this.store.clear();
    } else {
      this.inFlight = { ...this.inFlight, hashes };
      await this.store.save(this.inFlight);
    }
  }

  /** The in-flight nonce is mined (by one of our hashes or anything else). */
  async settle(): Promise<void> {
    if (this.inFlight) this.latest = Math.max(this.latest, this.inFlight.nonce + 1);
    this.inFlight = undefined;
    await this.store.clear();
  }
}
