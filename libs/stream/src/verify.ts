// `syi verify`: checks a range of published `syi.calculated` records — every digest recomputes
// and every prevDigest links to the record before — and recomputes sample records from the
// input topics with the processor's own code path (EventTimeIndex: same state, same inputs
// ledger), comparing values, inputsDigest and, with the published prevDigest, the digest.
// Pure: the caller reads Kafka.
import { validateEvent, type IndexEvent } from '@stableyield/index-engine';
import type { SyiRecord } from '@stableyield/schemas';
import { recordDigest, verifyChain, type ChainProblem } from './digest';
import { EventTimeIndex } from './event-time-index';

/** One input record as read from its topic (logical topic name, decoded value). */
export interface StoredInput {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: unknown;
}

/** Picks up to n grid times spread evenly over the records (first and last included). */
export function sampleTimes(records: readonly SyiRecord[], n: number): number[] {
  if (n <= 0 || records.length === 0) return [];
  if (n >= records.length) return records.map((r) => r.ts);
  const out = new Set<number>();
  for (let i = 0; i < n; i++) out.add((records[Math.round((i * (records.length - 1)) / Math.max(1, n - 1))] as SyiRecord).ts);
  return [...out];
}

/**
 * Recomputes the records at `times` from the inputs: events in (ts, topic-partition offset)
 * order through an EventTimeIndex, as the processor applies them when nothing is late.
 * `excluded` holds "topic/partition/offset" of inputs the processor dead-lettered as late.
 */
export function recomputeRecords(inputs: readonly StoredInput[], times: readonly number[], gridStepMs: number, excluded: ReadonlySet<string>): Map<number, SyiRecord> {
  const wanted = new Set(times);
  const last = Math.max(...times);
  const events: { key: string; offset: number; event: IndexEvent }[] = [];
  for (const input of inputs) {
    if (excluded.has(`${input.topic}/${input.partition}/${input.offset}`)) continue;
    const parsed = validateEvent({ topic: input.topic, value: input.value });
    if (parsed.ok) events.push({ key: `${input.topic}/${input.partition}`, offset: input.offset, event: parsed.event });
  }
  // stable: per partition the offset order is kept for equal ts
  events.sort((a, b) => a.event.ts - b.event.ts);
  const index = new EventTimeIndex({ gridStepMs, allowedLatenessMs: 1, idleTimeoutMs: Number.MAX_SAFE_INTEGER });
  const out = new Map<number, SyiRecord>();
  const collect = (records: SyiRecord[]) => {
    for (const r of records) if (wanted.has(r.ts)) out.set(r.ts, r);
  };
  for (const e of events) {
    if (e.event.ts > last + gridStepMs) break;
    index.offer(e.key, e.offset, e.event, 0);
    collect(index.advance(0));
  }
  return out;
}

export interface VerifyReport {
  readonly records: number;
  readonly from: number | null;
  readonly to: number | null;
  readonly chainProblems: ChainProblem[];
  readonly recomputed: number;
  readonly recomputeProblems: ChainProblem[];
}

/** Compares published records with their recomputation (values, inputsDigest, digest given the published prevDigest). */
export function compareRecomputed(published: readonly SyiRecord[], recomputed: ReadonlyMap<number, SyiRecord>): ChainProblem[] {
  const problems: ChainProblem[] = [];
  for (const p of published) {
    if (!recomputed.has(p.ts)) continue;
    const r = recomputed.get(p.ts) as SyiRecord;
    if (r.inputsDigest !== p.inputsDigest) problems.push({ ts: p.ts, problem: `inputsDigest ${p.inputsDigest} differs from the recomputed ${r.inputsDigest}` });
    const digest = recordDigest({ ...r, prevDigest: p.prevDigest });
    if (digest !== p.digest) problems.push({ ts: p.ts, problem: `recomputed record (value ${r.value}, published ${p.value}) has digest ${digest}, published ${p.digest}` });
  }
  return problems;
}

/** Chain checks of the range plus the recomputation results, as one report. */
export function verifyRange(records: readonly SyiRecord[], prevOfFirst: string | null | undefined, recomputed: ReadonlyMap<number, SyiRecord> | null, asked: readonly number[]): VerifyReport {
  const recomputeProblems = recomputed === null ? [] : compareRecomputed(records, recomputed);
  if (recomputed !== null) for (const ts of asked) if (!recomputed.has(ts)) recomputeProblems.push({ ts, problem: 'could not be recomputed: the inputs give no record at this grid time' });
  return {
    records: records.length,
    from: records[0]?.ts ?? null,
    to: records[records.length - 1]?.ts ?? null,
    chainProblems: verifyChain(records, prevOfFirst),
    recomputed: recomputed === null ? 0 : asked.length,
    recomputeProblems,
  };
}
