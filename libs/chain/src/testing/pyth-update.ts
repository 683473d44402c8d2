// pyth.updates records as ingest-hermes writes them from the simulator's Hermes: one MockPyth blob per
// feed, hex, the parsed prices as integer strings. Shared by the keeper's unit and integration tests.
import { type PythUpdate } from '@stableyield/schemas';
import { encodeMockPriceFeedUpdate } from '../price-feed';

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
