import { loadConfig, processorConfigSchema } from '@stableyield/config';
import { processorSettingsOf } from './measure-app';

it("maps the processor variables to the processors' options (the grid step is gridStepMs in code)", () => {
  const env = { GRID_INTERVAL_MS: '60000', TOPIC_PREFIX: 't1.', IDLE_TIMEOUT_MS: '5000' };
  const config = loadConfig(processorConfigSchema(9203), env);
  expect(processorSettingsOf(config)).toEqual({
    topicPrefix: 't1.',
    gridStepMs: 60_000,
    allowedLatenessMs: 200,
    idleTimeoutMs: 5_000,
    minCommitIntervalMs: 0,
    commitIntervalMs: 1_000,
    tickMs: 20,
    fetchMaxWaitMs: 6_000, // a tenth of the grid step unless FETCH_MAX_WAIT_MS says
    clockAdvanceMaxMs: 2_000,
  });
  expect(processorSettingsOf(loadConfig(processorConfigSchema(9203), { FETCH_MAX_WAIT_MS: '30' }))).toMatchObject({
    gridStepMs: 250,
    fetchMaxWaitMs: 30,
  });
});
