import { ConfigError, transactionalIdOf } from '@stableyield/config';
import { loadAppConfig } from './config';

describe('processor-syi configuration', () => {
  it('defaults to a 1 s grid, 200 ms lateness and the production topic names', () => {
    expect(loadAppConfig({})).toMatchObject({
      HEALTH_PORT: 9206,
      GRID_INTERVAL_MS: 1000,
      ALLOWED_LATENESS_MS: 200,
      IDLE_TIMEOUT_MS: 0,
      TOPIC_PREFIX: '',
      DEPLOYMENT_ID: 'local',
      PROVISION_TOPICS: true,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
    });
  });

  it('derives the transactional id from the deployment: two deployments on one broker never share one', () => {
    const blue = loadAppConfig({ DEPLOYMENT_ID: 'blue' });
    const green = loadAppConfig({ DEPLOYMENT_ID: 'green' });
    expect(transactionalIdOf(blue, 'processor-syi')).toBe('processor-syi.blue');
    expect(transactionalIdOf(green, 'processor-syi')).toBe('processor-syi.green');
    // every instance of one deployment (restart, standby) shares it, so the newcomer fences the old one
    expect(transactionalIdOf(loadAppConfig({ DEPLOYMENT_ID: 'blue' }), 'processor-syi')).toBe(transactionalIdOf(blue, 'processor-syi'));
    expect(transactionalIdOf(loadAppConfig({ DEPLOYMENT_ID: 'blue', TOPIC_PREFIX: 't1.' }), 'processor-syi')).toBe('t1.processor-syi.blue');
    expect(() => loadAppConfig({ DEPLOYMENT_ID: 'a b' })).toThrow(/DEPLOYMENT_ID: letters, digits/);
  });

  it('coerces the variables an environment holds as strings', () => {
    const config = loadAppConfig({ GRID_INTERVAL_MS: '60000', ALLOWED_LATENESS_MS: '0', PROVISION_TOPICS: 'false', KAFKA_BROKERS: 'a:1,b:2' });
    expect(config).toMatchObject({ GRID_INTERVAL_MS: 60_000, ALLOWED_LATENESS_MS: 0, PROVISION_TOPICS: false, KAFKA_BROKERS: ['a:1', 'b:2'] });
  });

  it('refuses a bad grid, lateness and topic prefix, naming each', () => {
    let error: unknown;
    try {
      loadAppConfig({ GRID_INTERVAL_MS: '0', ALLOWED_LATENESS_MS: '-5', TOPIC_PREFIX: 'bad prefix!' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^GRID_INTERVAL_MS: /m);
    expect(problems).toMatch(/^ALLOWED_LATENESS_MS: /m);
    expect(problems).toMatch(/^TOPIC_PREFIX: letters, digits, \. _ - only/m);
  });
});
