import { transactionalIdOf } from '@stableyield/config';
import { loadAppConfig } from './config';

// The shared schema's rules are tested in libs/config (fields.test.ts); here, this app's defaults.
it('processor-syi defaults to its health port and a transactional id of the deployment', () => {
  expect(transactionalIdOf(loadAppConfig({}), 'processor-syi')).toBe('processor-syi.local');
  expect(loadAppConfig({})).toMatchObject({ HEALTH_PORT: 9206, GRID_INTERVAL_MS: 250, PROVISION_TOPICS: true });
});
