// End-to-end latency of the keeper: a Hermes event reaching the input topic (producer acked) → the
// chain holding that price or a newer one (the transaction carrying it mined on anvil, automine),
// observed by polling getPriceUnsafe every 20 ms. One feed, one event per 400 ms Hermes slot, each
// moving the price 0.02 % further (past the 0.01 % threshold). Runs the real keeper wiring (createKeeperApp)
// against the real broker and a private anvil with MockPyth. Prints JSON.
//   npx tsx apps/keeper/bench/latency.ts [--events 150] [--debounce 400,1000]
import { nowS, priceConfigYaml, startEnv, startKeeper, waitFor } from '../test/harness';

const argOf = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const EVENTS = Number(argOf('events', '150'));
const DEBOUNCES = argOf('debounce', '400,1000').split(',').map(Number);
const SLOT_MS = 400;
const ONE = 100_000_000n;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
const summary = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s.at(-1) ?? Number.NaN };
};

async function runProfile(debounceMs: number) {
  const env = await startEnv();
  const keeper = await startKeeper(
    env,
    {
      LOG_LEVEL: process.env['KEEPER_BENCH_LOG'] ?? 'silent',
      DEBOUNCE_MS: String(debounceMs),
      MAX_STALENESS: '100000000',
      RECEIPT_POLL_MS: '50',
      ONCHAIN_REFRESH_MS: '5000',
    },
    priceConfigYaml({ price_deviation: 0.01, time_difference: 100_000_000 }, ['usdc']),
  );
  const transitions: { atMs: number; publishTime: number }[] = [];
  let watching = true;
  const watcher = (async () => {
    let last = -1;
    while (watching) {
      const p = await env.onchain('usdc');
      if (p && p.publishTime !== last) {
        transitions.push({ atMs: Date.now(), publishTime: p.publishTime });
        last = p.publishTime;
      }
      await sleep(20);
    }
  })();

  // Synthetic publish times (one per event) so every slot is a distinct update to the keeper.
  const base = nowS() - 10 * EVENTS;
  const produced: { publishTime: number; atMs: number }[] = [];
  const t0 = Date.now();
  for (let i = 0; i < EVENTS; i++) {
    const price = ONE + BigInt(i) * 20_000n; // +0.02 % per slot: every event deviates from the chain
    await env.produce([{ feed: 'usdc', price, publishTime: base + i }]);
    produced.push({ publishTime: base + i, atMs: Date.now() });
    await sleep(Math.max(0, t0 + (i + 1) * SLOT_MS - Date.now()));
  }
  await waitFor('last event on-chain', () => (transitions.at(-1)?.publishTime ?? 0) >= base + EVENTS - 1, 60_000, 20);
  watching = false;
  await watcher;

  const lag = produced.map(
    (e) => (transitions.find((t) => t.publishTime >= e.publishTime)?.atMs ?? Number.NaN) - e.atMs,
  );
  const carried = produced.flatMap((e) => {
    const t = transitions.find((x) => x.publishTime === e.publishTime);
    return t ? [t.atMs - e.atMs] : [];
  });
  const status = await keeper.status();
  await keeper.stop();
  await env.close();
  return {
    debounceMs,
    events: EVENTS,
    transactions: status.keeper.pushesTotal,
    /** Every event: until the chain holds it or a newer price. */
    eventToOnchainMs: summary(lag),
    /** Events whose own price was the one a transaction carried. */
    carriedEventToMinedMs: summary(carried),
    targetP99Ms: debounceMs + 300,
    meetsTarget: summary(lag).p99 < debounceMs + 300,
  };
}

async function main(): Promise<void> {
  const results = [];
  for (const d of DEBOUNCES) results.push(await runProfile(d));
  console.log(
    JSON.stringify({ benchmark: 'keeper-latency', chain: 'anvil automine', hermesSlotMs: SLOT_MS, results }, null, 2),
  );
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
