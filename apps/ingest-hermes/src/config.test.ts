import { configProblems } from '@stableyield/config/testing';
import { loadAppConfig } from './config';

describe('ingest-hermes config', () => {
  it('defaults to the simulator and the eight feeds', () => {
    const config = loadAppConfig({});
    expect(config.HERMES_URL).toBe('http://127.0.0.1:7100/hermes');
    expect(config.HEALTH_PORT).toBe(9201);
    expect(config.HERMES_FEEDS.map((f) => f.symbol)).toEqual([
      'DAI',
      'FDUSD',
      'PYUSD',
      'USDC',
      'USDT',
      'USDe',
      'ETH',
      'BTC',
    ]);
    expect(config.HERMES_FEEDS[3]).toEqual({
      symbol: 'USDC',
      id: 'eaa020c61cc479712813461ce153894a96a6c00b21ed0cfc2798d1f9a9e9c94a',
    });
    expect(config.HERMES_API_KEY).toBeUndefined();
  });

  it('parses feeds with or without 0x, any case, and coerces numbers', () => {
    const config = loadAppConfig({
      HERMES_FEEDS: ` AVAX:${'AB'.repeat(32)} , ETH:0x${'cd'.repeat(32)}`,
      HERMES_WATCHDOG_MS: '2500',
    });
    expect(config.HERMES_FEEDS).toEqual([
      { symbol: 'AVAX', id: 'ab'.repeat(32) },
      { symbol: 'ETH', id: 'cd'.repeat(32) },
    ]);
    expect(config.HERMES_WATCHDOG_MS).toBe(2500);
  });

  it('rejects bad configuration with every problem named and no secret echoed', () => {
    const secret = 'super-secret-key';
    const problems = configProblems(loadAppConfig, {
      HERMES_URL: 'ftp://x',
      HERMES_FEEDS: `USDC:0x1234,USDT:${'ab'.repeat(32)}`,
      HERMES_WATCHDOG_MS: '-1',
      HERMES_API_KEY: secret,
    });
    expect(problems).toMatch(/^HERMES_URL: must be an http\(s\) URL/m);
    expect(problems).toMatch(/^HERMES_FEEDS: "USDC:0x1234" is not SYMBOL:0x<64 hex digits>/m);
    expect(problems).toMatch(/^HERMES_WATCHDOG_MS: /m);
    expect(problems).not.toContain(secret);
  });

  it('rejects duplicate feeds and an inverted back-off range', () => {
    expect(() => loadAppConfig({ HERMES_FEEDS: `A:${'ab'.repeat(32)},B:${'ab'.repeat(32)}` })).toThrow(
      /HERMES_FEEDS: feed id (ab)+ is listed twice/,
    );
    expect(() => loadAppConfig({ HERMES_BACKOFF_INITIAL_MS: '5000', HERMES_BACKOFF_MAX_MS: '100' })).toThrow(
      /HERMES_BACKOFF_MAX_MS: must be at least HERMES_BACKOFF_INITIAL_MS/,
    );
    expect(() => loadAppConfig({ HERMES_POLL_INTERVAL_MS: '10000' })).toThrow(
      /HERMES_POLL_INTERVAL_MS: must be shorter than HERMES_WATCHDOG_MS/,
    );
  });
});
