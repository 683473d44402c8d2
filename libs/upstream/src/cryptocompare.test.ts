import { fixtureJson } from '../test/fixtures';
import { mapCryptoComparePriceMultiFull, parseCryptoCompareError } from './cryptocompare';

describe('CryptoCompare pricemultifull', () => {
  it('maps the 2021 BTC USD/EUR capture (USD only)', () => {
    expect(
      mapCryptoComparePriceMultiFull(fixtureJson('cryptocompare_pricemultifull_BTC_USD-EUR_20210410.json')),
    ).toEqual({
      ok: true,
      records: [
        { symbol: 'BTC', venue: 'cryptocompare', price: 59692.06, volume24hUsd: 2097598475.2247777, ts: 1618082612000 },
      ],
    });
  });

  it('maps the 2017 capture (older field set) and renames symbols through the config map', () => {
    const r = mapCryptoComparePriceMultiFull(fixtureJson('cryptocompare_pricemultifull_BTC_USD_20170907.json'), {
      symbols: { BTC: 'XBT' },
    });
    expect(r).toEqual({
      ok: true,
      records: [
        { symbol: 'XBT', venue: 'cryptocompare', price: 4563.88, volume24hUsd: 504520318.88032025, ts: 1504754372000 },
      ],
    });
    const none = mapCryptoComparePriceMultiFull(fixtureJson('cryptocompare_pricemultifull_BTC_USD_20170907.json'), {
      symbols: { USDC: 'USDC' },
    });
    expect(none).toEqual({ ok: true, records: [] });
  });

  it('recognises the rate-limit (Type 99) and other error bodies', () => {
    const limit = mapCryptoComparePriceMultiFull(fixtureJson('cryptocompare_error_rate_limit_type99.json'));
    expect(limit).toEqual({
      ok: false,
      reason: 'cryptocompare: error response (Type 99): You are over your rate limit please upgrade your account!',
      error: {
        source: 'cryptocompare',
        kind: 'rate-limit',
        type: 99,
        message: 'You are over your rate limit please upgrade your account!',
      },
    });
    expect(parseCryptoCompareError(fixtureJson('cryptocompare_error_market_does_not_exist.json'))).toEqual({
      source: 'cryptocompare',
      kind: 'api-error',
      type: 1,
      message: 'cccagg_or_exchange market does not exist for this coin pair (ASDHALF-USD)',
    });
  });

  it('names the field of an invalid payload', () => {
    const bad = { RAW: { USDC: { USD: { PRICE: '1.0', LASTUPDATE: 1 } } } };
    const r = mapCryptoComparePriceMultiFull(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('RAW.USDC.USD.PRICE: ');
    const zero = mapCryptoComparePriceMultiFull({
      RAW: { USDC: { USD: { PRICE: 0, LASTUPDATE: 1, VOLUME24HOURTO: 5 } } },
    });
    expect(zero).toEqual({
      ok: false,
      reason: 'cryptocompare: RAW.USDC.USD: price must be a finite number > 0, got 0',
    });
    const negVolume = mapCryptoComparePriceMultiFull({
      RAW: { USDC: { USD: { PRICE: 1, LASTUPDATE: 1, VOLUME24HOURTO: -5 } } },
    });
    expect(negVolume).toEqual({
      ok: false,
      reason: 'cryptocompare: RAW.USDC.USD: volume24hUsd must be a finite number >= 0, got -5',
    });
  });
});
