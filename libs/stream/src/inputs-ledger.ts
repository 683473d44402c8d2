// inputsDigest without re-encoding the whole state at every grid point. The ledger mirrors the
// identity keys of IndexState (the latest record per venue price, book, market cap, pool and
// the T-bill) and keeps, per key, the event time and the digest of the record in force. Each
// record's digest is computed once, when the record is applied; at T the fresh entries are
// combined in key order:
//
//   recordDigest(e)  = sha256(canonicalJSON(validated event e))
//   inputsDigest(T)  = sha256(canonicalJSON({format:"syi-inputs/2", ts:T, methodologyVersion,
//                        inputs:[[key, recordDigest] … of records fresh at T, keys in code-unit order],
//                        pegSamplesDigest}))
//
// The peg samples (per-minute deviations over 24 h) are derived from past prices that are no
// longer in force; they enter through their own digest, recomputed only when a minute passes.
import {
  PYTH_VENUE,
  type IndexEvent,
  type IndexStateSnapshot,
  type MethodologyParams,
} from '@stableyield/index-engine';
import { canonicalJSON, sha256Hex } from './canonical';

type Kind = 'venue' | 'book' | 'mktcap' | 'pool' | 'tbill';

interface Entry {
  kind: Kind;
  /** constituent the record counts for (pools: the pool's symbol; tbill: '') */
  symbol: string;
  ts: number;
  digest: string;
}

/** [key, kind, symbol, ts, digest] — the ledger in a checkpoint */
export type LedgerSnapshot = readonly (readonly [string, Kind, string, number, string])[];

export const INPUTS_FORMAT = 'syi-inputs/2';

export class InputsLedger {
  private readonly entries = new Map<string, Entry>();
  private sortedKeys: string[] | null = [];
  private readonly constituents: ReadonlySet<string>;
  private readonly limits: Record<Kind, number>;

  constructor(
    params: MethodologyParams,
    private readonly methodologyVersion: string,
  ) {
    this.constituents = new Set(params.constituents);
    const f = params.freshnessMs;
    this.limits = {
      venue: Math.max(f.price, f.volume),
      book: f.orderBook,
      mktcap: f.marketCap,
      pool: f.poolApy,
      tbill: f.tbill,
    };
  }

  /** Records an event applied to the state (call in apply order). */
  applied(event: IndexEvent): void {
    const [key, kind, symbol] = identityOf(event);
    if (kind !== 'pool' && kind !== 'tbill' && !this.constituents.has(symbol)) return; // the state ignores it too
    if (!this.entries.has(key)) this.sortedKeys = null;
    this.entries.set(key, { kind, symbol, ts: event.ts, digest: sha256Hex(canonicalJSON(event)) });
  }

  /** The inputs digest at T (every event with ts ≤ T applied). */
  digestAt(T: number, pegSamplesDigest: string): string {
    const keys = (this.sortedKeys ??= [...this.entries.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const inputs: [string, string][] = [];
    for (const key of keys) {
      const e = this.entries.get(key) as Entry;
      if (T - e.ts > this.limits[e.kind]) continue;
      if (e.kind === 'pool' && !this.constituents.has(e.symbol)) continue;
      inputs.push([key, e.digest]);
    }
    return sha256Hex(
      canonicalJSON({
        format: INPUTS_FORMAT,
        ts: T,
        methodologyVersion: this.methodologyVersion,
        inputs,
        pegSamplesDigest,
      }),
    );
  }

  toJSON(): LedgerSnapshot {
    return [...this.entries].map(([key, e]) => [key, e.kind, e.symbol, e.ts, e.digest] as const);
  }

  restore(saved: LedgerSnapshot): void {
    this.entries.clear();
    for (const [key, kind, symbol, ts, digest] of saved) this.entries.set(key, { kind, symbol, ts, digest });
    this.sortedKeys = null;
  }
}

/** The state's identity key of an event: [key, kind, symbol]. */
function identityOf(event: IndexEvent): [string, Kind, string] {
  switch (event.topic) {
    case 'cc.prices':
      return [`venue/${event.symbol}/${event.venue}`, 'venue', event.symbol];
    case 'pyth.prices':
      return [`venue/${event.symbol}/${PYTH_VENUE}`, 'venue', event.symbol];
    case 'cc.orderbook':
      return [`book/${event.symbol}/${event.venue}`, 'book', event.symbol];
    case 'ex.mktcap':
      return [`mktcap/${event.symbol}`, 'mktcap', event.symbol];
    case 'dl.apy':
      return [`pool/${event.pool}`, 'pool', event.symbol];
    case 'trad.tbill':
      return ['tbill', 'tbill', ''];
  }
}

/** Digest of the per-minute peg samples of a state (changes only when a minute boundary passes). */
export function pegSamplesDigest(state: IndexStateSnapshot): string {
  return sha256Hex(
    canonicalJSON({
      sampledThrough: state.sampledThrough,
      rings: state.constituents.map((c) => [c.symbol, c.pegRing]),
    }),
  );
}
