// The continuous auditor's logic (apps/auditor wires it to Kafka). It follows what processor-syi
// published and the inputs it read, and recomputes every published record by the plain replay
// of verify.ts — every input not dead-lettered late by processor-syi, in (ts, partition, offset)
// order, on one state — never by the processor's watermark, reorder buffer, restore or
// transactions. Value, weights, inputsDigest and digest (with the published prevDigest) must
// match. Pure: inputs, letters and records are handed in; wall time is passed in.
//
// When to judge a record T, since the auditor reads the topics at its own pace:
// - first, `settleMs` of wall time after the record was seen, once every input partition has
//   been read past T (or to its end): its inputs and late letters have then usually arrived;
// - a record that matches is done. One that differs is checked again at every tick (a late
//   letter may still be on its way) and is a mismatch once `graceMs` of wall time has passed
//   since its first check and both the inputs read and the records published are `graceMs` of
//   event time beyond it.
// The replay state is kept at the last T up to which every record is judged (the base); only
// inputs after it are kept in memory.
import { METHODOLOGY_V1, validateEvent, type MethodologyParams } from '@stableyield/index-engine';
import type { SyiRecord } from '@stableyield/schemas';
import { ChainedIndexState } from './chained-state';
import { compareReplayInputs, inputId, type ReplayInput, type StoredInput } from './verify';

export interface AuditorOptions {
  readonly params?: MethodologyParams;
  /** wall ms between seeing a published record and its first check (default 2 000) */
  readonly settleMs?: number;
  /** how long a differing record is re-checked before it counts as a mismatch (default 30 000) */
  readonly graceMs?: number;
}

export interface AuditResult {
  readonly ts: number;
  readonly result: 'match' | 'mismatch';
  readonly publishedValue: number;
  /** null when the inputs give no index value at T */
  readonly recomputedValue: number | null;
  /** |published − recomputed| / |recomputed| (absolute when recomputed is 0; 1 when nothing was recomputed) */
  readonly deviation: number;
  readonly publishedDigest: string;
  readonly recomputedDigest: string | null;
  readonly publishedInputsDigest: string;
  readonly recomputedInputsDigest: string | null;
  /** what differs, empty for a match */
  readonly problems: readonly string[];
}

interface PendingRecord {
  readonly record: SyiRecord;
  readonly seenAt: number;
  firstCheckedAt?: number;
  /** judged (a record after one still in its grace period waits in the queue, judged) */
  judged?: boolean;
}

interface PartitionProgress {
  maxTs: number;
  caughtUp: boolean;
}

export interface AuditorStats {
  readonly matched: number;
  readonly mismatched: number;
  /** T up to which every published record has been judged (null before the first) */
  readonly checkedThrough: number | null;
  /** the last mismatch found (null: none since start) */
  readonly lastMismatch: AuditResult | null;
  /** records seen and not yet judged */
  readonly pending: number;
  /** inputs that are not valid events (processor-syi dead-letters them as invalid) */
  readonly invalidInputs: number;
  /** inputs read only after the base had passed their ts (out of order in their partition): not replayed */
  readonly inputsBehindBase: number;
  /** published records whose T is not after the base (a rewind or a duplicate): judged mismatches */
  readonly recordsBehindBase: number;
}

export class IndexAuditor {
  private readonly params: MethodologyParams;
  private readonly settleMs: number;
  private readonly graceMs: number;
  /** JSON of the replay state with every kept input of ts ≤ baseTs applied (null: empty state) */
  private base: string | null = null;
  private baseTs = -Infinity;
  private events: ReplayInput[] = [];
  private sorted = true;
  private readonly late = new Set<string>();
  private readonly pending: PendingRecord[] = [];
  private readonly partitions = new Map<string, PartitionProgress>();
  private latestPublishedTs = -Infinity;
  private matched = 0;
  private mismatched = 0;
  private checkedThroughTs: number | null = null;
  private lastMismatch: AuditResult | null = null;
  private invalidInputs = 0;
  private inputsBehindBase = 0;
  private recordsBehindBase = 0;

  constructor(options: AuditorOptions = {}) {
    this.params = options.params ?? METHODOLOGY_V1;
    this.settleMs = options.settleMs ?? 2_000;
    this.graceMs = options.graceMs ?? 30_000;
  }

  /** Declares an input partition and whether it has been read to its end (call at start and after every batch). */
  partitionRead(partition: string, caughtUp: boolean): void {
    const p = this.partitions.get(partition);
    if (p === undefined) this.partitions.set(partition, { maxTs: -Infinity, caughtUp });
    else p.caughtUp = caughtUp;
  }

  /** One input record as read from its topic (offset order per partition). */
  addInput(input: StoredInput): void {
    const key = `${input.topic}/${input.partition}`;
    const parsed = validateEvent({ topic: input.topic, value: input.value });
    if (!parsed.ok) {
      this.invalidInputs++;
      return;
    }
    const progress = this.partitions.get(key) ?? { maxTs: -Infinity, caughtUp: false };
    if (parsed.event.ts > progress.maxTs) progress.maxTs = parsed.event.ts;
    this.partitions.set(key, progress);
    if (parsed.event.ts <= this.baseTs) {
      this.inputsBehindBase++;
      return;
    }
    this.events.push({ partition: key, offset: input.offset, event: parsed.event });
    this.sorted = false;
  }

  /**
   * processor-syi dead-lettered this input ("topic/partition/offset"), late or of any other kind: it never applied
   * it.
   */
  addLateLetter(id: string): void {
    this.late.add(id);
  }

  /** A record read from `syi.calculated`, in offset order. */
  addPublished(record: SyiRecord, wallNow: number): void {
    this.pending.push({ record, seenAt: wallNow });
    if (record.ts > this.latestPublishedTs) this.latestPublishedTs = record.ts;
  }

  get stats(): AuditorStats {
    return {
      matched: this.matched,
      mismatched: this.mismatched,
      checkedThrough: this.checkedThroughTs,
      lastMismatch: this.lastMismatch,
      pending: this.pending.length,
      invalidInputs: this.invalidInputs,
      inputsBehindBase: this.inputsBehindBase,
      recordsBehindBase: this.recordsBehindBase,
    };
  }

  /** Event time up to which every input partition has been read (∞ when all are at their end). */
  private inputFrontier(): number {
    let frontier = Infinity;
    for (const p of this.partitions.values()) if (!p.caughtUp && p.maxTs < frontier) frontier = p.maxTs;
    return frontier;
  }

  /** Judges every record that is due; returns the judgements made now, in publish order. */
  check(wallNow: number): AuditResult[] {
    const frontier = this.inputFrontier();
    const due: PendingRecord[] = [];
    for (const p of this.pending) {
      if (wallNow - p.seenAt < this.settleMs || p.record.ts > frontier) break;
      due.push(p);
    }
    if (due.length === 0) return [];
    if (!this.sorted) {
      this.events.sort(compareReplayInputs);
      this.sorted = true;
    }

    const out: AuditResult[] = [];
    const state = this.baseState();
    let next = 0;
    let lastTs = this.baseTs;
    for (const p of due) {
      const T = p.record.ts;
      if (T <= lastTs) {
        // T does not increase: the replay cannot go back to it
        if (p.judged !== true) {
          this.recordsBehindBase++;
          out.push(this.judge(p, null, [`T ${T} is not after ${lastTs}, already replayed: time does not increase`]));
        }
        continue;
      }
      next = this.applyThrough(state, next, T);
      lastTs = T;
      if (p.judged === true) continue;
      const recomputed = state.recordAt(T, p.record.prevDigest);
      const problems = differences(p.record, recomputed);
      p.firstCheckedAt ??= wallNow;
      if (problems.length === 0 || this.graceOver(p, wallNow, frontier)) out.push(this.judge(p, recomputed, problems));
    }
    this.advanceBase();
    return out;
  }

  private graceOver(p: PendingRecord, wallNow: number, frontier: number): boolean {
    const beyond = p.record.ts + this.graceMs;
    return (
      wallNow - (p.firstCheckedAt ?? wallNow) >= this.graceMs && frontier >= beyond && this.latestPublishedTs >= beyond
    );
  }

  private judge(p: PendingRecord, recomputed: SyiRecord | null, problems: readonly string[]): AuditResult {
    p.judged = true;
    const published = p.record;
    const result = problems.length === 0 ? 'match' : 'mismatch';
    const verdict: AuditResult = {
      ts: published.ts,
      result,
      publishedValue: published.value,
      recomputedValue: recomputed?.value ?? null,
      deviation: deviation(published.value, recomputed?.value ?? null),
      publishedDigest: published.digest,
      recomputedDigest: recomputed?.digest ?? null,
      publishedInputsDigest: published.inputsDigest,
      recomputedInputsDigest: recomputed?.inputsDigest ?? null,
      problems,
    };
    if (result === 'match') this.matched++;
    else {
      this.mismatched++;
      this.lastMismatch = verdict;
    }
    return verdict;
  }

  private baseState(): ChainedIndexState {
    const state = new ChainedIndexState(this.params);
    if (this.base !== null) state.restore(JSON.parse(this.base) as ReturnType<ChainedIndexState['toJSON']>);
    return state;
  }

  /** Applies the kept inputs from `next` on with ts ≤ T (late ones left out); returns where it stopped. */
  private applyThrough(state: ChainedIndexState, next: number, T: number): number {
    let i = next;
    while (i < this.events.length && (this.events[i] as ReplayInput).event.ts <= T) {
      const e = this.events[i++] as ReplayInput;
      if (!this.late.has(lateId(e))) state.apply(e.event);
    }
    return i;
  }

  /**
   * Drops the judged records from the front of the queue and moves the base to the last of them,
   * so the next check replays only what follows it.
   */
  private advanceBase(): void {
    let n = 0;
    while (n < this.pending.length && (this.pending[n] as PendingRecord).judged === true) n++;
    if (n === 0) return;
    const done = this.pending.splice(0, n);
    // a loop, not Math.max(...): after a restart `done` can hold a day of records
    let through = this.baseTs;
    for (const p of done) if (p.record.ts > through) through = p.record.ts;
    this.checkedThroughTs = through;
    if (through > this.baseTs) {
      const state = this.baseState();
      const next = this.applyThrough(state, 0, through);
      this.events = this.events.slice(next);
      this.base = JSON.stringify(state.toJSON());
      this.baseTs = through;
    }
  }
}

function lateId(e: ReplayInput): string {
  const slash = e.partition.lastIndexOf('/');
  return inputId(e.partition.slice(0, slash), e.partition.slice(slash + 1), e.offset);
}

/** What differs between a published record and its recomputation (empty: identical). */
export function differences(published: SyiRecord, recomputed: SyiRecord | null): string[] {
  if (recomputed === null) return ['the inputs give no index value at this T'];
  const problems: string[] = [];
  if (recomputed.value !== published.value) problems.push(`value ${published.value}, recomputed ${recomputed.value}`);
  const weights = (r: SyiRecord) => r.constituents.map((c) => `${c.symbol}:${c.weight}`).join(' ');
  if (weights(recomputed) !== weights(published))
    problems.push(`weights ${weights(published)}, recomputed ${weights(recomputed)}`);
  if (recomputed.inputsDigest !== published.inputsDigest)
    problems.push(`inputsDigest ${published.inputsDigest}, recomputed ${recomputed.inputsDigest}`);
  if (recomputed.digest !== published.digest)
    problems.push(`digest ${published.digest}, recomputed ${recomputed.digest}`);
  return problems;
}

/** |published − recomputed| / |recomputed|; absolute when recomputed is 0; 1 when there is none. */
export function deviation(published: number, recomputed: number | null): number {
  if (recomputed === null) return 1;
  const diff = Math.abs(published - recomputed);
  return recomputed === 0 ? diff : diff / Math.abs(recomputed);
}
