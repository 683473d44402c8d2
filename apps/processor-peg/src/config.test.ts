import { transactionalIdOf } from '@stableyield/config';
import { loadAppConfig } from './config';

// The shared schema's rules are tested in libs/config (fields.test.ts); here, this app's defaults.
it('processor-peg defaults to its health port and a transactional id prefix of the deployment', () => {
  expect(transactionalIdOf(loadAppConfig({}), 'processor-peg')).toBe('processor-peg.local');
  expect(loadAppConfig({})).toMatchObject({
    HEALTH_PORT: 9203,
    DEPLOYMENT_ID: 'local',
    GRID_INTERVAL_MS: 1000,
    ALLOWED_LATENESS_MS: 200,
    TOPIC_PREFIX: '',
  });
});
