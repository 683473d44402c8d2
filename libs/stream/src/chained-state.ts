// The index state with what a published record needs beside the values: the inputs ledger
// (inputsDigest) and the peg samples' digest. Both the processor (through EventTimeIndex) and
// the replay that checks it (verify.ts, the auditor) publish records through this one class,
// so a record's digests mean the same thing on both sides; ordering, watermarks, restarts and
// transactions stay in EventTimeIndex and are not shared with the checkers.
import {
  IndexState,
  type IndexEvent,
  type IndexRecord,
  type IndexStateSnapshot,
  type MethodologyParams,
} from '@stableyield/index-engine';
import type { SyiRecord } from '@stableyield/schemas';
import { chainRecord } from './digest';
import { InputsLedger, pegSamplesDigest, type LedgerSnapshot } from './inputs-ledger';

export class ChainedIndexState {
  private current: IndexState;
  private readonly ledger: InputsLedger;
  /** the peg samples' digest and the minute boundary it is for */
  private pegDigest = '';
  private pegThrough: number | null | undefined;

  constructor(
    readonly params: MethodologyParams,
    /** keep the inputs ledger for `inputsDigest` (the per-symbol processors publish no digest) */
    private readonly trackInputs = true,
  ) {
    this.current = new IndexState(params);
    this.ledger = new InputsLedger(params, this.current.methodologyVersion);
  }

  get state(): IndexState {
    return this.current;
  }

  /** Applies one event (events in ts order; equal ts in the order the caller decided). */
  apply(event: IndexEvent): void {
    this.current.apply(event);
    if (this.trackInputs) this.ledger.applied(event);
  }

  /** The published form of a record just evaluated from this state: inputsDigest, prevDigest, digest. */
  chain(record: IndexRecord, prevDigest: string | null): SyiRecord {
    return chainRecord(record, this.ledger.digestAt(record.ts, this.pegSamplesDigest()), prevDigest);
  }

  /** Evaluates T and chains the record to `prevDigest` (null when there is no index value at T). */
  recordAt(T: number, prevDigest: string | null): SyiRecord | null {
    const record = this.current.evaluate(T);
    return record === null ? null : this.chain(record, prevDigest);
  }

  /**
   * The peg samples change only when the state stores a new minute boundary: the last one
   * before its last event (IndexState samples every boundary < ts when an event at ts arrives).
   * The state is encoded once a minute for it, not at every grid point.
   */
  private pegSamplesDigest(): string {
    const last = this.current.lastEventTs;
    const step = this.params.peg.sampleIntervalMs;
    const through = last === null ? null : (Math.ceil(last / step) - 1) * step;
    if (through !== this.pegThrough) {
      this.pegDigest = pegSamplesDigest(this.current.toJSON());
      this.pegThrough = through;
    }
    return this.pegDigest;
  }

  toJSON(): { state: IndexStateSnapshot; inputs: LedgerSnapshot } {
    return { state: this.current.toJSON(), inputs: this.ledger.toJSON() };
  }

  restore(saved: { state: IndexStateSnapshot; inputs: LedgerSnapshot }): void {
    this.current = IndexState.fromJSON(saved.state, this.params);
    this.ledger.restore(saved.inputs);
    this.pegThrough = undefined;
  }
}
