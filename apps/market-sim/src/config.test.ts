import { loadConfig } from './config';

describe('market-sim config', () => {
  it('has the documented defaults', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 7100,
      healthHost: '127.0.0.1',
      healthPort: 9212,
      seed: 42,
      tickRate: 2.5,
      scenarioFile: undefined,
      keepAliveMs: 15_000,
      logLevel: 'info',
      shutdownTimeoutMs: 15_000,
    });
  });

  it('reads overrides and fails fast on bad values', () => {
    expect(
      loadConfig({ MARKET_SIM_TICK_RATE: '2000', MARKET_SIM_SEED: '7', MARKET_SIM_SCENARIO_PATH: 's.yaml' }),
    ).toMatchObject({ tickRate: 2000, seed: 7, scenarioFile: 's.yaml' });
    expect(() => loadConfig({ MARKET_SIM_TICK_RATE: '0' })).toThrow('MARKET_SIM_TICK_RATE');
    expect(() => loadConfig({ MARKET_SIM_PORT: 'http' })).toThrow('MARKET_SIM_PORT');
  });
});
