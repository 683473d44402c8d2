// Nonces for a keeper that keeps at most ONE transaction in flight. The in-flight record (nonce,
// every hash sent at that nonce, fees) is persisted BEFORE each broadcast, so after a crash or
// restart the keeper replaces that transaction at the same nonce instead of stacking a second push
// behind it: no nonce gap, no double push. The chain is the source of truth; the record only
// remembers what the chain cannot tell (our hashes and the fees to bump from).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type Address, type Hex, type PublicClient } from 'viem';
import { z } from 'zod';
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

const storedTxSchema = z.object({
  nonce: z.number().int().nonnegative(),
  hashes: z.array(z.string().regex(/^0x[0-9a-fA-F]+$/)).min(1),
  maxFeePerGas: z.string().regex(/^\d+$/),
  maxPriorityFeePerGas: z.string().regex(/^\d+$/),
  firstSentAtMs: z.number(),
});
type StoredTx = z.infer<typeof storedTxSchema>;

export interface CorruptStateFile {
  path: string;
  /** Where the unreadable file was copied before it was ignored. */
  keptAt: string;
  reason: string;
}

/**
 * A JSON file written atomically (temp file + rename), e.g. on a persistent volume. A file that
 * cannot be read as a record (truncated, hand-edited, another format) is treated as absent, copied
 * aside for a post-mortem and reported: a corrupt file must never block every push.
 */
export class FileTxStateStore implements TxStateStore {
  constructor(
    private readonly path: string,
    private readonly onCorrupt: (info: CorruptStateFile) => void = () => undefined,
  ) {}

  async load(): Promise<InFlightTx | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    let s: StoredTx;
    try {
      s = storedTxSchema.parse(JSON.parse(text));
    } catch (err) {
      let keptAt = `${this.path}.corrupt-${Date.now()}`;
      // A read-only volume must not turn a corrupt file into a crash: report it, ignore it anyway.
      await rename(this.path, keptAt).catch(
        (e: unknown) => (keptAt = `(not moved: ${e instanceof Error ? e.message : String(e)})`),
      );
      const reason =
        err instanceof z.ZodError ? 'not an in-flight record' : err instanceof Error ? err.message : String(err);
      this.onCorrupt({ path: this.path, keptAt, reason });
      return undefined;
    }
    return {
      nonce: s.nonce,
      hashes: s.hashes as Hex[],
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
  /** Including the ones the node holds in its pool (queued ones behind a gap are not counted). */
  pending: number;
  inFlight: InFlightTx | undefined;
}

/**
 * How the in-flight record compares with the chain:
 * - `none`: nothing in flight;
 * - `waiting`: our transaction is in the node's pool (or others' transactions fill the nonces
 *   before it): a stall there is about fees;
 * - `mined`: the chain passed our nonce (by one of our hashes or another transaction);
 * - `lost`: our nonce is the next one to be mined but the node's pool does not hold it (dropped,
 *   evicted, sent through another node);
 * - `gap`: our nonce is beyond every nonce the node can mine (a reorg undid an earlier transaction,
 *   a restored volume, a chain reset): it would wait forever, so the record is dropped.
 */
export type NonceCheck = 'none' | 'waiting' | 'mined' | 'lost' | 'gap';

export function checkInFlight(inFlight: InFlightTx | undefined, latest: number, pending: number): NonceCheck {
  if (!inFlight) return 'none';
  if (inFlight.nonce < latest) return 'mined';
  // pending counts only executable transactions: a nonce past it has nothing before it to wait for.
  if (inFlight.nonce > Math.max(latest, pending)) return 'gap';
  if (inFlight.nonce === latest && pending <= latest) return 'lost';
  return 'waiting';
}

export class NonceManager {
  private inFlight: InFlightTx | undefined;
  private latest = 0;
  private pending = 0;
  private loaded = false;

  constructor(
    private readonly client: PublicClient,
    private readonly address: Address,
    private readonly store: TxStateStore,
  ) {}

  /**
   * Reads both nonces from the chain and reconciles the in-flight record with them: a record the
   * chain moved past is settled, one ahead of anything the chain can mine (gap) is dropped so the
   * next transaction goes out at the chain's nonce. Called before every push and on every timeout.
   */
  async sync(): Promise<NonceSnapshot & { check: NonceCheck; record: InFlightTx | undefined }> {
    const [latest, pending, stored] = await Promise.all([
      this.client.getTransactionCount({ address: this.address, blockTag: 'latest' }),
      this.client.getTransactionCount({ address: this.address, blockTag: 'pending' }),
      this.loaded ? Promise.resolve(this.inFlight) : this.store.load(),
    ]);
    this.loaded = true;
    this.latest = latest;
    this.pending = pending;
    this.inFlight = stored;
    const check = checkInFlight(stored, latest, pending);
    if (check === 'mined') await this.settle();
    if (check === 'gap') await this.drop();
    return { ...this.snapshot(), check, record: stored && structuredClone(stored) };
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
      await this.drop();
    } else {
      this.inFlight = { ...this.inFlight, hashes };
      await this.store.save(this.inFlight);
    }
  }

  /** The in-flight nonce is mined (by one of our hashes or anything else). */
  async settle(): Promise<void> {
    if (this.inFlight) this.latest = Math.max(this.latest, this.inFlight.nonce + 1);
    await this.drop();
  }

  private async drop(): Promise<void> {
    this.inFlight = undefined;
    await this.store.clear();
  }
}
