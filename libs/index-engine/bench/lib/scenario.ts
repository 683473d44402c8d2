// A deterministic synthetic market for benchmarks: six constituents, two exchange venues and
// Pyth each, order books, pools, market caps and the T-bill, in event-time order.
import type { IndexEvent } from '../../src/events';
import { seededRandom as random } from '../../src/seeded-random';
import { pythPriceLine } from '../../test/builders';

const SYMBOLS = ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe'];

export const SCENARIO_START = 1_767_225_600_000;

/** About 12.7 events per simulated second; yields at least `count` events. */
export function* syntheticEvents(count: number, seed = 42): Generator<IndexEvent> {
  const rnd = random(seed);
  const level = SYMBOLS.map(() => 1 + (rnd() - 0.5) * 0.002);
  let produced = 0;
  for (let second = 0; produced < count; second++) {
    const base = SCENARIO_START + second * 1000;
    if (second % 86_400 === 0) {
      yield { topic: 'trad.tbill', ts: base, rate: 3.8 + rnd() * 0.2 };
      produced++;
    }
    for (let s = 0; s < SYMBOLS.length; s++) {
      const symbol = SYMBOLS[s]!;
      level[s] = 1 + (level[s]! - 1) * 0.999 + (rnd() - 0.5) * 0.0002;
      const ts = base + 1 + s * 150 + Math.floor(rnd() * 100); // in time order within the second
      yield { topic: 'pyth.prices', ts, symbol, price: level[s]! + (rnd() - 0.5) * 1e-4 };
      yield {
        topic: 'cc.prices',
        ts,
        symbol,
        venue: second % 2 === 0 ? 'binance' : 'cryptocompare',
        price: level[s]! + (rnd() - 0.5) * 2e-4,
        volume24hUsd: 1e8 * (1 + s) * (0.5 + rnd()),
      };
      produced += 2;
      if (second % 10 === s) {
        const mid = level[s]!;
        const levels = (sign: number) =>
          Array.from({ length: 12 }, (_, k): [number, number] => [
            mid + sign * (0.0001 + k * 0.0006),
            1e6 * (1 + rnd() * 4),
          ]);
        yield { topic: 'cc.orderbook', ts, symbol, venue: 'binance', bids: levels(-1), asks: levels(1) };
        produced++;
      }
      if (second % 600 === s) {
        for (let p = 0; p < 4; p++) {
          yield {
            topic: 'dl.apy',
            ts,
            pool: `${symbol}-pool-${p}`,
            symbol,
            tvlUsd: 2e7 + rnd() * 1e9,
            apyBase: p === 3 && rnd() < 0.1 ? null : 3 + rnd() * 4,
          };
          produced++;
        }
      }
      if (second % 3600 === s) {
        yield { topic: 'ex.mktcap', ts, symbol, marketCapUsd: 1e9 * (1 + s * 10) * (0.9 + rnd() * 0.2) };
        produced++;
      }
    }
  }
}

/** The JSON line of an event in the topic contract's shape. */
export function eventLine(event: IndexEvent): string {
  switch (event.topic) {
    case 'pyth.prices':
      return pythPriceLine(event, 'bench');
    case 'trad.tbill':
      return JSON.stringify({
        topic: event.topic,
        value: {
          series: 'DGS3MO',
          rate: event.rate,
          date: new Date(event.ts).toISOString().slice(0, 10),
          ts: event.ts,
        },
      });
    case 'dl.apy':
      return JSON.stringify({
        topic: event.topic,
        value: {
          pool: event.pool,
          project: 'bench',
          chain: 'Ethereum',
          symbol: event.symbol,
          tvlUsd: event.tvlUsd,
          apyBase: event.apyBase,
          apyReward: 0.1,
          apy: event.apyBase,
          ts: event.ts,
        },
      });
    case 'cc.prices':
    case 'cc.orderbook':
    case 'ex.mktcap': {
      const { topic, ...value } = event;
      return JSON.stringify({ topic, value });
    }
  }
}
