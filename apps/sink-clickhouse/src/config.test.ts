import { ConfigError } from '@stableyield/config';
import { clickHouseSettings, loadAppConfig } from './config';

describe('sink-clickhouse config', () => {
  it('has defaults for the local stack', () => {
    expect(loadAppConfig({})).toMatchObject({
      HEALTH_PORT: 9209,
      CLICKHOUSE_URL: 'http://127.0.0.1:8123',
      CLICKHOUSE_DATABASE: 'stableyield_analytics',
      BATCH_SIZE: 50_000,
      SINK_GROUP_ID: 'sink-clickhouse',
      FLUSH_INTERVAL_MS: 2_000, // sink-timescale's is 500
    });
  });

  it('refuses a database name that is not a plain identifier', () => {
    expect(() => loadAppConfig({ CLICKHOUSE_DATABASE: 'x; DROP TABLE y' })).toThrow(ConfigError);
    expect(() => loadAppConfig({ CLICKHOUSE_URL: 'ftp://x' })).toThrow(/CLICKHOUSE_URL/);
  });

  it('coerces sizes', () => {
    expect(loadAppConfig({ BATCH_SIZE: '1000', CLICKHOUSE_TIMEOUT_MS: '500' })).toMatchObject({
      BATCH_SIZE: 1000,
      CLICKHOUSE_TIMEOUT_MS: 500,
    });
  });

  it('turns the CLICKHOUSE_* variables into client settings, the password only when set', () => {
    expect(clickHouseSettings(loadAppConfig({}))).toEqual({
      url: 'http://127.0.0.1:8123',
      requestTimeoutMs: 30_000,
      compression: { request: false, response: false },
      keepAlive: { enabled: true, idleSocketTtlMs: 2_500 },
      maxOpenConnections: 3,
    });
    const config = loadAppConfig({
      CLICKHOUSE_URL: 'https://ch.internal:8443',
      CLICKHOUSE_USER: 'sink',
      CLICKHOUSE_PASSWORD: 'pw',
      CLICKHOUSE_TIMEOUT_MS: '5000',
      CLICKHOUSE_COMPRESS_REQUEST: 'true',
      CLICKHOUSE_KEEP_ALIVE: 'false',
      CLICKHOUSE_KEEP_ALIVE_IDLE_MS: '0',
      PARTITIONS_CONCURRENTLY: '4',
    });
    expect(clickHouseSettings(config)).toEqual({
      url: 'https://ch.internal:8443',
      user: 'sink',
      password: 'pw',
      requestTimeoutMs: 5_000,
      compression: { request: true, response: false },
      keepAlive: { enabled: false, idleSocketTtlMs: 0 },
      maxOpenConnections: 5,
    });
  });
});
