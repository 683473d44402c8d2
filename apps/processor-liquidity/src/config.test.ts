import { transactionalIdOf } from '@stableyield/config';
import { kafkaServiceDefaults } from '@stableyield/config/testing';
import { loadAppConfig } from './config';

// The shared schema's rules are tested in libs/config (fields.test.ts); here, this app's defaults.
it('processor-liquidity defaults to its health port and a transactional id prefix of the deployment', () => {
  const config = loadAppConfig({});
  expect(config).toMatchObject(kafkaServiceDefaults(9204));
  expect(transactionalIdOf(config, 'processor-liquidity')).toBe('processor-liquidity.local');
});
