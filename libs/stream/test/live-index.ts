// Test helpers: a synthetic market stored in partitions as Kafka would hold it, and what a live
// EventTimeIndex publishes when it reads those partitions interleaved as fetches do.
import { validateEvent } from '@stableyield/index-engine';
import type { SyiRecord } from '@stableyield/schemas';
import { EventTimeIndex } from '../src/event-time-index';
import { SyntheticMarket } from '../src/synthetic';
import { inputId, type StoredInput } from '../src/verify';

export const START = 1_767_225_600_000;

/**
 * The synthetic market over `partitions` partitions per topic. Each number of `swaps` trades the
 * values at two neighbouring offsets of every partition (as at ingest-market's first poll, where
 * a later-stamped CryptoCompare price is written before an earlier-stamped Binance one), so
 * offsets no longer rise with ts.
 */
export function partitionedMarket(
  seed: number,
  seconds: number,
  swaps: readonly number[] = [],
  partitions = 2,
): StoredInput[] {
  const byPartition = new Map<string, StoredInput[]>();
  for (const r of new SyntheticMarket({ startMs: START, seed }).until(START + seconds * 1000)) {
    const partition = r.key.length % partitions;
    const key = `${r.topic}/${partition}`;
    const list = byPartition.get(key) ?? [];
    list.push({ topic: r.topic, partition, offset: list.length, value: r.value });
    byPartition.set(key, list);
  }
  const out: StoredInput[] = [];
  for (const list of byPartition.values()) {
    const values = list.map((i) => i.value);
    for (const s of values.length < 2 ? [] : swaps) {
      const k = s % (values.length - 1);
      [values[k], values[k + 1]] = [values[k + 1], values[k]];
    }
    list.forEach((input, offset) => out.push({ ...input, value: values[offset] }));
  }
  return out;
}

const tsOf = (i: StoredInput) => (i.value as { ts: number }).ts;

export interface LiveRun {
  readonly published: SyiRecord[];
  /** the inputs in the order the index read them */
  readonly read: StoredInput[];
  /** "topic/partition/offset" of the inputs it dead-lettered as late */
  readonly late: Set<string>;
  readonly partitions: string[];
}

/**
 * Reads every partition in offset order, interleaved: at each step one of the partitions whose
 * next record is within `skewMs` of the earliest next record is picked (by `pick`, cycled), as
 * fetches from several brokers interleave. The index publishes after every record.
 */
export function publishLive(
  inputs: readonly StoredInput[],
  pick: readonly number[],
  latenessMs: number,
  skewMs: number,
): LiveRun {
  const queues = new Map<string, StoredInput[]>();
  for (const i of inputs) {
    const key = `${i.topic}/${i.partition}`;
    queues.set(key, [...(queues.get(key) ?? []), i]);
  }
  for (const q of queues.values()) q.sort((a, b) => a.offset - b.offset);
  const index = new EventTimeIndex({ gridStepMs: 1000, allowedLatenessMs: latenessMs, idleTimeoutMs: 0 });
  const published: SyiRecord[] = [];
  const read: StoredInput[] = [];
  const late = new Set<string>();
  for (let step = 0; ; step++) {
    const open = [...queues].filter(([, q]) => q.length > 0);
    if (open.length === 0) break;
    const earliest = Math.min(...open.map(([, q]) => tsOf(q[0] as StoredInput)));
    const near = open.filter(([, q]) => tsOf(q[0] as StoredInput) <= earliest + skewMs);
    const [key, queue] = near[(pick[step % pick.length] as number) % near.length] as [string, StoredInput[]];
    const input = queue.shift() as StoredInput;
    const v = validateEvent({ topic: input.topic, value: input.value });
    if (!v.ok) throw new Error(v.error);
    read.push(input);
    const result = index.offer(key, input.offset, v.event, 0);
    if (result.kind === 'skipped')
      throw new Error(`${key} offset ${input.offset} skipped although read once, in order`);
    if (result.kind === 'late') late.add(inputId(input.topic, input.partition, input.offset));
    published.push(...index.advance(0));
  }
  return { published, read, late, partitions: [...queues.keys()] };
}
