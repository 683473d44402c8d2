import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@stableyield/config';
import { loadAppConfig, maxGasPriceGwei, stalenessMinGainS } from './config';
import { loadFeeds } from './feeds';

// A made-up key for parsing only (not an account of any chain).
const KEY = `0x${'ab'.repeat(32)}`;
const base = {
  PRIVATE_KEY: KEY,
  RPC_URL: 'ws://127.0.0.1:8545,http://127.0.0.1:8545',
  CONTRACT_ADDRESS: `0x${'11'.repeat(20)}`,
};

describe('keeper config', () => {
  it('applies the seed table defaults', () => {
    const c = loadAppConfig(base);
    expect(c).toMatchObject({
      DEBOUNCE_MS: 1000,
      MIN_PRICE_CHANGE_PERCENT: 0.01,
      MAX_STALENESS: 30,
      FORCE_UPDATE_INTERVAL_MS: 300_000,
      RETRY_ATTEMPTS: 3,
      LOG_LEVEL: 'info',
      METRICS_PORT: 9090,
      KEEPER_INPUT_TOPIC: 'pyth.updates',
    });
    expect(c.RPC_URL).toEqual(['ws://127.0.0.1:8545', 'http://127.0.0.1:8545']);
  });

  it('reads the key from PRIVATE_KEY_FILE and adds the 0x prefix', () => {
    const { PRIVATE_KEY: _omit, ...rest } = base;
    const file = join(mkdtempSync(join(tmpdir(), 'keeper-cfg-')), 'key');
    writeFileSync(file, `${'cd'.repeat(32)}\n`);
    expect(loadAppConfig({ ...rest, PRIVATE_KEY_FILE: file }).PRIVATE_KEY).toBe(`0x${'cd'.repeat(32)}`);
  });

  it('rejects a bad key without echoing it, and lists every bad variable', () => {
    const secret = 'deadbeef'.repeat(7);
    let error: unknown;
    try {
      loadAppConfig({ ...base, PRIVATE_KEY: secret, RPC_URL: 'ftp://x', DEBOUNCE_MS: '-1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/PRIVATE_KEY/);
    expect(message).toMatch(/RPC_URL/);
    expect(message).toMatch(/DEBOUNCE_MS/);
    expect(message).not.toContain(secret);
  });

  it('requires the key, the RPC and the contract', () => {
    expect(() => loadAppConfig({})).toThrow(/PRIVATE_KEY[\s\S]*RPC_URL[\s\S]*CONTRACT_ADDRESS/);
  });

  it('keeps the Kafka session timeout below the 30 s take-over bound', () => {
    expect(() => loadAppConfig({ ...base, KEEPER_SESSION_TIMEOUT_MS: '30000' })).toThrow(/KEEPER_SESSION_TIMEOUT_MS/);
  });

  it('default feeds take the env thresholds; a price config file overrides per feed', () => {
    const c = loadAppConfig({ ...base, MIN_PRICE_CHANGE_PERCENT: '0.5', FORCE_UPDATE_INTERVAL_MS: '60000' });
    const feeds = loadFeeds(c);
    expect(feeds).toHaveLength(8);
    expect(feeds[0]).toMatchObject({ alias: 'DAI/USD', priceDeviationPct: 0.5, timeDifferenceS: 60 });
    const yaml = `- { alias: X, id: ${'aa'.repeat(32)}, price_deviation: 2 }`;
    const custom = loadFeeds({ ...c, PRICE_CONFIG_FILE: '/cfg.yaml' }, (p) => (p === '/cfg.yaml' ? yaml : ''));
    expect(custom).toEqual([
      expect.objectContaining({ alias: 'X', id: `0x${'aa'.repeat(32)}`, priceDeviationPct: 2, timeDifferenceS: 60 }),
    ]);
  });

  it(
    'per-chain fee caps: chainId=gwei entries override MAX_GAS_PRICE_GWEI on their chain; ' + 'a bad entry is named',
    () => {
      const c = loadAppConfig({ ...base, MAX_GAS_PRICE_GWEI_BY_CHAIN: '8453=0.5, 1=200' });
      expect(maxGasPriceGwei(c, 8453)).toBe(0.5);
      expect(maxGasPriceGwei(c, 1)).toBe(200);
      expect(maxGasPriceGwei(c, 31337)).toBe(500);
      expect(() => loadAppConfig({ ...base, MAX_GAS_PRICE_GWEI_BY_CHAIN: '8453:0.5' })).toThrow(
        /MAX_GAS_PRICE_GWEI_BY_CHAIN[\s\S]*"8453:0.5" is not chainId=gwei/,
      );
      expect(() => loadAppConfig({ ...base, MAX_GAS_PRICE_GWEI_BY_CHAIN: '10=0' })).toThrow(
        /MAX_GAS_PRICE_GWEI_BY_CHAIN/,
      );
    },
  );

  it(
    'failure-mode settings: staleness gain defaults to half of MAX_STALENESS; ' +
      'gas mode and multipliers are checked',
    () => {
      expect(stalenessMinGainS(loadAppConfig(base))).toBe(15);
      expect(stalenessMinGainS(loadAppConfig({ ...base, STALENESS_MIN_GAIN_S: '0' }))).toBe(0);
      expect(() => loadAppConfig({ ...base, GAS_MODE: 'eip-1559' })).toThrow(/GAS_MODE/);
      expect(() => loadAppConfig({ ...base, FEE_CAP_MARKET_MULTIPLE: '1' })).toThrow(/FEE_CAP_MARKET_MULTIPLE/);
      expect(() => loadAppConfig({ ...base, UPDATE_FEE_MULTIPLIER: '0.5' })).toThrow(/UPDATE_FEE_MULTIPLIER/);
    },
  );
});
