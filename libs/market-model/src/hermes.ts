// Simulated Hermes: a slot clock (tickRate slots per second), per-slot feed snapshots in Hermes' JSON
// shape (the types libs/upstream parses), and binary payloads that MockPyth accepts (libs/chain's
// encoder: one blob per feed, hex without 0x like Hermes).
import { encodeMockPriceFeedUpdate } from '@stableyield/chain';
import { type HermesParsedFeed, type HermesPrice, type HermesPriceUpdate } from '@stableyield/upstream';
import { ASSETS, assetByPythId, type AssetSpec } from './catalog';
import { type Market } from './market';

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
  const price: HermesPrice = {
    price: q.price.toString(),
    conf: q.conf.toString(),
    expo: q.expo,
    publish_time: publishTime,
  };
  const ema: HermesPrice = {
    price: q.emaPrice.toString(),
    conf: q.emaConf.toString(),
    expo: q.expo,
    publish_time: publishTime,
  };
  const blob = encodeMockPriceFeedUpdate({
    id: asset.pythId,
    price: q.price,
    conf: q.conf,
    expo: q.expo,
    emaPrice: q.emaPrice,
    emaConf: q.emaConf,
    publishTime,
    prevPublishTime,
  });
  return {
    parsed: {
      id: asset.pythId,
      price,
      ema_price: ema,
      metadata: { slot, proof_available_time: publishTime, prev_publish_time: prevPublishTime },
    },
    blobHex: blob.slice(2),
  };
}

/** Snapshots of every simulated feed at a slot, by feed id (computed once per slot, shared by streams). */
export function slotSnapshot(market: Market, clock: HermesClock, slot: number): Map<string, HermesFeedSnapshot> {
  return new Map(ASSETS.map((a) => [a.pythId, feedSnapshot(market, clock, a, slot)]));
}

export type HermesEncoding = HermesPriceUpdate['binary']['encoding'];

/** The `PriceUpdate` JSON of `/latest` and of each stream event, for the requested ids in request order. */
export function priceUpdateBody(
  feeds: readonly HermesFeedSnapshot[],
  options: { encoding: HermesEncoding; parsed: boolean },
): HermesPriceUpdate {
  const data = feeds.map((f) =>
    options.encoding === 'hex' ? f.blobHex : Buffer.from(f.blobHex, 'hex').toString('base64'),
  );
  const body: HermesPriceUpdate = { binary: { encoding: options.encoding, data } };
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
export function priceFeedsBody(
  query?: string,
  assetType?: string,
): { id: string; attributes: Record<string, string> }[] {
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
