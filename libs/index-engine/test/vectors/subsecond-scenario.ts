// The `subsecond` vector: two and a half minutes of market on the live pipeline's default grid,
// I = 250 ms, with events between grid points. libs/index-engine/src/subsecond-vector.test.ts
// checks what only a sub-second grid shows against values worked out by hand: an event counts
// from the first grid point at or after its ts, freshness ends to the millisecond, and the peg
// samples hold T itself between the minute samples.
//
//   npx tsx libs/index-engine/test/vectors/subsecond-scenario.ts   rewrites subsecond.events.jsonl and
//                                                                 subsecond.expected.jsonl (replay, I = 250 ms)
import type { IndexEvent } from '../../src/events';
import { book, ccPrice, mktcap, pool, pythPrice, tbill } from '../builders';
import { writeVector } from '../vectors';

/** 2026-01-01T00:00:00Z, a minute boundary and the first grid point. */
export const T0 = 1_767_225_600_000;
export const GRID_MS = 250;
/** One second before T0: when the market was first seen. */
export const START = T0 - 1_000;
const END = T0 + 150_000;

const deepBook = (symbol: string, ts: number) => book(symbol, 'a', [[0.9999, 2e7]], [[1.0001, 2e7]], ts);

export function subsecondEvents(): IndexEvent[] {
  const events: IndexEvent[] = [
    tbill(3.9, START),
    // USDC: priced by Pyth every 400 ms (a Hermes slot), a few basis points around par, and by
    // venue a every 30 s.
    pool('usdc-a', 'USDC', 5e7, 5, START),
    mktcap('USDC', 5e10, START),
    deepBook('USDC', START),
    // USDT: venues a and b at START, at par together (median 1). Venue a moves to 0.998 at
    // T0 + 100 ms, between two grid points: the grid point T0 does not see it, T0 + 250 ms does.
    // Venue b is never priced again: fresh for price through START + 120 000 = T0 + 119 000
    // inclusive, stale from the grid point T0 + 119 250 on.
    pool('usdt-a', 'USDT', 3e7, 3, START),
    mktcap('USDT', 4e10, START),
    deepBook('USDT', START),
    ccPrice('USDT', 'a', 1.0001, START, 1e8),
    ccPrice('USDT', 'b', 0.9999, START, 1e8),
    ccPrice('USDT', 'a', 0.998, T0 + 100, 1e8),
    // venue a again just after its own 120 s: it stays fresh for the rest of the run
    ccPrice('USDT', 'a', 0.998, T0 + 100_050, 1e8),
  ];
  const wobble = [1.0002, 0.9998, 1.0001, 0.9999, 1];
  let slot = 0;
  for (let ts = START; ts <= END; ts += 400) events.push(pythPrice('USDC', wobble[slot++ % wobble.length]!, ts));
  for (let ts = START; ts <= END; ts += 30_000) events.push(ccPrice('USDC', 'a', 1.0001, ts, 1e8));
  return events.sort((a, b) => a.ts - b.ts);
}

if (require.main === module) void writeVector('subsecond', subsecondEvents(), GRID_MS / 1000);
