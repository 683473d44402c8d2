import { mapHermesPriceUpdate, parseHermesErrorBody, parseHermesPriceFeeds } from '@stableyield/upstream';
import { decodeMockPriceFeedUpdate } from '@stableyield/chain';
import { ASSETS, assetBySymbol } from './catalog';
import {
  HermesClock,
  priceFeedsBody,
  priceIdsNotFoundBody,
  priceUpdateBody,
  resolveFeedIds,
  slotSnapshot,
} from './hermes';
import { Market } from './market';
import { malformedText } from './malform';

const T = Date.UTC(2026, 0, 15, 12, 0, 0);
const USDC = assetBySymbol('USDC')!.pythId;
const feedSymbols = Object.fromEntries(ASSETS.map((a) => [a.pythId, a.symbol]));

describe('Hermes slots and bodies', () => {
  const market = new Market(42);
  const clock = new HermesClock(4);

  it('maps slots to publish times', () => {
    const slot = clock.slotAt(T + 600);
    expect(clock.slotTime(slot)).toBe(T + 500);
    expect(clock.publishTime(slot)).toBe(T / 1000);
    expect(clock.publishTime(slot - 2)).toBe(T / 1000);
    expect(clock.publishTime(slot - 3)).toBe(T / 1000 - 1);
  });

  it('builds a PriceUpdate that libs/upstream parses, with one blob per feed in request order', () => {
    const slot = clock.slotAt(T);
    const snap = slotSnapshot(market, clock, slot);
    const ids = resolveFeedIds([`0x${USDC.toUpperCase()}`, assetBySymbol('BTC')!.pythId]);
    expect(ids.unknown).toEqual([]);
    const body = priceUpdateBody(
      ids.known.map((id) => snap.get(id)!),
      { encoding: 'hex', parsed: true },
    );
    const r = mapHermesPriceUpdate(body, { feedSymbols, receivedAt: T });
    if (!r.ok) throw new Error(r.reason);
    expect(r.records.prices.map((p) => p.symbol)).toEqual(['USDC', 'BTC']);
    expect(r.records.prices[0]!.ts).toBe(T);
    expect(r.records.update.data).toHaveLength(2);
    const feed = decodeMockPriceFeedUpdate(`0x${r.records.update.data[0]!}`);
    expect(feed.price.toString()).toBe(r.records.update.feeds[0]!.price);
    const b64 = priceUpdateBody([snap.get(USDC)!], { encoding: 'base64', parsed: false });
    expect(b64.parsed).toBeUndefined();
    expect(Buffer.from(b64.binary.data[0]!, 'base64').toString('hex')).toBe(snap.get(USDC)!.blobHex);
  });

  it('reports unknown ids in the shape of the real 404 and lists feeds', () => {
    const unknown = 'ef0d8b6fda2ceba41da39a73436148de22aeb0b51deb47e5f6bdc5caf5bcb3d4';
    const ids = resolveFeedIds([USDC, unknown]);
    expect(ids.unknown).toEqual([unknown]);
    expect(parseHermesErrorBody(priceIdsNotFoundBody(ids.unknown))).toMatchObject({
      kind: 'price-ids-not-found',
      ids: [unknown],
    });
    const feeds = parseHermesPriceFeeds(priceFeedsBody('usd', 'crypto'));
    expect(feeds.ok && feeds.records.length).toBe(8);
    expect(priceFeedsBody('USDC/')).toHaveLength(1);
  });

  it('malformed variants fail parsing with a reason', () => {
    const body = priceUpdateBody([slotSnapshot(market, clock, 1).get(USDC)!], { encoding: 'hex', parsed: true });
    for (const counter of [0, 1]) {
      const r = mapHermesPriceUpdate(
        (() => {
          try {
            return JSON.parse(malformedText('hermes', body, counter)) as unknown;
          } catch {
            return 'not json';
          }
        })(),
        { feedSymbols, receivedAt: 0 },
      );
      expect(r.ok).toBe(false);
    }
  });
});
