import { validateEvent } from '@stableyield/index-engine';
import type { SyiRecord } from '@stableyield/schemas';
import { recordDigest } from './digest';
import { EventTimeIndex } from './event-time-index';
import { SyntheticMarket } from './synthetic';
import { compareRecomputed, recomputeRecords, sampleTimes, verifyRange, type StoredInput } from './verify';

const START = 1_767_225_600_000;

/** Inputs spread over 3 partitions per topic, and what a live EventTimeIndex publishes from them. */
function scenario() {
  const offsets = new Map<string, number>();
  const inputs: StoredInput[] = [...new SyntheticMarket({ startMs: START, seed: 8 }).until(START + 150_000)].map((r) => {
    const partition = r.key.length % 3;
    const key = `${r.topic}/${partition}`;
    const offset = offsets.get(key) ?? 0;
    offsets.set(key, offset + 1);
    return { topic: r.topic, partition, offset, value: r.value };
  });
  const index = new EventTimeIndex({ gridStepMs: 1000, allowedLatenessMs: 200, idleTimeoutMs: 10_000 });
  const published: SyiRecord[] = [];
  for (const i of inputs) {
    const v = validateEvent({ topic: i.topic, value: i.value });
    if (!v.ok) throw new Error(v.error);
    index.offer(`${i.topic}/${i.partition}`, i.offset, v.event, 0);
    published.push(...index.advance(0));
  }
  return { inputs, published };
}

describe('verify', () => {
  const { inputs, published } = scenario();

  it('recomputes published records exactly (values, inputsDigest, digest)', () => {
    const times = sampleTimes(published, 5);
    expect(times).toHaveLength(5);
    expect(times[0]).toBe(published[0]?.ts);
    expect(times[4]).toBe(published[published.length - 1]?.ts);
    const recomputed = recomputeRecords(inputs, times, 1000, new Set());
    expect([...recomputed.keys()].sort()).toEqual([...times].sort());
    expect(compareRecomputed(published, recomputed)).toEqual([]);
    const report = verifyRange(published, null, recomputed, times);
    expect(report.chainProblems).toEqual([]);
    expect(report.recomputeProblems).toEqual([]);
  });

  it('reports a changed value and a broken link', () => {
    const k = 40;
    const original = published[k] as SyiRecord;
    const { digest: _d, ...body } = { ...original, value: original.value + 1e-6 };
    const forged = { ...body, digest: recordDigest(body) };
    const tampered = published.map((r, i) => (i === k ? forged : r));
    const recomputed = recomputeRecords(inputs, [original.ts], 1000, new Set());
    expect(compareRecomputed(tampered, recomputed).map((p) => p.ts)).toEqual([original.ts]);
    const chain = verifyRange(tampered, null, null, []).chainProblems;
    expect(chain.map((p) => p.ts)).toEqual([(published[k + 1] as SyiRecord).ts]);
  });

  it('leaves out inputs the processor dead-lettered as late', () => {
    const target = (published[60] as SyiRecord).ts;
    const victim = inputs.find((i) => i.topic === 'pyth.prices' && (i.value as { ts: number }).ts > target - 400 && (i.value as { ts: number }).ts <= target) as StoredInput;
    const without = recomputeRecords(inputs, [target], 1000, new Set([`${victim.topic}/${victim.partition}/${victim.offset}`]));
    const withAll = recomputeRecords(inputs, [target], 1000, new Set());
    expect(without.get(target)?.inputsDigest).not.toBe(withAll.get(target)?.inputsDigest);
  });
});
