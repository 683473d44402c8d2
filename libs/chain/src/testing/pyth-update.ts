// pyth.updates records as ingest-hermes writes them from the simulator's Hermes: one MockPyth blob per
// feed, hex, the parsed prices as integer strings; and the feed config the keeper tests use.
import { type PythUpdate } from '@stableyield/schemas';
import { type FeedConfig } from '../keeper/price-config';
import { encodeMockPriceFeedUpdate, type FeedId } from '../price-feed';

export interface TestQuote {
  /** A feed id, any case, with or without 0x. */
  id: string;
  price: bigint;
  publishTime: number;
  /** 1 000 (expo -8) when absent. */
  conf?: bigint;
  symbol?: string;
}

export function mockPythUpdateRecord(quotes: readonly TestQuote[], conf = 1_000n): PythUpdate {
  const feeds = quotes.map((q) => ({
    feedId: q.id.toLowerCase().replace(/^0x/, ''),
    symbol: q.symbol ?? null,
    price: q.price.toString(),
    conf: (q.conf ?? conf).toString(),
    expo: -8,
    publishTime: q.publishTime,
    emaPrice: q.price.toString(),
    emaConf: (q.conf ?? conf).toString(),
    slot: null,
    prevPublishTime: q.publishTime - 1,
  }));
  const data = quotes.map((q) =>
    encodeMockPriceFeedUpdate({ ...q, conf: q.conf ?? conf, expo: -8, prevPublishTime: q.publishTime - 1 }).slice(2),
  );
  const ts = Math.max(0, ...quotes.map((q) => q.publishTime)) * 1000;
  return { encoding: 'hex', data, feeds, receivedAt: Date.now(), ts };
}

/** A feed of the price config with the thresholds the keeper tests start from (0.5 %, 1 h heartbeat). */
export function testFeedConfig(alias: string, id: FeedId, over: Partial<FeedConfig> = {}): FeedConfig {
  return { alias, id, timeDifferenceS: 3_600, priceDeviationPct: 0.5, confidenceRatioPct: 100, ...over };
}
