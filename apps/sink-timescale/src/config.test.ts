import { configProblems, kafkaServiceDefaults } from '@stableyield/config/testing';
import { loadAppConfig } from './config';

describe('sink-timescale config', () => {
  it('has defaults for the local stack', () => {
    const config = loadAppConfig({});
    expect(config).toMatchObject({
      ...kafkaServiceDefaults(9208),
      PG_POOL_SIZE: 4,
      BATCH_SIZE: 5_000,
      SINK_GROUP_ID: 'sink-timescale',
      AGGREGATE_REFRESH_MS: 10_000,
    });
    expect(config.DATABASE_URL).toBe('postgres://stableyield@127.0.0.1:55432/stableyield');
  });

  it('coerces numbers', () => {
    expect(loadAppConfig({ PG_POOL_SIZE: '8', BATCH_SIZE: '100' })).toMatchObject({ PG_POOL_SIZE: 8, BATCH_SIZE: 100 });
  });

  it('rejects bad values, naming each variable', () => {
    const problems = configProblems(loadAppConfig, { DATABASE_URL: 'mysql://x', BATCH_SIZE: '0', TOPIC_PREFIX: 'a b' });
    expect(problems).toMatch(/^DATABASE_URL: /m);
    expect(problems).toMatch(/^BATCH_SIZE: /m);
    expect(problems).toMatch(/^TOPIC_PREFIX: /m);
  });
});
