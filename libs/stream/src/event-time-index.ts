// The index evaluated in event time: input events from many partitions are buffered until the
// watermark passes them, applied to one IndexState in (ts, arrival) order — the replay's code
// path — and every grid point T ≤ watermark is evaluated in order and chained into a
// `syi.calculated` record. Pure (no I/O, wall time passed in), with a JSON checkpoint that
// records where each input partition must be re-read from after a restart.
import {
  METHODOLOGY_V1,
  type IndexEvent,
  type IndexRecord,
  type IndexState,
  type IndexStateSnapshot,
  type MethodologyParams,
} from '@stableyield/index-engine';
import type { SyiRecord } from '@stableyield/schemas';
import { ChainedIndexState } from './chained-state';
import type { LedgerSnapshot } from './inputs-ledger';
import { ReorderBuffer } from './reorder';
import { Watermarks, type WatermarkOptions } from './watermark';

export interface EventTimeIndexOptions extends WatermarkOptions {
  gridStepMs: number;
  params?: MethodologyParams;
  /** keep the inputs ledger for `inputsDigest` (default true; the per-symbol processors publish no digest) */
  trackInputs?: boolean;
}

interface Buffered {
  partition: string;
  offset: number;
  event: IndexEvent;
}

/** Read progress of one input partition, as checkpointed. */
export interface PartitionCheckpoint {
  /** re-read the partition from this offset after a restart */
  resume: number;
  /** [offset, ts] of records ≥ resume that were read but are still buffered (not applied): buffer them again */
  pending: [number, number][];
  /** next offset after the last one read; offsets in [resume, position) not pending are done */
  position: number;
}

export interface EventTimeCheckpoint {
  readonly format: 'syi-event-time/2';
  readonly state: IndexStateSnapshot;
  readonly inputs: LedgerSnapshot;
  readonly lastEvaluated: number | null;
  readonly prevDigest: string | null;
  readonly published: number;
  readonly watermark: ReturnType<Watermarks['toJSON']>;
  readonly partitions: Readonly<Record<string, PartitionCheckpoint>>;
}

export type OfferResult =
  { readonly kind: 'buffered' } | { readonly kind: 'skipped' } | { readonly kind: 'late'; readonly reason: string };

interface PartitionRead {
  position: number;
  /** offset → ts of buffered records */
  pending: Map<number, number>;
  /** restored: offsets below this that are not in `replay` were done before the restart */
  donePosition: number;
  /** restored: offset → ts of records that were buffered at the checkpoint and are not re-read yet */
  replay: Map<number, number>;
}

export class EventTimeIndex {
  readonly params: MethodologyParams;
  private readonly chained: ChainedIndexState;
  /**
   * equal-ts events in (partition, offset) order: independent of fetch order, so restarts and recomputations are
   * bit-identical
   */
  private readonly buffer = new ReorderBuffer<Buffered>((a, b) =>
    a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : a.offset - b.offset,
  );
  readonly watermarks: Watermarks;
  private lastEvaluatedTs: number | null = null;
  private prevDigest: string | null = null;
  private publishedCount = 0;
  private readonly reads = new Map<string, PartitionRead>();

  constructor(private readonly options: EventTimeIndexOptions) {
    this.params = options.params ?? METHODOLOGY_V1;
    this.chained = new ChainedIndexState(this.params, options.trackInputs ?? true);
    this.watermarks = new Watermarks(options);
  }

  private get state(): IndexState {
    return this.chained.state;
  }

  get lastEvaluated(): number | null {
    return this.lastEvaluatedTs;
  }

  get lastDigest(): string | null {
    return this.prevDigest;
  }

  get published(): number {
    return this.publishedCount;
  }

  get buffered(): number {
    return this.buffer.size;
  }

  private read(partition: string): PartitionRead {
    let r = this.reads.get(partition);
    if (r === undefined) {
      r = { position: 0, pending: new Map(), donePosition: 0, replay: new Map() };
      this.reads.set(partition, r);
    }
    return r;
  }

  /**
   * Offers one record read at `offset` of `partition`. After a restart, records already handled
   * before the checkpoint are skipped. Returns whether it was buffered, skipped, or is late
   * (its ts is at or before the last evaluated grid point: the caller dead-letters it).
   */
  offer(partition: string, offset: number, event: IndexEvent, wallNow: number): OfferResult {
    const r = this.read(partition);
    const seen = this.alreadyHandled(r, offset);
    if (offset + 1 > r.position) r.position = offset + 1;
    if (seen) return { kind: 'skipped' };
    const maxTsBefore = this.watermarks.progress(partition)?.maxTs ?? -Infinity;
    this.watermarks.observe(partition, event.ts, wallNow);
    if (this.lastEvaluatedTs !== null && event.ts <= this.lastEvaluatedTs) {
      const p = this.watermarks.progress(partition);
      return {
        kind: 'late',
        reason:
          `late event: ts ${event.ts} (${new Date(event.ts).toISOString()}) is at or before ` +
          `the last evaluated grid point ${this.lastEvaluatedTs}; watermark ${this.watermarks.current(wallNow)}; ` +
          `${partition} at offset ${offset}, ` +
          `read to ${p?.position ?? '?'} of ${p?.end ?? '?'}, max ts before ${maxTsBefore}`,
      };
    }
    this.buffer.push(event.ts, { partition, offset, event });
    r.pending.set(offset, event.ts);
    return { kind: 'buffered' };
  }

  /** The offset after the last record read from `partition` (0 before any). */
  readPosition(partition: string): number {
    return this.reads.get(partition)?.position ?? 0;
  }

  /**
   * Offsets below this were handled before (read earlier, or before the checkpoint): a record
   * there that this processor does not keep is a re-delivery. (Kept records may still be
   * replays of checkpointed pending events: `offer` tells those apart.)
   */
  handledBelow(partition: string): number {
    const r = this.reads.get(partition);
    return r === undefined ? 0 : Math.max(r.donePosition, r.position);
  }

  /** A record that is not an event (invalid, undecodable) was read and handled at `offset`. */
  consumed(partition: string, offset: number): boolean {
    const r = this.read(partition);
    const seen = this.alreadyHandled(r, offset);
    if (offset + 1 > r.position) r.position = offset + 1;
    return !seen;
  }

  /**
   * Offsets are read in increasing order per partition; anything below the position (or handled before a restart) is
   * a re-delivery.
   */
  private alreadyHandled(r: PartitionRead, offset: number): boolean {
    if (r.replay.delete(offset)) return false;
    return offset < Math.max(r.donePosition, r.position);
  }

  /** Evaluates every grid point up to the watermark; returns the `syi.calculated` records to publish, in order. */
  advance(wallNow: number): SyiRecord[] {
    return this.advanceWith(wallNow, (state, T) => {
      const record = state.evaluate(T);
      return record === null ? [] : [this.chain(record)];
    });
  }

  /** The `syi.calculated` record of an index record just evaluated: inputsDigest, prevDigest, digest. */
  chain(record: IndexRecord): SyiRecord {
    const chained = this.chained.chain(record, this.prevDigest);
    this.prevDigest = chained.digest;
    this.publishedCount++;
    return chained;
  }

  /**
   * Evaluates every grid point T up to the watermark with `evaluate`, after applying every
   * buffered event with ts ≤ T; returns what it produced, in grid order. Grid points with no
   * output still count as evaluated: an event at or before them is late from then on.
   */
  advanceWith<R>(wallNow: number, evaluate: (state: IndexState, T: number) => readonly R[]): R[] {
    const watermark = this.watermarks.current(wallNow);
    const step = this.options.gridStepMs;
    const out: R[] = [];
    let T: number;
    if (this.lastEvaluatedTs !== null) T = this.lastEvaluatedTs + step;
    else {
      const first = this.buffer.minTs;
      if (first === undefined) return out;
      T = Math.ceil(first / step) * step;
    }
    // After a restart, records buffered at the checkpoint must be read again before any grid
    // point at or after their ts is evaluated.
    let limit = watermark;
    for (const r of this.reads.values()) for (const ts of r.replay.values()) if (ts - 1 < limit) limit = ts - 1;
    for (; T <= limit; T += step) {
      for (const b of this.buffer.popThrough(T)) {
        this.chained.apply(b.event);
        this.read(b.partition).pending.delete(b.offset);
      }
      const produced = evaluate(this.state, T);
      this.lastEvaluatedTs = T;
      for (const r of produced) out.push(r);
    }
    return out;
  }

  checkpoint(): EventTimeCheckpoint {
    const partitions: Record<string, PartitionCheckpoint> = {};
    for (const [name, r] of this.reads) {
      const pending = [...r.pending, ...r.replay].sort((a, b) => a[0] - b[0]);
      const position = Math.max(r.position, r.donePosition);
      partitions[name] = { resume: pending[0]?.[0] ?? position, pending, position };
    }
    return {
      format: 'syi-event-time/2',
      ...this.chained.toJSON(),
      lastEvaluated: this.lastEvaluatedTs,
      prevDigest: this.prevDigest,
      published: this.publishedCount,
      watermark: this.watermarks.toJSON(),
      partitions,
    };
  }

  /** Restores a checkpoint into a fresh instance (before any record is offered). */
  restore(saved: EventTimeCheckpoint): void {
    if (saved.format !== 'syi-event-time/2')
      throw new Error(`unknown checkpoint format ${String(saved.format)} (expected syi-event-time/2)`);
    this.chained.restore(saved);
    this.lastEvaluatedTs = saved.lastEvaluated;
    this.prevDigest = saved.prevDigest;
    this.publishedCount = saved.published;
    this.watermarks.restore(saved.watermark);
    for (const [name, p] of Object.entries(saved.partitions)) {
      this.reads.set(name, {
        position: p.resume,
        pending: new Map(),
        donePosition: p.position,
        replay: new Map(p.pending),
      });
    }
  }

  /** Where each known partition must be read from (restored or current). */
  resumeOffsets(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, p] of Object.entries(this.checkpoint().partitions)) out.set(name, p.resume);
    return out;
  }
}
