// Price values and update payloads. Prices are integers scaled by 10^expo (Pyth's representation)
// and stay bigint end to end: Hermes sends them as strings precisely to avoid float rounding.
import { decodeAbiParameters, encodeAbiParameters, type Hex } from 'viem';

/** A Pyth price: price × 10^expo, confidence in the same unit, publish time in unix seconds. */
export interface PriceInfo {
  price: bigint;
  conf: bigint;
  expo: number;
  publishTime: number;
}

/** Feed ids are kept lower-case with a 0x prefix so they compare as plain strings. */
export type FeedId = Hex;

const FEED_ID = /^(0x)?[0-9a-fA-F]{64}$/;

export function isFeedId(value: string): boolean {
  return FEED_ID.test(value);
}

export function normalizeFeedId(id: string): FeedId {
  if (!FEED_ID.test(id)) throw new Error(`not a 32-byte hex price feed id: ${id}`);
  return `0x${id.replace(/^0x/, '').toLowerCase()}`;
}

/** Hermes sends hex without a 0x prefix; viem wants one. */
export function toHex(data: string): Hex {
  return data.startsWith('0x') ? (data as Hex) : `0x${data}`;
}

const priceComponents = [
  { name: 'price', type: 'int64' },
  { name: 'conf', type: 'uint64' },
  { name: 'expo', type: 'int32' },
  { name: 'publishTime', type: 'uint256' },
] as const;

const mockUpdateParams = [
  {
    name: 'priceFeed',
    type: 'tuple',
    components: [
      { name: 'id', type: 'bytes32' },
      { name: 'price', type: 'tuple', components: priceComponents },
      { name: 'emaPrice', type: 'tuple', components: priceComponents },
    ],
  },
  { name: 'prevPublishTime', type: 'uint64' },
] as const;

export interface MockPriceFeedUpdate extends PriceInfo {
  id: FeedId;
  /** Defaults to price / conf: MockPyth stores the EMA next to the price. */
  emaPrice?: bigint;
  emaConf?: bigint;
  prevPublishTime?: number;
}

/**
 * The update payload MockPyth accepts: `abi.encode(PriceFeed, uint64 prevPublishTime)`, exactly what
 * MockPyth.createPriceFeedUpdateData returns (the EMA shares expo and publishTime). The local market
 * simulator serves this encoding as Hermes `binary.data`.
 */
export function encodeMockPriceFeedUpdate(u: MockPriceFeedUpdate): Hex {
  const publishTime = BigInt(u.publishTime);
  return encodeAbiParameters(mockUpdateParams, [
    {
      id: normalizeFeedId(u.id),
      price: { price: u.price, conf: u.conf, expo: u.expo, publishTime },
      emaPrice: { price: u.emaPrice ?? u.price, conf: u.emaConf ?? u.conf, expo: u.expo, publishTime },
    },
    BigInt(u.prevPublishTime ?? 0),
  ]);
}

export function decodeMockPriceFeedUpdate(data: Hex): Required<MockPriceFeedUpdate> {
  const [feed, prev] = decodeAbiParameters(mockUpdateParams, data);
  return {
    id: feed.id.toLowerCase() as FeedId,
    price: feed.price.price,
    conf: feed.price.conf,
    expo: feed.price.expo,
    publishTime: Number(feed.price.publishTime),
    emaPrice: feed.emaPrice.price,
    emaConf: feed.emaPrice.conf,
    prevPublishTime: Number(prev),
  };
}

/** The subset of a Hermes v2 price update (SSE event or /v2/updates/price/latest) the keeper reads. */
export interface HermesPriceUpdate {
  binary: { encoding: string; data: string[] };
  parsed?: {
    id: string;
    price: { price: string; conf: string; expo: number; publish_time: number };
  }[];
}

/** The latest known source price of one feed and the payload that proves it on-chain. */
export interface SourcePrice {
  id: FeedId;
  info: PriceInfo;
  updateData: Hex[];
}

const ACCUMULATOR_MAGIC = '0x504e4155';

/**
 * Splits a Hermes update into per-feed source prices. Real Hermes merges a slot's messages into one
 * accumulator blob that every feed shares; the mock encoding has one blob per feed, in `parsed` order.
 */
export function sourcePricesFromHermes(update: HermesPriceUpdate): SourcePrice[] {
  if (update.binary.encoding !== 'hex') throw new Error(`unsupported Hermes encoding ${update.binary.encoding}`);
  const parsed = update.parsed ?? [];
  const blobs = update.binary.data.map(toHex);
  // Accumulator blobs ("PNAU" magic) cover several feeds and cannot be split; send them all.
  const accumulator = blobs.some((b) => b.toLowerCase().startsWith(ACCUMULATOR_MAGIC));
  const perFeed = !accumulator && blobs.length === parsed.length;
  return parsed.map((p, i) => ({
    id: normalizeFeedId(p.id),
    info: {
      price: BigInt(p.price.price),
      conf: BigInt(p.price.conf),
      expo: p.price.expo,
      publishTime: p.price.publish_time,
    },
    updateData: perFeed ? [blobs[i] as Hex] : blobs,
  }));
}

/** The payload for several feeds: their blobs, each once, in first-seen order. */
export function mergeUpdateData(sources: readonly SourcePrice[]): Hex[] {
  return [...new Set(sources.flatMap((s) => s.updateData))];
}
