// Every endpoint of the running simulator, parsed with libs/upstream's parsers: proves the shapes match
// what the ingesters expect from the real services.
import { ASSETS, CONSTITUENTS } from '@stableyield/market-model';
import * as upstream from '@stableyield/upstream';
import { simForTests } from '../test/sim';

const sim = simForTests();

const feedSymbols = Object.fromEntries(ASSETS.map((a) => [a.pythId, a.symbol]));
const idsQuery = ASSETS.map((a) => `ids[]=0x${a.pythId}`).join('&');

async function getJson(path: string): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${sim.url}${path}`);
  return { status: res.status, body: await res.json(), headers: res.headers };
}

describe('market-sim endpoints', () => {
  it('hermes /v2/updates/price/latest', async () => {
    const before = Date.now();
    const res = await fetch(`${sim.url}/hermes/v2/updates/price/latest?${idsQuery}`);
    expect(res.status).toBe(200);
    const r = upstream.parseHermesPriceUpdateText(await res.text(), { feedSymbols, receivedAt: Date.now() });
    if (!r.ok) throw new Error(r.reason);
    expect(r.records.prices.map((p) => p.symbol)).toEqual(ASSETS.map((a) => a.symbol));
    expect(r.records.update.data).toHaveLength(ASSETS.length);
    for (const p of r.records.prices.filter((x) => (CONSTITUENTS as readonly string[]).includes(x.symbol))) {
      expect(Math.abs(p.price - 1)).toBeLessThan(0.002);
      expect(p.ts).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    }
  });

  it('hermes answers 404 "Price ids not found" for an unknown id, unless ignore_invalid_price_ids=true', async () => {
    const unknown = 'ef0d8b6fda2ceba41da39a73436148de22aeb0b51deb47e5f6bdc5caf5bcb3d4';
    const res = await fetch(`${sim.url}/hermes/v2/updates/price/latest?ids[]=${unknown}&ids[]=${ASSETS[0]!.pythId}`);
    expect(res.status).toBe(404);
    expect(upstream.parseHermesErrorBody(await res.text())).toMatchObject({
      kind: 'price-ids-not-found',
      ids: [unknown],
    });
    const ignored = await fetch(
      `${sim.url}/hermes/v2/updates/price/latest?ids[]=${unknown}&ids[]=${ASSETS[0]!.pythId}` +
        '&ignore_invalid_price_ids=true',
    );
    const r = upstream.parseHermesPriceUpdateText(await ignored.text(), { feedSymbols, receivedAt: 0 });
    expect(r.ok && r.records.prices.map((p) => p.symbol)).toEqual([ASSETS[0]!.symbol]);
  });

  it('hermes /v2/price_feeds', async () => {
    const { body } = await getJson('/hermes/v2/price_feeds?query=usdc&asset_type=crypto');
    const r = upstream.parseHermesPriceFeeds(body);
    expect(r.ok && r.records.map((f) => f.attributes['symbol'])).toEqual(['Crypto.USDC/USD']);
  });

  it('cryptocompare /data/pricemultifull, and its error envelope', async () => {
    const { body } = await getJson('/cryptocompare/data/pricemultifull?fsyms=DAI,FDUSD,PYUSD,USDC,USDT,USDE&tsyms=USD');
    const r = upstream.mapCryptoComparePriceMultiFull(body, {
      symbols: { DAI: 'DAI', FDUSD: 'FDUSD', PYUSD: 'PYUSD', USDC: 'USDC', USDT: 'USDT', USDE: 'USDe' },
    });
    if (!r.ok) throw new Error(r.reason);
    expect(r.records.map((x) => x.symbol)).toEqual(['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe']);
    expect(r.records.every((x) => x.venue === 'cryptocompare' && (x.volume24hUsd ?? 0) > 0)).toBe(true);
    const error = await getJson('/cryptocompare/data/pricemultifull?fsyms=ASDHALF&tsyms=USD');
    expect(error.status).toBe(200);
    expect(upstream.parseCryptoCompareError(error.body)).toMatchObject({
      kind: 'api-error',
      message: 'cccagg_or_exchange market does not exist for this coin pair (ASDHALF-USD)',
    });
  });

  it('binance /api/v3/ticker/24hr (symbol, symbols, and an invalid symbol)', async () => {
    const pairs = [
      { pair: 'USDCUSDT', symbol: 'USDC' },
      { pair: 'FDUSDUSDT', symbol: 'FDUSD' },
      { pair: 'USDCUSDT', symbol: 'USDT', invert: true },
    ];
    const one = await getJson('/binance/api/v3/ticker/24hr?symbol=USDCUSDT');
    const r1 = upstream.mapBinanceTicker24hr(one.body, pairs);
    expect(r1.ok && r1.records.map((x) => x.symbol)).toEqual(['USDC', 'USDT']);
    const many = await getJson(`/binance/api/v3/ticker/24hr?symbols=${encodeURIComponent('["USDCUSDT","FDUSDUSDT"]')}`);
    const r2 = upstream.mapBinanceTicker24hr(many.body, pairs);
    if (!r2.ok) throw new Error(r2.reason);
    expect(r2.records.map((x) => x.symbol)).toEqual(['USDC', 'USDT', 'FDUSD']);
    const all = await getJson('/binance/api/v3/ticker/24hr');
    expect(Array.isArray(all.body) && all.body.length).toBe(8);
    const bad = await getJson('/binance/api/v3/ticker/24hr?symbol=NOPEUSDT');
    expect(bad.status).toBe(400);
    expect(upstream.parseBinanceError(bad.body)).toEqual({
      source: 'binance',
      kind: 'api-error',
      code: -1121,
      message: 'Invalid symbol.',
    });
  });

  it('binance /api/v3/depth', async () => {
    const { body } = await getJson('/binance/api/v3/depth?symbol=USDCUSDT&limit=50');
    const r = upstream.mapBinanceDepth(body, { pair: 'USDCUSDT', symbol: 'USDC' }, Date.now());
    if (!r.ok) throw new Error(r.reason);
    expect(r.records.bids).toHaveLength(50);
    expect(r.records.asks).toHaveLength(50);
    expect(r.records.asks[0]![0]).toBeGreaterThan(r.records.bids[0]![0]);
  });

  it('defillama /pools keeps several constituent pools per symbol', async () => {
    const { body } = await getJson('/defillama/yields/pools');
    const r = upstream.mapDefiLlamaPools(body, { symbols: [...CONSTITUENTS], fetchedAt: Date.now() });
    if (!r.ok) throw new Error(r.reason);
    for (const s of CONSTITUENTS)
      expect(r.records.filter((p) => p.symbol === s && p.tvlUsd >= 1e7).length).toBeGreaterThanOrEqual(3);
    expect(r.records.some((p) => p.symbol === 'USDC-USDT')).toBe(false);
  });

  it('defillama /stablecoins?includePrices=true', async () => {
    const { body } = await getJson('/defillama/stablecoins/stablecoins?includePrices=true');
    const r = upstream.mapDefiLlamaStablecoins(body, { symbols: [...CONSTITUENTS], fetchedAt: Date.now() });
    if (!r.ok) throw new Error(r.reason);
    expect(r.records.map((m) => m.symbol)).toEqual([...CONSTITUENTS]);
  });

  it('fred /fred/series/observations, and its error body', async () => {
    const { body } = await getJson(
      '/fred/fred/series/observations?series_id=DGS3MO&api_key=test&file_type=json&sort_order=desc&limit=10',
    );
    const r = upstream.mapFredObservations(body, 'DGS3MO');
    if (!r.ok) throw new Error(r.reason);
    expect(Date.now() - r.records.ts).toBeLessThan(7 * 86_400_000);
    const missingKey = await getJson('/fred/fred/series/observations?series_id=DGS3MO&file_type=json');
    expect(missingKey.status).toBe(400);
    expect(upstream.mapFredObservations(missingKey.body, 'DGS3MO')).toEqual({
      ok: false,
      reason: 'fred: error 400: Bad Request.  Variable api_key is not set.',
    });
  });

  it('health port: /live, /ready, /metrics', async () => {
    expect((await fetch(`${sim.healthUrl}/live`)).status).toBe(200);
    expect((await fetch(`${sim.healthUrl}/ready`)).status).toBe(200);
    const metrics = await (await fetch(`${sim.healthUrl}/metrics`)).text();
    expect(metrics).toMatch(/market_sim_requests_total\{source="binance",status="400",app="market-sim"\} [1-9]/);
    expect(metrics).toMatch(/market_sim_slots_total\{app="market-sim"\} [1-9]/);
  });
});
