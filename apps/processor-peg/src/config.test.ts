import { loadAppConfig } from './config';

// The shared schema's rules are tested in libs/stream (measure-app.test.ts); here, this app's defaults.
it('processor-peg defaults to its health port and transactional id prefix', () => {
  expect(loadAppConfig({})).toMatchObject({ HEALTH_PORT: 9203, TRANSACTIONAL_ID: 'processor-peg', GRID_INTERVAL_MS: 1000, ALLOWED_LATENESS_MS: 200, TOPIC_PREFIX: '' });
});
