// `syi verify` and the auditor: check published `syi.calculated` records — every digest
// recomputes, every prevDigest links to the record before — and recompute records from the
// input topics by the plain replay of the methodology (§5): every input the processor did not
// dead-letter as late, in (ts, topic-partition, offset) order, applied to one state, evaluated
// at T. Nothing of the processor's watermark, reorder buffer, restore or transactions is used,
// so a fault in those shows as a difference. Pure: the caller reads Kafka.
import {
  METHODOLOGY_V1,
  validateEvent,
  type IndexEvent,
  type InputTopic,
  type MethodologyParams,
} from '@stableyield/index-engine';
import type { SyiRecord } from '@stableyield/schemas';
import { ChainedIndexState } from './chained-state';
import { recordDigest, verifyChain, type ChainProblem } from './digest';

/** One input record as read from its topic (logical topic name, decoded value). */
export interface StoredInput {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: unknown;
}

/** "topic/partition/offset": how inputs are named in the set of those left out. */
export const inputId = (topic: string, partition: number | string, offset: number | string): string =>
  `${topic}/${partition}/${offset}`;

/** Picks up to n grid times spread evenly over the records (first and last included). */
export function sampleTimes(records: readonly SyiRecord[], n: number): number[] {
  if (n <= 0 || records.length === 0) return [];
  if (n >= records.length) return records.map((r) => r.ts);
  const out = new Set<number>();
  for (let i = 0; i < n; i++)
    out.add((records[Math.round((i * (records.length - 1)) / Math.max(1, n - 1))] as SyiRecord).ts);
  return [...out];
}

export interface ReplayInput {
  /** "topic/partition", compared as a string: the processor's order for equal ts */
  readonly partition: string;
  readonly offset: number;
  readonly event: IndexEvent;
}

/** Orders events as the methodology applies them: by ts, equal ts by (topic/partition, offset). */
export function compareReplayInputs(a: ReplayInput, b: ReplayInput): number {
  if (a.event.ts !== b.event.ts) return a.event.ts - b.event.ts;
  if (a.partition !== b.partition) return a.partition < b.partition ? -1 : 1;
  return a.offset - b.offset;
}

/** What of the stored inputs the replay applies, and what it could not use. */
export interface ReplayInputs {
  readonly events: ReplayInput[];
  /** inputs that are not valid events (the processor dead-letters them as invalid) */
  readonly invalid: number;
  /** inputs left out because the processor dead-lettered them as late */
  readonly excluded: number;
}

/** Validates the stored inputs, leaves out `excluded` ones and sorts the rest in replay order. */
export function replayInputs(inputs: readonly StoredInput[], excluded: ReadonlySet<string>): ReplayInputs {
  const events: ReplayInput[] = [];
  let invalid = 0;
  let left = 0;
  for (const input of inputs) {
    if (excluded.has(inputId(input.topic, input.partition, input.offset))) {
      left++;
      continue;
    }
    const parsed = validateEvent({ topic: input.topic, value: input.value });
    if (parsed.ok)
      events.push({ partition: `${input.topic}/${input.partition}`, offset: input.offset, event: parsed.event });
    else invalid++;
  }
  events.sort(compareReplayInputs);
  return { events, invalid, excluded: left };
}

/**
 * Recomputes the records at `times` by the plain replay: every event in replay order, each grid
 * time T evaluated once every event with ts ≤ T is applied. The records are chained to a null
 * prevDigest: compare them with `compareRecomputed`, which takes the published prevDigest.
 */
export function recomputeRecords(
  inputs: readonly StoredInput[],
  times: readonly number[],
  excluded: ReadonlySet<string>,
  params: MethodologyParams = METHODOLOGY_V1,
): Map<number, SyiRecord> {
  const { events } = replayInputs(inputs, excluded);
  const state = new ChainedIndexState(params);
  const out = new Map<number, SyiRecord>();
  let next = 0;
  for (const T of [...new Set(times)].sort((a, b) => a - b)) {
    while (next < events.length && (events[next] as ReplayInput).event.ts <= T)
      state.apply((events[next++] as ReplayInput).event);
    const record = state.recordAt(T, null);
    if (record !== null) out.set(T, record);
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

/**
 * Compares published records with their recomputation (values, inputsDigest, digest given the published
 * prevDigest).
 */
export function compareRecomputed(
  published: readonly SyiRecord[],
  recomputed: ReadonlyMap<number, SyiRecord>,
): ChainProblem[] {
  const problems: ChainProblem[] = [];
  for (const p of published) {
    if (!recomputed.has(p.ts)) continue;
    const r = recomputed.get(p.ts) as SyiRecord;
    if (r.inputsDigest !== p.inputsDigest)
      problems.push({
        ts: p.ts,
        problem: `inputsDigest ${p.inputsDigest} differs from the recomputed ${r.inputsDigest}`,
      });
    const digest = recordDigest({ ...r, prevDigest: p.prevDigest });
    if (digest !== p.digest)
      problems.push({
        ts: p.ts,
        problem:
          `recomputed record (value ${r.value}, published ${p.value}) ` + `has digest ${digest}, published ${p.digest}`,
      });
  }
  return problems;
}

/** Chain checks of the range plus the recomputation results, as one report. */
export function verifyRange(
  records: readonly SyiRecord[],
  prevOfFirst: string | null | undefined,
  recomputed: ReadonlyMap<number, SyiRecord> | null,
  asked: readonly number[],
): VerifyReport {
  const recomputeProblems = recomputed === null ? [] : compareRecomputed(records, recomputed);
  if (recomputed !== null)
    for (const ts of asked)
      if (!recomputed.has(ts))
        recomputeProblems.push({ ts, problem: 'could not be recomputed: the inputs give no record at this grid time' });
  return {
    records: records.length,
    from: records[0]?.ts ?? null,
    to: records[records.length - 1]?.ts ?? null,
    chainProblems: verifyChain(records, prevOfFirst),
    recomputed: recomputed === null ? 0 : asked.length,
    recomputeProblems,
  };
}

/**
 * How far before T an input topic's records can still change the record for T: the peg window
 * for prices (their per-minute samples over 24 h), otherwise the longest freshness of the topic.
 */
export function inputLookbackMs(topic: InputTopic, params: MethodologyParams = METHODOLOGY_V1): number {
  const f = params.freshnessMs;
  switch (topic) {
    case 'cc.prices':
    case 'pyth.prices':
      return Math.max(params.peg.windowMs, f.price, f.volume);
    case 'cc.orderbook':
      return f.orderBook;
    case 'dl.apy':
      return f.poolApy;
    case 'ex.mktcap':
      return f.marketCap;
    case 'trad.tbill':
      return f.tbill;
  }
}

/** What is left of one input partition: whether records were deleted before the first one kept. */
export interface RetainedPartition {
  readonly topic: InputTopic;
  /** the log start offset is past 0: retention (or a deletion) removed the records before it */
  readonly truncated: boolean;
  /** ts of the first record still there (null when none is) */
  readonly firstTs: number | null;
}

/**
 * The first T the retained inputs recompute exactly: after every truncated partition's first
 * kept record by that topic's look-back (before it, records that were in force or in the peg
 * window are gone). −Infinity when nothing was deleted; Infinity when a truncated partition
 * holds nothing at all.
 */
export function reproducibleFrom(
  partitions: readonly RetainedPartition[],
  params: MethodologyParams = METHODOLOGY_V1,
): number {
  let from = -Infinity;
  for (const p of partitions) {
    if (!p.truncated) continue;
    const bound = p.firstTs === null ? Infinity : p.firstTs + inputLookbackMs(p.topic, params);
    if (bound > from) from = bound;
  }
  return from;
}
