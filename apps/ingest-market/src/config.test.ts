import { configProblems } from '@stableyield/config/testing';
import { loadAppConfig } from './config';

describe('ingest-market config', () => {
  it('defaults to the simulator, every source and the six constituents', () => {
    const config = loadAppConfig({ FRED_API_KEY: 'k' });
    expect(config.HEALTH_PORT).toBe(9202);
    expect(config.INGEST_SOURCES).toEqual([
      'cryptocompare',
      'binance',
      'defillama-yields',
      'defillama-stablecoins',
      'fred',
    ]);
    expect(config.CRYPTOCOMPARE_URL).toBe('http://127.0.0.1:7100/cryptocompare');
    expect(config.FRED_URL).toBe('http://127.0.0.1:7100/fred');
    expect(config.CRYPTOCOMPARE_SYMBOLS).toEqual({
      DAI: 'DAI',
      FDUSD: 'FDUSD',
      PYUSD: 'PYUSD',
      USDC: 'USDC',
      USDT: 'USDT',
      USDE: 'USDe',
    });
    expect(config.BINANCE_PAIRS).toContainEqual({ pair: 'USDCUSDT', symbol: 'USDT', invert: true });
    expect(config.FRED_SERIES).toBe('DGS3MO');
  });

  it('parses lists and numbers', () => {
    const config = loadAppConfig({
      INGEST_SOURCES: 'binance, cryptocompare',
      BINANCE_PAIRS: 'USDCUSDT:USDC,USDTUSDC:USDT',
      CRYPTOCOMPARE_SYMBOLS: 'USDC,USDE:USDe',
      BINANCE_INTERVAL_MS: '2500',
    });
    expect(config.INGEST_SOURCES).toEqual(['binance', 'cryptocompare']);
    expect(config.BINANCE_PAIRS).toEqual([
      { pair: 'USDCUSDT', symbol: 'USDC' },
      { pair: 'USDTUSDC', symbol: 'USDT' },
    ]);
    expect(config.CRYPTOCOMPARE_SYMBOLS).toEqual({ USDC: 'USDC', USDE: 'USDe' });
    expect(config.BINANCE_INTERVAL_MS).toBe(2500);
  });

  it('names every bad variable, and never echoes a key', () => {
    const secret = 'cc-secret-value';
    const problems = configProblems(loadAppConfig, {
      BINANCE_PAIRS: 'usdcusdt',
      INGEST_SOURCES: 'fred,kraken',
      BINANCE_URL: 'nope',
      CRYPTOCOMPARE_API_KEY: secret,
      FRED_INTERVAL_MS: '0',
    });
    expect(problems).toMatch(/^BINANCE_PAIRS: "usdcusdt" is not PAIR:SYMBOL or PAIR:SYMBOL:invert/m);
    expect(problems).toMatch(/^INGEST_SOURCES\.1: must be among cryptocompare, binance/m);
    expect(problems).toMatch(/^BINANCE_URL: must be an http\(s\) URL/m);
    expect(problems).toMatch(/^FRED_INTERVAL_MS: /m);
    expect(problems).not.toContain(secret);
  });

  it('requires a FRED key while FRED is polled', () => {
    expect(() => loadAppConfig({})).toThrow(/FRED_API_KEY: is required while fred is in INGEST_SOURCES/);
    expect(loadAppConfig({ INGEST_SOURCES: 'binance' }).FRED_API_KEY).toBeUndefined();
  });
});
