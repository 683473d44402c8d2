// Price values and update payloads. Prices are integers scaled by 10^expo (Pyth's representation)
// and stay bigint end to end: Hermes sends them as strings precisely to avoid float rounding.
import { type PythUpdate } from '@stableyield/schemas';
import { decodeAbiParameters, type Hex } from 'viem';
import { pythPriceTuple } from './pyth-abi';

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

/** The ABI parameters of a MockPyth update payload: (PriceFeed, prevPublishTime). */
export const mockPythUpdateParams = [
  {
    name: 'priceFeed',
    type: 'tuple',
    components: [
      { name: 'id', type: 'bytes32' },
      { name: 'price', ...pythPriceTuple },
      { name: 'emaPrice', ...pythPriceTuple },
    ],
  },
  { name: 'prevPublishTime', type: 'uint64' },
] as const;

export interface MockPriceFeedUpdate extends Omit<PriceInfo, 'publishTime'> {
  /** Any case, with or without 0x. */
  id: string;
  publishTime: number | bigint;
  /** Defaults to price / conf: MockPyth stores the EMA next to the price. */
  emaPrice?: bigint;
  emaConf?: bigint;
  prevPublishTime?: number | bigint;
}

/** One ABI word (32 bytes) of a signed or unsigned integer: two's complement in 256 bits, as hex. */
function word(value: number | bigint, bits: number, signed: boolean): string {
  const v = BigInt(value);
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (v < min || v > max) throw new RangeError(`${v} does not fit in ${signed ? 'int' : 'uint'}${bits}`);
  return BigInt.asUintN(256, v).toString(16).padStart(64, '0');
}

/**
 * The update payload MockPyth accepts: `abi.encode(PriceFeed, uint64 prevPublishTime)`, exactly what
 * MockPyth.createPriceFeedUpdateData returns (the EMA shares expo and publishTime). PriceFeed is a static
 * tuple, so the encoding is ten words in order; written by hand because the market simulator encodes every
 * feed of every slot (viem's generic encoder is ~10x slower). A test checks it against viem and anvil.
 */
export function encodeMockPriceFeedUpdate(u: MockPriceFeedUpdate): Hex {
  const id = normalizeFeedId(u.id).slice(2);
  const price = (p: bigint, conf: bigint) =>
    `${word(p, 64, true)}${word(conf, 64, false)}${word(u.expo, 32, true)}${word(u.publishTime, 256, false)}`;
  const ema = price(u.emaPrice ?? u.price, u.emaConf ?? u.conf);
  return `0x${id}${price(u.price, u.conf)}${ema}${word(u.prevPublishTime ?? 0, 64, false)}`;
}

/** A decoded payload: every field present, times as numbers. */
export type DecodedMockPriceFeedUpdate = Required<MockPriceFeedUpdate> & {
  id: FeedId;
  publishTime: number;
  prevPublishTime: number;
};

export function decodeMockPriceFeedUpdate(data: Hex): DecodedMockPriceFeedUpdate {
  const [feed, prev] = decodeAbiParameters(mockPythUpdateParams, data);
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

/** The latest known source price of one feed and the payload that proves it on-chain. */
export interface SourcePrice {
  id: FeedId;
  info: PriceInfo;
  updateData: Hex[];
}

const ACCUMULATOR_MAGIC = '0x504e4155';

/** A `pyth.updates` payload as viem wants it: hex with 0x, whatever encoding Hermes used. */
function payloadHex(blob: string, encoding: string): Hex {
  if (encoding === 'hex') return toHex(blob);
  if (encoding === 'base64') return `0x${Buffer.from(blob, 'base64').toString('hex')}`;
  throw new Error(`unsupported Hermes encoding ${encoding}`);
}

/**
 * Splits a `pyth.updates` record into per-feed source prices. Real Hermes merges a slot's messages into
 * one accumulator blob that every feed shares; the mock encoding has one blob per feed, in `feeds` order.
 */
export function sourcePricesOf(update: PythUpdate): SourcePrice[] {
  const blobs = update.data.map((blob) => payloadHex(blob, update.encoding));
  // Accumulator blobs ("PNAU" magic) cover several feeds and cannot be split; send them all.
  const accumulator = blobs.some((b) => b.toLowerCase().startsWith(ACCUMULATOR_MAGIC));
  const perFeed = !accumulator && blobs.length === update.feeds.length;
  return update.feeds.map((f, i) => ({
    id: normalizeFeedId(f.feedId),
    info: { price: BigInt(f.price), conf: BigInt(f.conf), expo: f.expo, publishTime: f.publishTime },
    updateData: perFeed ? [blobs[i] as Hex] : blobs,
  }));
}

/** The payload for several feeds: their blobs, each once, in first-seen order. */
export function mergeUpdateData(sources: readonly SourcePrice[]): Hex[] {
  return [...new Set(sources.flatMap((s) => s.updateData))];
}
