// Simulated Hermes: a slot clock (tickRate slots per second), per-slot feed snapshots in Hermes' JSON
// shape, and binary payloads that MockPyth accepts: abi.encode(PriceFeed, prevPublishTime), exactly as
// MockPyth.createPriceFeedUpdateData builds them (one blob per feed, hex without 0x like Hermes).
import { type Hex } from 'viem';
import { ASSETS, assetByPythId, type AssetSpec } from './catalog';
import { type Market } from './market';

const priceStruct = {
  type: 'tuple',
  components: [
    { name: 'price', type: 'int64' },
    { name: 'conf', type: 'uint64' },
    { name: 'expo', type: 'int32' },
    { name: 'publishTime', type: 'uint256' },
  ],
} as const;

const mockPythUpdateParams = [
  {
    type: 'tuple',
    components: [{ name: 'id', type: 'bytes32' }, { name: 'price', ...priceStruct }, { name: 'emaPrice', ...priceStruct }],
  },
  { type: 'uint64' },
] as const;

export interface MockPythFeedInput {
  id: string;
  price: bigint;
  conf: bigint;
  expo: number;
  emaPrice: bigint;
  emaConf: bigint;
  publishTime: bigint;
  prevPublishTime: bigint;
}

/** One ABI word (32 bytes) of a signed or unsigned integer: two's complement in 256 bits, as hex. */
function word(value: bigint, bits: number, signed: boolean): string {
  const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
  const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (value < min || value > max) throw new RangeError(`${value} does not fit in ${signed ? 'int' : 'uint'}${bits}`);
  return BigInt.asUintN(256, value).toString(16).padStart(64, '0');
}

/**
 * `MockPyth.createPriceFeedUpdateData(...)` in TypeScript: abi.encode(PriceFeed, uint64 prevPublishTime),
 * where PriceFeed {bytes32 id; Price price; Price emaPrice} and Price {int64; uint64; int32; uint256} are
 * static tuples, so the encoding is ten words in order. Written by hand because it runs for every feed
 * of every slot (viem's generic encoder is ~10× slower); a test checks it against viem and anvil.
 */
export function encodeMockPythUpdate(f: MockPythFeedInput): Hex {
  const id = f.id.toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{64}$/.test(id)) throw new Error(`feed id must be 32 bytes of hex, got ${f.id}`);
  const expo = BigInt(f.expo);
  return `0x${id}${word(f.price, 64, true)}${word(f.conf, 64, false)}${word(expo, 32, true)}${word(f.publishTime, 256, false)}${word(f.emaPrice, 64, true)}${word(f.emaConf, 64, false)}${word(expo, 32, true)}${word(f.publishTime, 256, false)}${word(f.prevPublishTime, 64, false)}`;
}

/** The ABI parameters of a MockPyth update blob, for decoding: [PriceFeed, prevPublishTime]. */
export const MOCK_PYTH_UPDATE_PARAMS = mockPythUpdateParams;

export interface HermesPrice {
  price: string;
  conf: string;
  expo: number;
  publish_time: number;
}

export interface HermesParsedFeed {
  id: string;
  price: HermesPrice;
  ema_price: HermesPrice;
  metadata: { slot: number; proof_available_time: number; prev_publish_time: number };
}

export interface HermesFeedSnapshot {
  parsed: HermesParsedFeed;
  /** abi-encoded MockPyth update, hex without 0x. */
  blobHex: string;
}

/** Slot clock: slot n starts at n × 1000 / tickRate ms since the epoch. */
export class HermesClock {
  constructor(readonly tickRate: number) {
    if (!(tickRate > 0)) throw new Error(`tickRate must be > 0, got ${tickRate}`);
  }

  slotAt(t: number): number {
    return Math.floor((t * this.tickRate) / 1000);
  }

  slotTime(slot: number): number {
    return (slot * 1000) / this.tickRate;
  }

  publishTime(slot: number): number {
    return Math.floor(this.slotTime(slot) / 1000);
  }
}

export function feedSnapshot(market: Market, clock: HermesClock, asset: AssetSpec, slot: number): HermesFeedSnapshot {
  const t = clock.slotTime(slot);
  const q = market.pythQuote(asset.symbol, t);
  const publishTime = clock.publishTime(slot);
  const prevPublishTime = clock.publishTime(slot - 1);
  const price: HermesPrice = { price: q.price.toString(), conf: q.conf.toString(), expo: q.expo, publish_time: publishTime };
  const ema: HermesPrice = { price: q.emaPrice.toString(), conf: q.emaConf.toString(), expo: q.expo, publish_time: publishTime };
  const blob = encodeMockPythUpdate({
    id: asset.pythId, price: q.price, conf: q.conf, expo: q.expo, emaPrice: q.emaPrice, emaConf: q.emaConf,
    publishTime: BigInt(publishTime), prevPublishTime: BigInt(prevPublishTime),
  });
  return {
    parsed: { id: asset.pythId, price, ema_price: ema, metadata: { slot, proof_available_time: publishTime, prev_publish_time: prevPublishTime } },
    blobHex: blob.slice(2),
  };
}

/** Snapshots of every simulated feed at a slot, by feed id (computed once per slot, shared by streams). */
export function slotSnapshot(market: Market, clock: HermesClock, slot: number): Map<string, HermesFeedSnapshot> {
  return new Map(ASSETS.map((a) => [a.pythId, feedSnapshot(market, clock, a, slot)]));
}

export type HermesEncoding = 'hex' | 'base64';

export interface HermesPriceUpdateBody {
  binary: { encoding: HermesEncoding; data: string[] };
  parsed?: HermesParsedFeed[];
}

/** The `PriceUpdate` JSON of `/latest` and of each stream event, for the requested ids in request order. */
export function priceUpdateBody(
  feeds: readonly HermesFeedSnapshot[],
  options: { encoding: HermesEncoding; parsed: boolean },
): HermesPriceUpdateBody {
  const data = feeds.map((f) => (options.encoding === 'hex' ? f.blobHex : Buffer.from(f.blobHex, 'hex').toString('base64')));
  const body: HermesPriceUpdateBody = { binary: { encoding: options.encoding, data } };
  if (options.parsed) body.parsed = feeds.map((f) => f.parsed);
  return body;
}

/** Splits requested ids into known feed ids (normalised) and unknown ones (as requested). */
export function resolveFeedIds(ids: readonly string[]): { known: string[]; unknown: string[] } {
  const known: string[] = [];
  const unknown: string[] = [];
  for (const id of ids) {
    const asset = assetByPythId(id);
    if (asset === undefined) unknown.push(id);
    else if (!known.includes(asset.pythId)) known.push(asset.pythId);
  }
  return { known, unknown };
}

/** Hermes' 404 body for unknown ids. */
export function priceIdsNotFoundBody(unknown: readonly string[]): string {
  return `Price ids not found: ${unknown.map((id) => `0x${id.toLowerCase().replace(/^0x/, '')}`).join(', ')}`;
}

/** `/v2/price_feeds` entries, filtered like Hermes (`query` substring of the symbol, `asset_type`). */
export function priceFeedsBody(query?: string, assetType?: string): { id: string; attributes: Record<string, string> }[] {
  return ASSETS.map((a) => ({
    id: a.pythId,
    attributes: {
      asset_type: 'Crypto',
      base: a.tickerSymbol,
      description: `${a.name.toUpperCase()} / US DOLLAR`,
      display_symbol: `${a.tickerSymbol}/USD`,
      generic_symbol: `${a.tickerSymbol}USD`,
      quote_currency: 'USD',
      symbol: `Crypto.${a.tickerSymbol}/USD`,
    },
  })).filter(
    (f) =>
      (query === undefined || f.attributes.symbol.toLowerCase().includes(query.toLowerCase())) &&
      (assetType === undefined || f.attributes.asset_type.toLowerCase() === assetType.toLowerCase()),
  );
}
