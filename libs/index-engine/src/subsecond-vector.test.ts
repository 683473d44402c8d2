// The repository's `subsecond` vector (test/vectors/subsecond-scenario.ts) at the live
// pipeline's default grid step, I = 250 ms: the replay and the incremental state match it, the
// grid step never changes the value at a T (the methodology's own vectors, replayed at 250 ms,
// give their 60 s records at every minute), and what only a sub-second grid shows is checked
// against values worked out by hand.
import { createReadStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { toLine } from '../test/builders';
import {
  eventsPath,
  readJsonLines,
  replayRecords,
  vectorDifferences,
  VECTORS_DIR,
  type ExpectedRecord,
} from '../test/vectors';
import { GRID_MS, START, subsecondEvents, T0 } from '../test/vectors/subsecond-scenario';
import { loadEvents, replayLog, splitLines } from './replay';
import type { IndexRecord } from './record';
import { IndexState } from './state';

const expected = readJsonLines<ExpectedRecord>(path.join(VECTORS_DIR, 'subsecond.expected.jsonl'));
const at = (ts: number): ExpectedRecord => {
  const record = expected.find((r) => r.ts === ts);
  if (record === undefined) throw new Error(`no subsecond record at ${ts}`);
  return record;
};
const usdt = (ts: number) => at(ts).constituents.find((c) => c.symbol === 'USDT')!;

describe('subsecond vector (I = 250 ms)', () => {
  it('is the output of its scenario file, one record per grid point', () => {
    const lines = readFileSync(path.join(VECTORS_DIR, 'subsecond.events.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toEqual(subsecondEvents().map(toLine));
    const first = Math.ceil(START / GRID_MS) * GRID_MS;
    expect(expected[0]!.ts).toBe(first);
    expect(expected.every((r, i) => r.ts === first + i * GRID_MS)).toBe(true);
  });

  it('is matched by the replay and by the incremental state evaluated every 250 ms', async () => {
    const replayed = await replayRecords(splitLines(createReadStream(eventsPath('subsecond'))), GRID_MS / 1000);
    expect(vectorDifferences(expected, replayed)).toEqual([]);
    const { log } = await loadEvents(splitLines(createReadStream(eventsPath('subsecond'))), false);
    expect([...replayLog(log, GRID_MS)]).toEqual(replayed);
  });

  it('counts an event from the first grid point at or after its ts, not before', () => {
    // venue a of USDT: 1.0001 until T0 + 100 ms, then 0.998; venue b 0.9999 throughout
    expect(usdt(T0).price).toBeCloseTo(1, 12);
    expect(usdt(T0 + 250).price).toBeCloseTo((0.998 + 0.9999) / 2, 12);
    expect(usdt(T0 + 250).devBps).toBeCloseTo(-10.5, 9);
  });

  it('ends freshness to the millisecond: a price of START is fresh at START + 120 s and stale 250 ms later', () => {
    expect(usdt(T0 + 119_000).price).toBeCloseTo((0.998 + 0.9999) / 2, 12);
    expect(usdt(T0 + 119_250).price).toBe(0.998);
  });

  it('samples the peg at T itself between minutes: at T0 + 250 ms K holds T0 (a minute) and T', () => {
    // K = {0, −10.5} bps: σ = 5.25; H = mean(h) with h(x) = x²/20 for |x| ≤ 10 else |x| − 5: (0 + 5.5) / 2
    expect(usdt(T0).sigmaBps).toBeCloseTo(0, 9);
    expect(usdt(T0 + 250).sigmaBps).toBeCloseTo(5.25, 9);
    expect(usdt(T0 + 250).pegScore).toBeCloseTo(Math.exp(-2.75 / 25), 12);
    // at the next minute K holds T0 and T0 + 60 s once each (T is itself a minute)
    expect(usdt(T0 + 60_000).sigmaBps).toBeCloseTo(5.25, 9);
  });
});

describe('the grid step never changes the value at a T', () => {
  it.each(['basic', 'stress'])(
    '%s replayed at 250 ms for ten minutes holds its 60 s records at every minute',
    async (name) => {
      const minuteRecords = readJsonLines<ExpectedRecord>(path.join(VECTORS_DIR, `${name}.expected.jsonl`));
      const { log } = await loadEvents(splitLines(createReadStream(eventsPath(name))), false);
      const order = log.timeOrder();
      const first = minuteRecords[0]!.ts; // the inputs start days before, with T-bills
      const state = new IndexState();
      const atMinutes: IndexRecord[] = [];
      let next = 0;
      for (let T = first; T <= first + 10 * 60_000; T += GRID_MS) {
        while (next < order.length && log.ts(order[next]!) <= T) state.apply(log.get(order[next++]!));
        const record = state.evaluate(T);
        if (record !== null && T % 60_000 === 0) atMinutes.push(record);
      }
      const window = minuteRecords.filter((r) => r.ts <= first + 10 * 60_000);
      expect(window.length).toBeGreaterThan(0);
      expect(vectorDifferences(window, atMinutes)).toEqual([]);
    },
  );
});
