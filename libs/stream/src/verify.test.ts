import fc from 'fast-check';
import { INPUT_TOPICS, validateEvent } from '@stableyield/index-engine';
import { topicSpec, VERIFICATION_HORIZON_MS } from '@stableyield/kafka';
import type { SyiRecord } from '@stableyield/schemas';
import { recordDigest } from './digest';
import { EventTimeIndex } from './event-time-index';
import { SyntheticMarket } from './synthetic';
import {
  compareRecomputed,
  inputId,
  inputLookbackMs,
  recomputeRecords,
  reproducibleFrom,
  sampleTimes,
  verifyRange,
  type StoredInput,
} from './verify';
import { partitionedMarket, publishLive } from '../test/live-index';

const START = 1_767_225_600_000;

/** Inputs spread over 3 partitions per topic, and what a live EventTimeIndex publishes from them. */
function scenario() {
  const offsets = new Map<string, number>();
  const inputs: StoredInput[] = [...new SyntheticMarket({ startMs: START, seed: 8 }).until(START + 150_000)].map(
    (r) => {
      const partition = r.key.length % 3;
      const key = `${r.topic}/${partition}`;
      const offset = offsets.get(key) ?? 0;
      offsets.set(key, offset + 1);
      return { topic: r.topic, partition, offset, value: r.value };
    },
  );
  const index = new EventTimeIndex({ gridStepMs: 1000, allowedLatenessMs: 200, idleTimeoutMs: 10_000 });
  const published: SyiRecord[] = [];
  for (const i of inputs) {
    const v = validateEvent({ topic: i.topic, value: i.value });
    if (!v.ok) throw new Error(v.error);
    expect(index.offer(`${i.topic}/${i.partition}`, i.offset, v.event, 0).kind).toBe('buffered');
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
    const recomputed = recomputeRecords(inputs, times, new Set());
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
    const recomputed = recomputeRecords(inputs, [original.ts], new Set());
    expect(compareRecomputed(tampered, recomputed).map((p) => p.ts)).toEqual([original.ts]);
    const chain = verifyRange(tampered, null, null, []).chainProblems;
    expect(chain.map((p) => p.ts)).toEqual([(published[k + 1] as SyiRecord).ts]);
  });

  it('leaves out inputs the processor dead-lettered as late', () => {
    const target = (published[60] as SyiRecord).ts;
    const victim = inputs.find(
      (i) =>
        i.topic === 'pyth.prices' &&
        (i.value as { ts: number }).ts > target - 400 &&
        (i.value as { ts: number }).ts <= target,
    ) as StoredInput;
    const without = recomputeRecords(
      inputs,
      [target],
      new Set([`${victim.topic}/${victim.partition}/${victim.offset}`]),
    );
    const withAll = recomputeRecords(inputs, [target], new Set());
    expect(without.get(target)?.inputsDigest).not.toBe(withAll.get(target)?.inputsDigest);
  });
});

describe('verify: any arrival order the processor can see', () => {
  it('recomputes exactly what the processor published, whatever the interleaving', () => {
    let lateSeen = 0;
    let recordsSeen = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.nat(10_000), { minLength: 1, maxLength: 40 }),
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 64 }),
        // [skew of the interleaving, allowed lateness]: from nothing late to hundreds of late inputs
        fc.constantFrom([0, 200], [150, 200], [300, 200], [600, 500], [1500, 1000]),
        (seed, swaps, pick, [skewMs, latenessMs]) => {
          const inputs = partitionedMarket(seed, 150, swaps);
          const { published, late } = publishLive(inputs, pick, latenessMs, skewMs);
          lateSeen += late.size;
          recordsSeen += published.length;
          const recomputed = recomputeRecords(
            inputs,
            published.map((r) => r.ts),
            late,
          );
          expect(compareRecomputed(published, recomputed)).toEqual([]);
          expect([...recomputed.keys()]).toEqual(published.map((r) => r.ts));
        },
      ),
      { numRuns: 25, seed: 14 },
    );
    // not vacuous: most runs publish (one whose early market caps all came late publishes nothing), some inputs were
    // late
    expect(recordsSeen).toBeGreaterThan(25 * 60);
    expect(lateSeen).toBeGreaterThan(0);
  });

  it('would have caught the old verifier: sorting all inputs by ts alone drops an earlier offset', () => {
    const inputs = partitionedMarket(
      3,
      90,
      Array.from({ length: 60 }, (_, i) => i * 7),
    );
    const { published, late } = publishLive(inputs, [1, 2, 3, 5, 7, 11, 13], 200, 300);
    // the old way: one EventTimeIndex fed in global ts order, ignoring what offer says
    const index = new EventTimeIndex({
      gridStepMs: 1000,
      allowedLatenessMs: 1,
      idleTimeoutMs: Number.MAX_SAFE_INTEGER,
    });
    const old = new Map<number, SyiRecord>();
    let skipped = 0;
    const sorted = [...inputs].sort((a, b) => (a.value as { ts: number }).ts - (b.value as { ts: number }).ts);
    for (const i of sorted) {
      const v = validateEvent({ topic: i.topic, value: i.value });
      if (!v.ok || late.has(inputId(i.topic, i.partition, i.offset))) continue;
      if (index.offer(`${i.topic}/${i.partition}`, i.offset, v.event, 0).kind === 'skipped') skipped++;
      for (const r of index.advance(0)) old.set(r.ts, r);
    }
    expect(skipped).toBeGreaterThan(0);
    expect(compareRecomputed(published, old).length).toBeGreaterThan(0);
    expect(
      compareRecomputed(
        published,
        recomputeRecords(
          inputs,
          published.map((r) => r.ts),
          late,
        ),
      ),
    ).toEqual([]);
  });
});

describe('what the retained inputs can recompute', () => {
  const DAY = 86_400_000;

  it('keeps every input topic for its look-back plus the verification horizon, never compacted', () => {
    for (const topic of INPUT_TOPICS) {
      const spec = topicSpec(topic);
      expect({ topic, policy: spec.cleanupPolicy }).toEqual({ topic, policy: 'delete' });
      expect(spec.retentionMs).toBeGreaterThanOrEqual(inputLookbackMs(topic) + VERIFICATION_HORIZON_MS);
    }
    expect(inputLookbackMs('cc.prices')).toBe(DAY); // the peg window
    expect(inputLookbackMs('trad.tbill')).toBe(7 * DAY);
  });

  it('starts after the first kept record of every truncated partition by its topic look-back', () => {
    expect(reproducibleFrom([{ topic: 'cc.prices', truncated: false, firstTs: 5 }])).toBe(-Infinity);
    expect(
      reproducibleFrom([
        { topic: 'cc.prices', truncated: true, firstTs: 10 * DAY },
        { topic: 'trad.tbill', truncated: true, firstTs: 5 * DAY },
        { topic: 'dl.apy', truncated: false, firstTs: 0 },
      ]),
    ).toBe(12 * DAY);
    expect(reproducibleFrom([{ topic: 'ex.mktcap', truncated: true, firstTs: null }])).toBe(Infinity);
  });
});
