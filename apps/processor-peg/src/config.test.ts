import { ConfigError } from '@stableyield/config';
import { loadAppConfig } from './config';

describe('processor-peg configuration', () => {
  it('defaults to its health port, a 1 s grid, 200 ms lateness and its transactional id prefix', () => {
    expect(loadAppConfig({})).toMatchObject({
      HEALTH_PORT: 9203, GRID_INTERVAL_MS: 1000, ALLOWED_LATENESS_MS: 200, TOPIC_PREFIX: '', TRANSACTIONAL_ID: 'processor-peg', PROVISION_TOPICS: true,
    });
  });

  it('refuses a bad grid and topic prefix, naming each', () => {
    let error: unknown;
    try {
      loadAppConfig({ GRID_INTERVAL_MS: '0', TOPIC_PREFIX: 'bad prefix!' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/^GRID_INTERVAL_MS: /m);
    expect(problems).toMatch(/^TOPIC_PREFIX: letters, digits, \. _ - only/m);
  });
});
