import { replayLog, EventLog, validateEvent, type IndexEvent } from '@stableyield/index-engine';
import type { SyiRecord } from '@stableyield/schemas';
import { verifyChain } from './digest';
import { EventTimeIndex } from './event-time-index';
import { SyntheticMarket } from './synthetic';

const START = 1_767_225_600_000;

function events(seconds: number): { partition: string; event: IndexEvent }[] {
  const market = new SyntheticMarket({ startMs: START, seed: 3 });
  return [...market.until(START + seconds * 1000)].map((r) => {
    const v = validateEvent({ topic: r.topic, value: r.value });
    if (!v.ok) throw new Error(v.error);
    return { partition: `${r.topic}/${r.key.length % 3}`, event: v.event };
  });
}

function expected(input: { event: IndexEvent }[]) {
  const log = new EventLog();
  for (const e of input) log.push(e.event);
  return [...replayLog(log, 1000)];
}

/** Feeds events in arrival order, one "wall ms" per event; restarts from a checkpoint every `restartEvery`. */
function run(input: { partition: string; event: IndexEvent }[], restartEvery: number | null): SyiRecord[] {
  const options = { gridStepMs: 1000, allowedLatenessMs: 200, idleTimeoutMs: 10_000 };
  let index = new EventTimeIndex(options);
  const published: SyiRecord[] = [];
  const offsets = new Map<string, number>();
  const withOffsets = input.map((e) => {
    const offset = offsets.get(e.partition) ?? 0;
    offsets.set(e.partition, offset + 1);
    return { ...e, offset };
  });
  let i = 0;
  while (i < withOffsets.length) {
    const e = withOffsets[i] as (typeof withOffsets)[number];
    const result = index.offer(e.partition, e.offset, e.event, i);
    expect(result.kind).not.toBe('late');
    published.push(...index.advance(i));
    i++;
    if (restartEvery !== null && i % restartEvery === 0) {
      const saved = JSON.parse(JSON.stringify(index.checkpoint())) as ReturnType<EventTimeIndex['checkpoint']>;
      index = new EventTimeIndex(options);
      index.restore(saved);
      // re-read every partition from its resume offset, as the processor does
      const resume = index.resumeOffsets();
      const replay = withOffsets.slice(0, i).filter((x) => x.offset >= (resume.get(x.partition) ?? 0));
      for (const x of replay) {
        const r = index.offer(x.partition, x.offset, x.event, i);
        expect(r.kind).not.toBe('late');
      }
    }
  }
  return published;
}

describe('EventTimeIndex', () => {
  const input = events(240);
  const replay = expected(input);

  it('publishes the replay at every grid point the watermark passed, chained', () => {
    const live = run(input, null);
    expect(live.length).toBeGreaterThan(200);
    expect(verifyChain(live, null)).toEqual([]);
    for (const [k, r] of live.entries()) {
      const e = replay[k];
      expect(r.ts).toBe(e?.ts);
      expect(r.value).toBe(e?.value);
      expect(r.constituents).toEqual(e?.constituents);
    }
  });

  it('publishes the same records when restarted from checkpoints', () => {
    const undisturbed = run(input, null);
    const restarted = run(input, 397);
    expect(restarted).toEqual(undisturbed);
  });

  it('declares an event at or before the last evaluated grid point late', () => {
    const index = new EventTimeIndex({ gridStepMs: 1000, allowedLatenessMs: 0, idleTimeoutMs: 10_000 });
    for (const [k, e] of input.slice(0, 200).entries()) index.offer(e.partition, k, e.event, 0);
    index.advance(0);
    const last = index.lastEvaluated as number;
    const late = index.offer('x/0', 0, { topic: 'ex.mktcap', ts: last, symbol: 'DAI', marketCapUsd: 1 }, 0);
    expect(late.kind).toBe('late');
  });
});
