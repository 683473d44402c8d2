// The shared test vectors of methodology v1 (§6), through the replay and through the
// incremental state fed event by event, with and without a checkpoint in the middle.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import {
  eventsPath,
  readJsonLines,
  VECTOR_NAMES,
  vectorDifferences,
  VECTORS_DIR,
  type ExpectedRecord,
} from '../test/vectors';
import { loadEvents, replayLog, runReplay, splitLines } from './replay';
import type { IndexRecord } from './record';
import { IndexState, type IndexStateSnapshot } from './state';

const STEP = 60_000;

async function replayFile(name: string): Promise<IndexRecord[]> {
  let out = '';
  await runReplay(splitLines(createReadStream(eventsPath(name))), {
    intervalSeconds: 60,
    skipInvalid: false,
    write: (t) => void (out += t),
  });
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as IndexRecord);
}

describe.each(VECTOR_NAMES)('vector %s', (name) => {
  const expected = readJsonLines<ExpectedRecord>(path.join(VECTORS_DIR, `${name}.expected.jsonl`));

  it('is matched by the replay as §6 defines', async () => {
    const actual = await replayFile(name);
    expect(vectorDifferences(expected, actual)).toEqual([]);
    expect(actual.length).toBe(expected.length);
    for (const r of actual) expect(r.methodologyVersion).toBe('1');
  });

  it('is matched by the incremental state fed event by event, also across a checkpoint', async () => {
    const { log } = await loadEvents(splitLines(createReadStream(eventsPath(name))), false);
    const fromReplay = [...replayLog(log, STEP)];
    const order = log.timeOrder();
    const range = log.timeRange!;
    const first = Math.ceil(range.min / STEP) * STEP;
    const middle = first + Math.floor((range.max - first) / STEP / 2) * STEP;
    const uninterrupted: IndexRecord[] = [];
    const checkpointed: IndexRecord[] = [];
    const state = new IndexState();
    let restored = new IndexState();
    let next = 0;
    for (let T = first; T <= range.max; T += STEP) {
      while (next < order.length && log.ts(order[next]!) <= T) {
        const event = log.get(order[next++]!);
        state.apply(event);
        restored.apply(event);
      }
      const a = state.evaluate(T);
      if (a !== null) uninterrupted.push(a);
      if (T === middle)
        restored = IndexState.fromJSON(JSON.parse(JSON.stringify(restored.toJSON())) as IndexStateSnapshot);
      const b = restored.evaluate(T);
      if (b !== null) checkpointed.push(b);
    }
    expect(uninterrupted).toEqual(fromReplay);
    expect(checkpointed).toEqual(fromReplay);
    expect(vectorDifferences(expected, uninterrupted)).toEqual([]);
    expect(restored.lastEventTs).toBe(state.lastEventTs);
  });
});
