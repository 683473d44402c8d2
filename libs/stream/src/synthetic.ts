// A deterministic synthetic market for the processors' tests and benchmarks: the six v1
// constituents, Pyth and two exchange venues each, order books, pools, market caps and the
// T-bill, as topic records (key + value in the topic contract's shape) in event-time order.
// Default rates follow the local simulator: Pyth 2.5 updates a second per feed, venue prices
// every second, books every 5 s, pools and market caps every minute, the T-bill hourly.
import { seededRandom as random } from '@stableyield/index-engine';
import type { DataTopic, TopicValues } from '@stableyield/schemas';

export type InputRecord = {
  [T in DataTopic]: { topic: T; key: string; value: TopicValues[T] };
}['cc.prices' | 'pyth.prices' | 'cc.orderbook' | 'dl.apy' | 'ex.mktcap' | 'trad.tbill'];

export const SYNTHETIC_SYMBOLS = ['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe'] as const;
const VENUES = ['binance', 'cryptocompare'] as const;

export interface SyntheticOptions {
  seed?: number;
  /** event time of the first record (ms) */
  startMs: number;
  pythPeriodMs?: number;
  pricePeriodMs?: number;
  bookPeriodMs?: number;
  poolPeriodMs?: number;
  mktcapPeriodMs?: number;
  tbillPeriodMs?: number;
}

interface Stream {
  next: number;
  period: number;
  make: (ts: number) => InputRecord[];
}

export class SyntheticMarket {
  private readonly streams: Stream[] = [];
  private readonly rnd: () => number;
  private readonly level: number[];

  constructor(options: SyntheticOptions) {
    const rnd = (this.rnd = random(options.seed ?? 7));
    this.level = SYNTHETIC_SYMBOLS.map(() => 1 + (rnd() - 0.5) * 0.002);
    const start = options.startMs;
    const add = (period: number, make: (ts: number) => InputRecord[]) => {
      this.streams.push({ next: start + Math.floor(rnd() * period), period, make });
    };
    SYNTHETIC_SYMBOLS.forEach((symbol, s) => {
      add(options.pythPeriodMs ?? 400, (ts) => {
        const price = this.walk(s);
        return [
          {
            topic: 'pyth.prices',
            key: `feed-${symbol}`,
            value: { symbol, feedId: `feed-${symbol}`, price, conf: 0.0001, publishTime: Math.floor(ts / 1000), ts },
          },
        ];
      });
      for (const venue of VENUES) {
        add(options.pricePeriodMs ?? 1000, (ts) => [
          {
            topic: 'cc.prices',
            key: `${symbol}-${venue}`,
            value: { symbol, venue, price: this.quote(s), volume24hUsd: 1e8 * (1 + s) * (0.5 + rnd()), ts },
          },
        ]);
        add(options.bookPeriodMs ?? 5000, (ts) => {
          const mid = this.level[s] as number;
          const levels = (sign: number) =>
            Array.from({ length: 10 }, (_, k): [number, number] => [
              mid + sign * (0.0001 + k * 0.0006),
              1e6 * (1 + rnd() * 4),
            ]);
          return [
            {
              topic: 'cc.orderbook',
              key: `${symbol}-${venue}`,
              value: { symbol, venue, bids: levels(-1), asks: levels(1), ts },
            },
          ];
        });
      }
      add(options.poolPeriodMs ?? 60_000, (ts) =>
        Array.from({ length: 4 }, (_, p) => {
          const apyBase = p === 3 && rnd() < 0.1 ? null : 3 + rnd() * 4;
          const pool = `${symbol}-pool-${p}`;
          return {
            topic: 'dl.apy' as const,
            key: pool,
            value: {
              pool,
              project: 'synthetic',
              chain: 'Ethereum',
              symbol,
              tvlUsd: 2e7 + rnd() * 1e9,
              apyBase,
              apyReward: 0.1,
              apy: apyBase,
              ts,
            },
          };
        }),
      );
      add(options.mktcapPeriodMs ?? 60_000, (ts) => [
        {
          topic: 'ex.mktcap',
          key: symbol,
          value: { symbol, marketCapUsd: 1e9 * (1 + s * 10) * (0.9 + rnd() * 0.2), ts },
        },
      ]);
    });
    add(options.tbillPeriodMs ?? 3_600_000, (ts) => [
      {
        topic: 'trad.tbill',
        key: 'yield-3m',
        value: { series: 'DGS3MO', rate: 3.8 + rnd() * 0.2, date: new Date(ts).toISOString().slice(0, 10), ts },
      },
    ]);
    // the T-bill and every pool and market cap exist from the start
    for (const s of this.streams) if (s.period >= 60_000) s.next = start;
  }

  private walk(s: number): number {
    const level = 1 + ((this.level[s] as number) - 1) * 0.999 + (this.rnd() - 0.5) * 0.0002;
    this.level[s] = level;
    return level + (this.rnd() - 0.5) * 1e-4;
  }

  private quote(s: number): number {
    return (this.level[s] as number) + (this.rnd() - 0.5) * 2e-4;
  }

  /** Event time of the next record. */
  get nextTs(): number {
    let min = Infinity;
    for (const s of this.streams) if (s.next < min) min = s.next;
    return min;
  }

  /** The records with ts < untilMs, in event-time order. */
  *until(untilMs: number): Generator<InputRecord> {
    for (;;) {
      let best: Stream | undefined;
      for (const s of this.streams) if (s.next < untilMs && (best === undefined || s.next < best.next)) best = s;
      if (best === undefined) return;
      const ts = best.next;
      best.next += best.period;
      yield* best.make(ts);
    }
  }

  /** The next `count` records (or a few more: a stream's records come together). */
  take(count: number): InputRecord[] {
    const out: InputRecord[] = [];
    while (out.length < count) for (const r of this.until(this.nextTs + 1)) out.push(r);
    return out;
  }
}

/** A record as the replay command's input line {"topic", "value"}. */
export function replayLine(record: { topic: string; value: unknown }): string {
  return JSON.stringify({ topic: record.topic, value: record.value });
}
