import { type Env, loadConfig } from './load';
import { fetchMaxWaitOf, MEASURE_GRID_INTERVAL_MS, processorConfigSchema, transactionalIdOf } from './fields';
import { configProblems, kafkaServiceDefaults } from './testing';

// The stream processors' schema, shared by processor-syi and the measure processors: its rules once here.
describe('processorConfigSchema', () => {
  const load = (env: Env) => loadConfig(processorConfigSchema(9203), env);

  it('defaults to a 250 ms grid, 200 ms lateness and the production topic names', () => {
    const config = load({});
    expect(config).toMatchObject(kafkaServiceDefaults(9203));
    expect(config).toMatchObject({ GRID_INTERVAL_MS: 250, ALLOWED_LATENESS_MS: 200, IDLE_TIMEOUT_MS: 0 });
    expect(fetchMaxWaitOf(config)).toBe(25);
  });

  it("takes a measure processor's own default grid, which the variable still overrides", () => {
    const measures = (env: Env) => loadConfig(processorConfigSchema(9203, MEASURE_GRID_INTERVAL_MS), env);
    expect(measures({})).toMatchObject({ GRID_INTERVAL_MS: 1000 });
    expect(fetchMaxWaitOf(measures({}))).toBe(100);
    expect(measures({ GRID_INTERVAL_MS: '250' })).toMatchObject({ GRID_INTERVAL_MS: 250 });
    expect(fetchMaxWaitOf(measures({ FETCH_MAX_WAIT_MS: '40' }))).toBe(40);
  });

  it('derives the transactional id from the deployment: two deployments on one broker never share one', () => {
    expect(transactionalIdOf(load({ DEPLOYMENT_ID: 'blue' }), 'processor-syi')).toBe('processor-syi.blue');
    expect(transactionalIdOf(load({ DEPLOYMENT_ID: 'green' }), 'processor-syi')).toBe('processor-syi.green');
    const prefixed = load({ DEPLOYMENT_ID: 'blue', TOPIC_PREFIX: 't1.' });
    expect(transactionalIdOf(prefixed, 'processor-peg')).toBe('t1.processor-peg.blue');
    expect(() => load({ DEPLOYMENT_ID: 'a b' })).toThrow(/DEPLOYMENT_ID: letters, digits/);
  });

  it('coerces the variables an environment holds as strings', () => {
    const config = load({ GRID_INTERVAL_MS: '60000', ALLOWED_LATENESS_MS: '0', PROVISION_TOPICS: 'false' });
    expect(config).toMatchObject({ GRID_INTERVAL_MS: 60_000, ALLOWED_LATENESS_MS: 0, PROVISION_TOPICS: false });
  });

  it('refuses a bad grid, lateness and topic prefix, naming each', () => {
    const problems = configProblems(load, {
      GRID_INTERVAL_MS: '0',
      ALLOWED_LATENESS_MS: '-5',
      TOPIC_PREFIX: 'bad prefix!',
    });
    expect(problems).toMatch(/^GRID_INTERVAL_MS: /m);
    expect(problems).toMatch(/^ALLOWED_LATENESS_MS: /m);
    expect(problems).toMatch(/^TOPIC_PREFIX: letters, digits, \. _ - only/m);
  });
});
