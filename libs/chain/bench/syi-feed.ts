// The SYI feed's cost: gas per publish on anvil (SyiFeed, as the keeper sends it) beside the Pyth
// pushes' gas (MockPyth, 1 and 8 feeds), and publishes per hour at the default triggers
// (SYI_DEVIATION_BPS 1, SYI_HEARTBEAT_S 3600, SYI_MIN_INTERVAL_S 0) on the simulator's market:
// libs/market-model's Market (what apps/market-sim serves) turned into the index's input events at
// ingest-market's default cadences (Pyth every second, Binance prices and books every 15 s,
// CryptoCompare every 60 s, DefiLlama yields and market caps every 10 min, FRED once), the index
// evaluated on its 1 s grid (IndexState, as processor-syi does), and the keeper's real decision
// (decideSyi) run on every record. Prints one JSON object.
//   npm run --silent bench -- chain/syi-feed [--hours 6] [--seed 42]
import { parseArgs } from 'node:util';
import { IndexState, METHODOLOGY_V1, type IndexEvent } from '@stableyield/index-engine';
import { ASSETS, binanceDepth, CONSTITUENTS, Market } from '@stableyield/market-model';
import { keccak256, toHex } from 'viem';
import { readLatestSyi, syiRoundOf, type OnchainSyi, type SyiRound } from '../src/syi-feed';
import { decideSyi, defaultSyiTriggers, type SyiTriggers } from '../src/keeper/syi-decision';
import { SyiPublisher } from '../src/keeper/syi-publisher';
import { MemoryTxStateStore } from '../src/tx/nonce-manager';
import { deployTestSyiFeed } from '../src/testing';
import { batchOf, nowS, SOLC_CACHE, startChain } from '../test/fixtures';

const { values: args } = parseArgs({
  options: { hours: { type: 'string', default: '6' }, seed: { type: 'string', default: '42' } },
});
const HOURS = Number(args.hours);
const SEED = Number(args.seed);
/** The keeper app's defaults are defaultSyiTriggers; a 60 s minimum interval shown beside them. */
const WITH_MIN_INTERVAL: SyiTriggers = { ...defaultSyiTriggers, minIntervalS: 60 };
const START = Date.UTC(2026, 0, 5, 0, 0, 0);
const HOUR = 3_600_000;

/** The index's input events of one simulated second, from the simulator's market model. */
function* eventsAt(market: Market, t: number): Generator<IndexEvent> {
  const second = Math.floor((t - START) / 1000);
  if (second === 0) {
    const rate = market.tbillOn(Math.floor(t / 86_400_000)) ?? market.tbillOn(Math.floor(t / 86_400_000) - 1) ?? 4.3;
    yield { topic: 'trad.tbill', ts: t, rate };
  }
  for (const symbol of CONSTITUENTS) {
    const q = market.pythQuote(symbol, t);
    yield { topic: 'pyth.prices', ts: t, symbol, price: Number(q.price) * 10 ** q.expo };
    if (second % 15 === 0) {
      yield {
        topic: 'cc.prices',
        ts: t,
        symbol,
        venue: 'binance',
        price: market.venuePrice(symbol, 'binance', t),
        volume24hUsd: market.volume24hUsd(symbol, 'binance', t),
      };
      const ticker = ASSETS.find((a) => a.symbol === symbol)!.tickerSymbol;
      const depth = binanceDepth(market, symbol === 'USDT' ? 'USDTUSDC' : `${ticker}USDT`, 20, t) as {
        bids: [string, string][];
        asks: [string, string][];
      } | null;
      if (depth) {
        const levels = (side: [string, string][]) =>
          side.map(([p, q]): readonly [number, number] => [Number(p), Number(q)]);
        yield {
          topic: 'cc.orderbook',
          ts: t,
          symbol,
          venue: 'binance',
          bids: levels(depth.bids),
          asks: levels(depth.asks),
        };
      }
    }
    if (second % 60 === 0) {
      yield {
        topic: 'cc.prices',
        ts: t,
        symbol,
        venue: 'cryptocompare',
        price: market.venuePrice(symbol, 'cryptocompare', t),
        volume24hUsd: market.volume24hUsd(symbol, 'cryptocompare', t),
      };
    }
    if (second % 600 === 0) yield { topic: 'ex.mktcap', ts: t, symbol, marketCapUsd: market.marketCapUsd(symbol, t) };
  }
  if (second % 600 === 0) {
    for (const p of market.pools(t))
      yield { topic: 'dl.apy', ts: t, pool: p.pool, symbol: p.symbol, tvlUsd: p.tvlUsd, apyBase: p.apyBase };
  }
}

interface Simulated {
  records: number;
  publishes: Record<string, number>;
  perHour: number;
  meanOnchainAgeS: number;
  maxOnchainAgeS: number;
  maxHeldDeviationBps: number;
  syiRange: [number, number];
}

/** Publishes the keeper would make on the simulated market: decideSyi on every 1 s record. */
function simulate(triggers: SyiTriggers): Simulated {
  const market = new Market(SEED);
  const state = new IndexState(METHODOLOGY_V1);
  let onchain: OnchainSyi | undefined;
  const publishes: Record<string, number> = {};
  let records = 0;
  let ageSum = 0;
  let ageMax = 0;
  let heldMax = 0;
  let lo = Infinity;
  let hi = -Infinity;
  const hex = (n: number): string => n.toString(16).padStart(64, '0');
  for (let t = START; t < START + HOURS * HOUR; t += 1000) {
    for (const e of eventsAt(market, t)) state.apply(e);
    const record = state.evaluate(t);
    if (!record) continue;
    records++;
    lo = Math.min(lo, record.value);
    hi = Math.max(hi, record.value);
    const round: SyiRound = syiRoundOf({
      ts: record.ts,
      value: record.value,
      rpl: record.rpl,
      inputsDigest: hex(records),
      digest: hex(records),
    });
    const d = decideSyi(round, onchain, t / 1000, triggers);
    if (d.publish) {
      publishes[d.reason] = (publishes[d.reason] ?? 0) + 1;
      onchain = { roundId: (onchain?.roundId ?? 0n) + 1n, ...round };
    } else if (d.deviationBps !== undefined && Number.isFinite(d.deviationBps)) {
      heldMax = Math.max(heldMax, d.deviationBps);
    }
    const age = onchain ? t / 1000 - Number(onchain.updatedAt) : 0;
    ageSum += age;
    ageMax = Math.max(ageMax, age);
  }
  const total = Object.values(publishes).reduce((a, b) => a + b, 0);
  return {
    records,
    publishes,
    perHour: +(total / HOURS).toFixed(2),
    meanOnchainAgeS: +(ageSum / Math.max(1, records)).toFixed(1),
    maxOnchainAgeS: ageMax,
    maxHeldDeviationBps: +heldMax.toFixed(3),
    syiRange: [+lo.toFixed(5), +hi.toFixed(5)],
  };
}

const median = (xs: bigint[]): bigint =>
  [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[Math.floor(xs.length / 2)]!;

/** Gas of SyiFeed publishes through the keeper's path (SyiPublisher → TxSubmitter) and of Pyth pushes, on anvil. */
async function measureGas(): Promise<{
  syiFirst: bigint;
  syiPublish: bigint;
  pyth1: bigint;
  pyth8: bigint;
  effectiveGasPriceGwei: number;
}> {
  const chain = await startChain();
  try {
    const feed = await deployTestSyiFeed(chain.anvil, chain.keeper, SOLC_CACHE);
    const submitter = chain.submitter({}, new MemoryTxStateStore());
    const { publicClient } = chain.clients();
    const publisher = new SyiPublisher(
      { feed, triggers: { ...defaultSyiTriggers, deviationBps: 0.0001 }, refreshMs: 60_000, debounceMs: 60_000 },
      { publicClient, submitter },
    );
    const t0 = nowS() - 3_600;
    const gas: bigint[] = [];
    let price = 0;
    for (let i = 0; i < 11; i++) {
      publisher.ingest({
        ts: (t0 + 60 * i) * 1000,
        value: 4.2 + i * 0.01,
        rpl: 0.3 + i * 0.01,
        inputsDigest: keccak256(toHex(`in${i}`)).slice(2),
        digest: keccak256(toHex(`d${i}`)).slice(2),
      });
      const r = await publisher.runOnce();
      if (r.result?.status !== 'mined')
        throw new Error(`publish ${i} not mined: ${JSON.stringify(r.decision)} ${r.error ?? r.result?.status}`);
      gas.push(r.result.receipt.gasUsed);
      price = Number(r.result.receipt.effectiveGasPrice) / 1e9;
    }
    if ((await readLatestSyi(publicClient, feed))?.roundId !== 11n) throw new Error('the feed does not hold 11 rounds');
    const pushOf = async (size: number): Promise<bigint> => {
      const ids = Array.from({ length: size }, (_, i) => keccak256(toHex(`bench-${size}-${i}`)));
      const t = nowS();
      await submitter.submit(batchOf(ids.map((id) => ({ id, price: 100_000_000n, publishTime: t }))));
      const update = await submitter.submit(
        batchOf(ids.map((id) => ({ id, price: 100_100_000n, publishTime: t + 1 }))),
      );
      if (update.status !== 'mined') throw new Error(`push failed: ${update.status}`);
      return update.receipt.gasUsed;
    };
    return {
      syiFirst: gas[0]!,
      syiPublish: median(gas.slice(1)),
      pyth1: await pushOf(1),
      pyth8: await pushOf(8),
      effectiveGasPriceGwei: +price.toFixed(3),
    };
  } finally {
    await chain.anvil.stop();
  }
}

async function main(): Promise<void> {
  const gas = await measureGas();
  const atDefaults = simulate(defaultSyiTriggers);
  const minInterval60 = simulate(WITH_MIN_INTERVAL);
  const syiGasPerHour = Math.round(atDefaults.perHour * Number(gas.syiPublish));
  console.log(
    JSON.stringify({
      bench: 'syi-feed',
      chain: 'anvil (automine) + SyiFeed + MockPyth',
      market: {
        model: 'libs/market-model',
        seed: SEED,
        simulatedHours: HOURS,
        grid: '1s',
        records: atDefaults.records,
        syiRange: atDefaults.syiRange,
      },
      gas: {
        syiFirstPublish: gas.syiFirst.toString(),
        syiPublish: gas.syiPublish.toString(),
        pythPush1Feed: gas.pyth1.toString(),
        pythPush8Feeds: gas.pyth8.toString(),
      },
      defaults: {
        triggers: defaultSyiTriggers,
        publishesPerHour: atDefaults.perHour,
        publishesByTrigger: atDefaults.publishes,
        syiGasPerHour,
        meanOnchainAgeS: atDefaults.meanOnchainAgeS,
        maxOnchainAgeS: atDefaults.maxOnchainAgeS,
        maxHeldDeviationBps: atDefaults.maxHeldDeviationBps,
      },
      withMinInterval60s: {
        triggers: WITH_MIN_INTERVAL,
        publishesPerHour: minInterval60.perHour,
        publishesByTrigger: minInterval60.publishes,
        syiGasPerHour: Math.round(minInterval60.perHour * Number(gas.syiPublish)),
        maxOnchainAgeS: minInterval60.maxOnchainAgeS,
        maxHeldDeviationBps: minInterval60.maxHeldDeviationBps,
      },
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
