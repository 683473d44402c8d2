// Transactions and gas per hour for the debounce profiles (400 ms / 1 s / 5 s) against a
// fixed-interval pusher, on the same simulated hour of Hermes prices (libs/market-model, the eight
// default feeds, one Hermes slot every 400 ms). The keeper's real decision (planPush) and batching
// rules run on a virtual clock; a transaction lands at its window's close; gas per transaction is the
// measured MockPyth cost (docs/keeper.md: ~27.3k + ~31.5k per feed).
//   npx tsx apps/keeper/bench/profiles.ts [--minutes 60] [--seed 42]
import { parsePriceConfig, planPush, type FeedId, type PriceInfo } from '@stableyield/chain';
import { ASSETS, Market } from '@stableyield/market-model';
import { DEFAULT_PRICE_CONFIG } from '../src/feeds';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const minutes = arg('minutes', 60);
const seed = arg('seed', 42);
const SLOT_MS = 400;
const REFRESH_MS = 5_000; // ONCHAIN_REFRESH_MS: the heartbeat/staleness clock
const gasOf = (feeds: number): number => 27_307 + 31_459 * feeds;

// The seed-table defaults: 0.01 % deviation, 300 s heartbeat, MAX_STALENESS 30 s, early updates on (0.5).
const feeds = parsePriceConfig(DEFAULT_PRICE_CONFIG, {
  timeDifferenceS: 300,
  priceDeviationPct: 0.01,
  confidenceRatioPct: 100,
});
const settings = { maxStalenessS: 30, includeEarly: true, earlyFraction: 0.5 };
const market = new Market(seed);
const symbolOf = new Map<FeedId, string>(ASSETS.map((a) => [`0x${a.pythId}`, a.symbol]));
const start = Date.UTC(2026, 0, 5, 14, 0, 0);
const end = start + minutes * 60_000;

function quote(id: FeedId, t: number): PriceInfo {
  const q = market.pythQuote(symbolOf.get(id)!, t);
  return { price: q.price, conf: q.conf, expo: q.expo, publishTime: Math.floor(t / 1000) };
}

interface Totals {
  profile: string;
  transactions: number;
  feedUpdates: number;
  gas: number;
  /** Mean and max of (now − on-chain publish time) sampled every slot, seconds. */
  meanOnchainAgeS: number;
  maxOnchainAgeS: number;
}

function run(
  profile: string,
  step: (t: number, sources: Map<FeedId, PriceInfo>, onchain: Map<FeedId, PriceInfo | undefined>) => FeedId[],
): Totals {
  const onchain = new Map<FeedId, PriceInfo | undefined>(feeds.map((f) => [f.id, undefined]));
  const sources = new Map<FeedId, PriceInfo>();
  let transactions = 0;
  let feedUpdates = 0;
  let gas = 0;
  let ageSum = 0;
  let ageMax = 0;
  let samples = 0;
  for (let t = start; t < end; t += SLOT_MS) {
    for (const f of feeds) sources.set(f.id, quote(f.id, t));
    const pushed = step(t, sources, onchain);
    if (pushed.length > 0) {
      transactions++;
      feedUpdates += pushed.length;
      gas += gasOf(pushed.length);
      for (const id of pushed) onchain.set(id, sources.get(id));
    }
    for (const f of feeds) {
      const age = (t - (onchain.get(f.id)?.publishTime ?? 0) * 1000) / 1000;
      if (t > start + 60_000) {
        ageSum += age;
        ageMax = Math.max(ageMax, age);
        samples++;
      }
    }
  }
  const perHour = 60 / minutes;
  return {
    profile,
    transactions: Math.round(transactions * perHour),
    feedUpdates: Math.round(feedUpdates * perHour),
    gas: Math.round(gas * perHour),
    meanOnchainAgeS: Number((ageSum / samples).toFixed(2)),
    maxOnchainAgeS: Number(ageMax.toFixed(2)),
  };
}

/** The keeper: a change that needs a push opens a window of debounceMs; at its close one decision, one tx. */
function keeperProfile(debounceMs: number): Totals {
  let windowCloses: number | undefined;
  let lastRefresh = start;
  return run(`keeper DEBOUNCE_MS=${debounceMs}`, (t, sources, onchain) => {
    const nowS = Math.floor(t / 1000);
    if (windowCloses !== undefined && t >= windowCloses) {
      windowCloses = undefined;
      return planPush(feeds, sources, onchain, nowS, settings, false).push.map((d) => d.id);
    }
    const refreshDue = t - lastRefresh >= REFRESH_MS;
    if (refreshDue) lastRefresh = t;
    // Every slot brings new Hermes prices (ingest), so the decision is evaluated on every slot.
    if (windowCloses === undefined && planPush(feeds, sources, onchain, nowS, settings, false).push.length > 0)
      windowCloses = t + debounceMs;
    return [];
  });
}

/** A naive pusher: every feed, every intervalMs, whatever moved. */
function fixedProfile(intervalMs: number): Totals {
  let next = start;
  return run(`fixed interval ${intervalMs / 1000} s`, (t) => {
    if (t < next) return [];
    next += intervalMs;
    return feeds.map((f) => f.id);
  });
}

const results = [
  keeperProfile(400),
  keeperProfile(1_000),
  keeperProfile(5_000),
  fixedProfile(1_000),
  fixedProfile(5_000),
  fixedProfile(30_000),
];
console.log(
  JSON.stringify(
    {
      benchmark: 'keeper-profiles',
      simulatedMinutes: minutes,
      seed,
      feeds: feeds.length,
      hermesSlotMs: SLOT_MS,
      thresholds: { priceDeviationPct: 0.01, heartbeatS: 300, maxStalenessS: 30, earlyFraction: 0.5 },
      gasModel: 'gas = 27307 + 31459 × feeds (MockPyth, libs/chain/bench/push-gas.ts)',
      perHour: results,
    },
    null,
    2,
  ),
);
