import { mapHermesPriceUpdate, parseHermesErrorBody, parseHermesPriceFeeds } from '@stableyield/upstream';
import fc from 'fast-check';
import { decodeAbiParameters, encodeAbiParameters } from 'viem';
import { ASSETS, assetBySymbol } from './catalog';
import { HermesClock, MOCK_PYTH_UPDATE_PARAMS, encodeMockPythUpdate, priceFeedsBody, priceIdsNotFoundBody, priceUpdateBody, resolveFeedIds, slotSnapshot } from './hermes';
import { Market } from './market';
import { malformedText } from './malform';

const T = Date.UTC(2026, 0, 15, 12, 0, 0);
const USDC = assetBySymbol('USDC')!.pythId;
const feedSymbols = Object.fromEntries(ASSETS.map((a) => [a.pythId, a.symbol]));

describe('MockPyth update encoding', () => {
  it('abi-encodes (PriceFeed, prevPublishTime) and decodes back', () => {
    const hex = encodeMockPythUpdate({ id: USDC, price: 99985000n, conf: 62343n, expo: -8, emaPrice: 99990000n, emaConf: 59359n, publishTime: 1751042519n, prevPublishTime: 1751042518n });
    // PriceFeed is a static tuple: id + 2 × 4 words, then prevPublishTime: 10 words.
    expect(hex.length).toBe(2 + 10 * 64);
    const [feed, prev] = decodeAbiParameters(MOCK_PYTH_UPDATE_PARAMS, hex);
    expect(feed).toEqual({
      id: `0x${USDC}`,
      price: { price: 99985000n, conf: 62343n, expo: -8, publishTime: 1751042519n },
      emaPrice: { price: 99990000n, conf: 59359n, expo: -8, publishTime: 1751042519n },
    });
    expect(prev).toBe(1751042518n);
    // expo -8 is a two's-complement int32 in its word.
    expect(hex.slice(2 + 3 * 64, 2 + 4 * 64)).toBe('f'.repeat(56) + 'fffffff8');
  });
});

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
    const body = priceUpdateBody(ids.known.map((id) => snap.get(id)!), { encoding: 'hex', parsed: true });
    const r = mapHermesPriceUpdate(body, { feedSymbols, receivedAt: T });
    if (!r.ok) throw new Error(r.reason);
    expect(r.records.prices.map((p) => p.symbol)).toEqual(['USDC', 'BTC']);
    expect(r.records.prices[0]!.ts).toBe(T);
    expect(r.records.update.data).toHaveLength(2);
    const [feed] = decodeAbiParameters(MOCK_PYTH_UPDATE_PARAMS, `0x${r.records.update.data[0]!}`);
    expect(feed.price.price.toString()).toBe(r.records.update.feeds[0]!.price);
    const b64 = priceUpdateBody([snap.get(USDC)!], { encoding: 'base64', parsed: false });
    expect(b64.parsed).toBeUndefined();
    expect(Buffer.from(b64.binary.data[0]!, 'base64').toString('hex')).toBe(snap.get(USDC)!.blobHex);
  });

  it('reports unknown ids in the shape of the real 404 and lists feeds', () => {
    const unknown = 'ef0d8b6fda2ceba41da39a73436148de22aeb0b51deb47e5f6bdc5caf5bcb3d4';
    const ids = resolveFeedIds([USDC, unknown]);
    expect(ids.unknown).toEqual([unknown]);
    expect(parseHermesErrorBody(priceIdsNotFoundBody(ids.unknown))).toMatchObject({ kind: 'price-ids-not-found', ids: [unknown] });
    const feeds = parseHermesPriceFeeds(priceFeedsBody('usd', 'crypto'));
    expect(feeds.ok && feeds.records.length).toBe(8);
    expect(priceFeedsBody('USDC/')).toHaveLength(1);
  });

  it('malformed variants fail parsing with a reason', () => {
    const body = priceUpdateBody([slotSnapshot(market, clock, 1).get(USDC)!], { encoding: 'hex', parsed: true });
    for (const counter of [0, 1]) {
      const r = mapHermesPriceUpdate((() => { try { return JSON.parse(malformedText('hermes', body, counter)) as unknown; } catch { return 'not json'; } })(), { feedSymbols, receivedAt: 0 });
      expect(r.ok).toBe(false);
    }
  });
});

describe('hand-written encoder', () => {
  it('equals viem encodeAbiParameters for any values in range', () => {
    const int = (bits: number) => fc.bigInt(-(1n << BigInt(bits - 1)), (1n << BigInt(bits - 1)) - 1n);
    const uint = (bits: number) => fc.bigInt(0n, (1n << BigInt(bits)) - 1n);
    fc.assert(
      fc.property(int(64), uint(64), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), int(64), uint(64), uint(64), uint(64), (price, conf, expo, emaPrice, emaConf, publishTime, prevPublishTime) => {
        const input = { id: USDC, price, conf, expo, emaPrice, emaConf, publishTime, prevPublishTime };
        const expected = encodeAbiParameters(MOCK_PYTH_UPDATE_PARAMS, [
          { id: `0x${USDC}`, price: { price, conf, expo, publishTime }, emaPrice: { price: emaPrice, conf: emaConf, expo, publishTime } },
          prevPublishTime,
        ]);
        expect(encodeMockPythUpdate(input)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects out-of-range values and bad ids', () => {
    const base = { id: USDC, price: 1n, conf: 1n, expo: -8, emaPrice: 1n, emaConf: 1n, publishTime: 1n, prevPublishTime: 0n };
    expect(() => encodeMockPythUpdate({ ...base, price: 1n << 63n })).toThrow('does not fit in int64');
    expect(() => encodeMockPythUpdate({ ...base, conf: -1n })).toThrow('does not fit in uint64');
    expect(() => encodeMockPythUpdate({ ...base, id: 'abc' })).toThrow('32 bytes');
  });
});
