import { transactionalIdOf } from '@stableyield/config';
import { kafkaServiceDefaults } from '@stableyield/config/testing';
import { loadAppConfig } from './config';

// The shared schema's rules are tested in libs/config (fields.test.ts); here, this app's defaults.
it('processor-peg defaults to its health port and a transactional id prefix of the deployment', () => {
  const config = loadAppConfig({});
  expect(config).toMatchObject(kafkaServiceDefaults(9203));
  expect(transactionalIdOf(config, 'processor-peg')).toBe('processor-peg.local');
  // the per-symbol measures stay on the 1 s grid (processor-syi's is 250 ms)
  expect(config.GRID_INTERVAL_MS).toBe(1000);
});
