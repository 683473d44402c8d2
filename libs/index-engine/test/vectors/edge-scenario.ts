// The `edge` vector: a six-minute market built to reach the precisions of SYI-v1 that the
// methodology's own vectors (basic, stress) never exercise. Each case is named where it is
// built; libs/index-engine/src/edge-vector.test.ts checks the hand-computed outcome of each.
//
//   npx tsx libs/index-engine/test/vectors/edge-scenario.ts   rewrites edge.events.jsonl and
//                                                             edge.expected.jsonl (replay, I = 60 s)
import type { IndexEvent } from '../../src/events';
import { book, ccPrice, mktcap, pool } from '../builders';
import { writeVector } from '../vectors';

/** 2026-01-01T00:00:00Z, the first grid point. */
export const T0 = 1_767_225_600_000;
export const MINUTE = 60_000;
const START = T0 - 1_000;
const WEEK = 604_800_000;

const deepBook = (symbol: string, ts: number) => book(symbol, 'a', [[0.9999, 2e7]], [[1.0001, 2e7]], ts);

export function edgeEvents(): IndexEvent[] {
  const events: IndexEvent[] = [
    // T-bill fresh until T0 + 150 s (7-day limit): records up to T0 + 2 min carry it, later ones have rpl null.
    { topic: 'trad.tbill', ts: START - WEEK + 151_000, rate: 3.9 },

    // USDC: four pools of equal TVL, one an outlier; MAD = 1.4826, 5 × MAD = 7.413 drops the 40 % pool: APY_eff = 5.
    pool('usdc-a', 'USDC', 2e7, 4, START),
    pool('usdc-b', 'USDC', 2e7, 5, START),
    pool('usdc-c', 'USDC', 2e7, 6, START),
    pool('usdc-outlier', 'USDC', 2e7, 40, START),
    // below the 10 M TVL floor and a different symbol spelling: never counted
    pool('usdc-small', 'USDC', 9_999_999, 90, START),
    pool('usdc-e', 'USDC.e', 5e7, 90, START),
    mktcap('USDC', 5e10, START),
    deepBook('USDC', START),

    // USDT: venue b is priced once at START with a large volume: stale for price after 120 s,
    // fresh for volume until 600 s (it adds to V and not to P).
    pool('usdt-a', 'USDT', 3e7, 3, START),
    mktcap('USDT', 4e10, START),
    deepBook('USDT', START),
    ccPrice('USDT', 'b', 0.999, START, 1e9),

    // DAI: one pool, small market cap.
    pool('dai-a', 'DAI', 1.5e7, 6, START),
    mktcap('DAI', 5e9, START),
    deepBook('DAI', START),

    // PYUSD: eligible until its pool's record in force turns to apyBase null at T0 + 110 s; no
    // fall-back to the older 7 %.
    pool('pyusd-a', 'PYUSD', 1.2e7, 7, START),
    pool('pyusd-a', 'PYUSD', 1.2e7, null, T0 + 110_000),
    mktcap('PYUSD', 3e9, START),
    deepBook('PYUSD', START),

    // FDUSD: a market cap of 0 is valid input and leaves MC undefined: never eligible.
    pool('fdusd-a', 'FDUSD', 2e7, 8, START),
    mktcap('FDUSD', 0, START),
    deepBook('FDUSD', START),

    // USDe: no pool above the TVL floor, so never eligible, but its price still sets the mode:
    // −150 bps (high-vol) until T0 + 170 s, when two records share one ts and the later line,
    // at par, wins (normal from the grid point T0 + 3 min on).
    pool('usde-a', 'USDe', 5e6, 12, START),
    mktcap('USDe', 1e9, START),
    ccPrice('USDe', 'a', 0.985, START, 1e7),
    ccPrice('USDe', 'a', 0.985, T0 + 80_000, 1e7),
    ccPrice('USDe', 'a', 0.985, T0 + 170_000, 1e7),
    ccPrice('USDe', 'a', 1, T0 + 170_000, 1e7),
  ];
  // Venue a of the other symbols is repriced every 50 s, a hair off par, so P stays fresh. The
  // books are never refreshed: at the last grid point (T0 + 5 min) they are 301 s old, so D = 0.
  for (let ts = START; ts <= T0 + 6 * MINUTE; ts += 50_000) {
    for (const symbol of ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT']) events.push(ccPrice(symbol, 'a', 1.0001, ts, 1e8));
  }
  return events;
}

if (require.main === module) void writeVector('edge', edgeEvents(), 60);
