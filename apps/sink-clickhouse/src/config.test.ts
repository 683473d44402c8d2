import { ConfigError } from '@stableyield/config';
import { loadAppConfig } from './config';

describe('sink-clickhouse config', () => {
  it('has defaults for the local stack', () => {
    expect(loadAppConfig({})).toMatchObject({
      HEALTH_PORT: 9209, CLICKHOUSE_URL: 'http://127.0.0.1:8123', CLICKHOUSE_DATABASE: 'stableyield_analytics', BATCH_SIZE: 50_000, SINK_GROUP_ID: 'sink-clickhouse',
    });
  });

  it('refuses a database name that is not a plain identifier', () => {
    expect(() => loadAppConfig({ CLICKHOUSE_DATABASE: 'x; DROP TABLE y' })).toThrow(ConfigError);
    expect(() => loadAppConfig({ CLICKHOUSE_URL: 'ftp://x' })).toThrow(/CLICKHOUSE_URL/);
  });

  it('coerces sizes', () => {
    expect(loadAppConfig({ BATCH_SIZE: '1000', CLICKHOUSE_TIMEOUT_MS: '500' })).toMatchObject({ BATCH_SIZE: 1000, CLICKHOUSE_TIMEOUT_MS: 500 });
  });
});
