// Small builders for input events in tests.
import type { BookLevel, IndexEvent } from '../src/events';
import { METHODOLOGY_V1, type MethodologyParams } from '../src/params';
import { IndexState } from '../src/state';

/** Methodology v1 with USDC as its only constituent. */
export const ONLY_USDC: MethodologyParams = { ...METHODOLOGY_V1, constituents: ['USDC'] };

/** A state with `events` applied in order. */
export function stateWith(events: IndexEvent[], params: MethodologyParams = METHODOLOGY_V1): IndexState {
  const state = new IndexState(params);
  for (const e of events) state.apply(e);
  return state;
}

export const ccPrice = (
  symbol: string,
  venue: string,
  price: number,
  ts: number,
  volume24hUsd?: number,
): IndexEvent => ({
  topic: 'cc.prices',
  ts,
  symbol,
  venue,
  price,
  volume24hUsd,
});
export const pythPrice = (symbol: string, price: number, ts: number): IndexEvent => ({
  topic: 'pyth.prices',
  ts,
  symbol,
  price,
});
export const book = (symbol: string, venue: string, bids: BookLevel[], asks: BookLevel[], ts: number): IndexEvent => ({
  topic: 'cc.orderbook',
  ts,
  symbol,
  venue,
  bids,
  asks,
});
export const pool = (id: string, symbol: string, tvlUsd: number, apyBase: number | null, ts: number): IndexEvent => ({
  topic: 'dl.apy',
  ts,
  pool: id,
  symbol,
  tvlUsd,
  apyBase,
});
export const mktcap = (symbol: string, marketCapUsd: number, ts: number): IndexEvent => ({
  topic: 'ex.mktcap',
  ts,
  symbol,
  marketCapUsd,
});
export const tbill = (rate: number, ts: number): IndexEvent => ({ topic: 'trad.tbill', ts, rate });

/** The JSON line of a pyth.prices event as the topic contract spells it (conf 0.0001, publishTime its second). */
export function pythPriceLine(event: Extract<IndexEvent, { topic: 'pyth.prices' }>, feedId: string): string {
  const { symbol, price, ts } = event;
  return JSON.stringify({
    topic: event.topic,
    value: { symbol, feedId, price, conf: 0.0001, publishTime: Math.floor(ts / 1000), ts },
  });
}

/** The JSON line of an event as the topic contracts spell it. */
export function toLine(event: IndexEvent): string {
  switch (event.topic) {
    case 'cc.prices': {
      const { topic, ...value } = event;
      return JSON.stringify({ topic, value });
    }
    case 'pyth.prices':
      return pythPriceLine(event, 'f');
    case 'trad.tbill':
      return JSON.stringify({
        topic: event.topic,
        value: { series: 'DGS3MO', rate: event.rate, date: '2026-01-01', ts: event.ts },
      });
    case 'dl.apy':
      return JSON.stringify({
        topic: event.topic,
        value: {
          pool: event.pool,
          project: 'p',
          chain: 'c',
          symbol: event.symbol,
          tvlUsd: event.tvlUsd,
          apyBase: event.apyBase,
          apyReward: null,
          apy: event.apyBase,
          ts: event.ts,
        },
      });
    case 'cc.orderbook':
    case 'ex.mktcap': {
      const { topic, ...value } = event;
      return JSON.stringify({ topic, value });
    }
  }
}

/** A healthy market for one symbol at ts: two venues near 1, a deep book, a pool and a market cap. */
export function healthySymbol(symbol: string, ts: number, marketCapUsd = 1e10, apyBase = 5): IndexEvent[] {
  return [
    ccPrice(symbol, 'a', 1.0001, ts, 1e8),
    ccPrice(symbol, 'b', 0.9999, ts, 1e8),
    book(symbol, 'a', [[0.9999, 1e7]], [[1.0001, 1e7]], ts),
    pool(`${symbol}-pool`, symbol, 5e7, apyBase, ts),
    mktcap(symbol, marketCapUsd, ts),
  ];
}
