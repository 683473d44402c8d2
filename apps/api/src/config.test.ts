import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configProblems, kafkaServiceDefaults } from '@stableyield/config/testing';
import { loadAppConfig } from './config';

describe('api config', () => {
  it('has defaults for a local run', () => {
    const c = loadAppConfig({});
    expect(c).toMatchObject({
      ...kafkaServiceDefaults(9210),
      HOST: '0.0.0.0',
      PORT: 8080,
      RATE_LIMIT_PER_IP: 600,
      TRUST_PROXY: false,
      PG_STATEMENT_TIMEOUT_MS: 10_000,
      ANSWER_FRESHNESS_MS: 1_000,
    });
    expect(c.PUBLIC_ROUTES).toContain('/api/index/latest');
    expect(c.CONSTITUENTS).toEqual(['DAI', 'FDUSD', 'PYUSD', 'USDC', 'USDT', 'USDe']);
    expect(c.CORS_ORIGINS).toBeUndefined();
    expect(c.JWT_SECRET).toBeUndefined();
  });

  it('coerces lists, numbers and flags', () => {
    const lists = loadAppConfig({ PUBLIC_ROUTES: '/api/index/*, /api/tbill', CORS_ORIGINS: '*' });
    expect(lists.PUBLIC_ROUTES).toEqual(['/api/index/*', '/api/tbill']);
    expect(lists.CORS_ORIGINS).toEqual(['*']);
    expect(loadAppConfig({ RATE_LIMIT_PER_KEY: '10' }).RATE_LIMIT_PER_KEY).toBe(10);
    expect(loadAppConfig({ ANSWER_FRESHNESS_MS: '0' }).ANSWER_FRESHNESS_MS).toBe(0);
    expect(loadAppConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadAppConfig({ TRUST_PROXY: '10.0.0.0/8' }).TRUST_PROXY).toBe('10.0.0.0/8');
  });

  it('refuses TRUST_PROXY=true: the client would choose its own rate-limit bucket', () => {
    expect(() => loadAppConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: true would let clients choose their IP/);
  });

  it('rejects bad values, naming every variable', () => {
    const env = { PORT: 'x', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short', TICKER_STREAM_URL: 'http://x' };
    const problems = configProblems(loadAppConfig, env);
    for (const name of Object.keys(env)) expect(problems).toMatch(new RegExp(`^${name}: `, 'm'));
  });

  it('reads the SYI feed address with its RPC URL (from a file too), and refuses the address alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'api-config-'));
    writeFileSync(join(dir, 'rpc-url'), 'https://rpc.example/secret-key\n');
    const c = loadAppConfig({
      SYI_FEED_ADDRESS: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      RPC_URL_FILE: join(dir, 'rpc-url'),
    });
    expect(c).toMatchObject({
      SYI_FEED_ADDRESS: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      RPC_URL: 'https://rpc.example/secret-key',
      ONCHAIN_CACHE_MS: 2_000,
    });
    expect(c.PUBLIC_ROUTES).toContain('/api/index/onchain');
    expect(() => loadAppConfig({ SYI_FEED_ADDRESS: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512' })).toThrow(
      /SYI_FEED_ADDRESS needs RPC_URL/,
    );
    expect(() => loadAppConfig({ SYI_FEED_ADDRESS: '0x12' })).toThrow(/SYI_FEED_ADDRESS/);
  });
});
