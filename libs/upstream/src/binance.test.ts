import { fixtureJson } from '../test/fixtures';
import { mapBinanceDepth, mapBinanceTicker24hr, parseBinanceError } from './binance';

describe('Binance ticker/24hr', () => {
  const doc = fixtureJson('binance_api_v3_ticker_24hr_FULL_DOC_EXAMPLE.jsonc');

  it('maps the documented FULL ticker (single object and array forms)', () => {
    const record = { symbol: 'BNB', venue: 'binance', price: 4.000002, volume24hUsd: 15.3, ts: 1499869899040 };
    expect(mapBinanceTicker24hr(doc, [{ pair: 'BNBBTC', symbol: 'BNB' }])).toEqual({ ok: true, records: [record] });
    expect(
      mapBinanceTicker24hr(
        [doc],
        [
          { pair: 'BNBBTC', symbol: 'BNB' },
          { pair: 'USDCUSDT', symbol: 'USDC' },
        ],
      ),
    ).toEqual({
      ok: true,
      records: [record],
    });
  });

  it('inverts a pair to price its quote asset', () => {
    const ticker = { ...(doc as object), symbol: 'USDCUSDT', lastPrice: '1.00020000', quoteVolume: '1000.5' };
    const r = mapBinanceTicker24hr(
      [ticker],
      [
        { pair: 'USDCUSDT', symbol: 'USDC' },
        { pair: 'USDCUSDT', symbol: 'USDT', invert: true },
      ],
    );
    expect(r.ok && r.records.map((x) => [x.symbol, x.price, x.volume24hUsd])).toEqual([
      ['USDC', 1.0002, 1000.5],
      ['USDT', 1 / 1.0002, 1000.5],
    ]);
  });

  it('recognises the -1003 rate-limit body', () => {
    const r = mapBinanceTicker24hr(fixtureJson('binance_error_429_code-1003_ccxt_comment.json'), []);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ source: 'binance', kind: 'rate-limit', code: -1003 });
    expect(
      parseBinanceError(fixtureJson('binance_error_429_code-1003_RECONSTRUCTED_from_errors_md.json')),
    ).toMatchObject({ kind: 'rate-limit' });
    expect(parseBinanceError({ code: -1121, msg: 'Invalid symbol.' })).toEqual({
      source: 'binance',
      kind: 'api-error',
      code: -1121,
      message: 'Invalid symbol.',
    });
  });

  it('names the field of an invalid ticker', () => {
    const r = mapBinanceTicker24hr({ ...(doc as object), lastPrice: 4 }, [{ pair: 'BNBBTC', symbol: 'BNB' }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('lastPrice');
  });
});

describe('Binance depth', () => {
  it('maps the BTCUSDT limit-20 capture with exact numbers and the fetch time as ts', () => {
    const r = mapBinanceDepth(
      fixtureJson('binance_api_v3_depth_BTCUSDT_limit20_2025-08-05.json'),
      { pair: 'BTCUSDT', symbol: 'BTC' },
      1754423900000,
    );
    if (!r.ok) throw new Error(r.reason);
    expect(r.records.symbol).toBe('BTC');
    expect(r.records.venue).toBe('binance');
    expect(r.records.ts).toBe(1754423900000);
    expect(r.records.bids).toHaveLength(20);
    expect(r.records.asks).toHaveLength(20);
    expect(r.records.bids[0]).toEqual([113678.85, 7.2533]);
    expect(r.records.asks[19]).toEqual([113686.88, 0.06029]);
  });

  it('maps the documented example and inverts a book', () => {
    const doc = fixtureJson('binance_api_v3_depth_DOC_EXAMPLE.jsonc');
    expect(mapBinanceDepth(doc, { pair: 'X', symbol: 'X' }, 5)).toEqual({
      ok: true,
      records: { symbol: 'X', venue: 'binance', bids: [[4, 431]], asks: [[4.000002, 12]], ts: 5 },
    });
    const inverted = mapBinanceDepth(
      { lastUpdateId: 1, bids: [['0.5', '10']], asks: [['2', '3']] },
      { pair: 'AB', symbol: 'B', invert: true },
      5,
    );
    expect(inverted).toEqual({
      ok: true,
      records: { symbol: 'B', venue: 'binance', bids: [[0.5, 6]], asks: [[2, 5]], ts: 5 },
    });
  });

  it('rejects levels that are not [price, qty] and negative quantities', () => {
    const r1 = mapBinanceDepth({ lastUpdateId: 1, bids: [['1.0']], asks: [] }, { pair: 'X', symbol: 'X' }, 5);
    expect(r1.ok).toBe(false);
    if (!r1.ok) expect(r1.reason).toContain('bids.0');
    const r2 = mapBinanceDepth({ lastUpdateId: 1, bids: [['1.0', '-2']], asks: [] }, { pair: 'X', symbol: 'X' }, 5);
    expect(r2).toEqual({ ok: false, reason: 'binance: depth for X: bids[0].qty must be a finite number >= 0, got -2' });
  });
});
