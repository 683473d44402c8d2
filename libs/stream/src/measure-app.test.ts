import { ConfigError, loadConfig, transactionalIdOf } from '@stableyield/config';
import { measureConfigSchema } from './measure-app';

describe('measure processor configuration', () => {
  const load = (env: Record<string, string>) => loadConfig(measureConfigSchema('peg', 9203), env);

  it('derives the shards\' transactional ids from the deployment', () => {
    expect(transactionalIdOf(load({}), 'processor-peg')).toBe('processor-peg.local');
    expect(transactionalIdOf(load({ DEPLOYMENT_ID: 'green', TOPIC_PREFIX: 't1.' }), 'processor-peg')).toBe('t1.processor-peg.green');
  });

  it('coerces the variables an environment holds as strings', () => {
    expect(load({ GRID_INTERVAL_MS: '60000', ALLOWED_LATENESS_MS: '0', PROVISION_TOPICS: 'false', KAFKA_BROKERS: 'a:1,b:2' }))
      .toMatchObject({ GRID_INTERVAL_MS: 60_000, ALLOWED_LATENESS_MS: 0, PROVISION_TOPICS: false, KAFKA_BROKERS: ['a:1', 'b:2'] });
  });

  it('refuses a bad grid, lateness and topic prefix, naming each', () => {
    let error: unknown;
    try {
      load({ GRID_INTERVAL_MS: '0', ALLOWED_LATENESS_MS: '-5', TOPIC_PREFIX: 'bad prefix!' });
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
