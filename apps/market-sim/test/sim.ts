// Starts a real simulator on ephemeral ports for integration tests.
import { createLogger } from '@stableyield/observability';
import { type Config } from '../src/config';
import { startSim, type RunningSim } from '../src/sim';

export type TestSim = RunningSim & { close(): Promise<void> };

export async function startTestSim(overrides: Partial<Config> = {}): Promise<TestSim> {
  const config: Config = {
    host: '127.0.0.1',
    port: 0,
    healthHost: '127.0.0.1',
    healthPort: 0,
    seed: 42,
    tickRate: 20,
    scenarioFile: undefined,
    keepAliveMs: 15_000,
    logLevel: 'silent',
    shutdownTimeoutMs: 5_000,
    ...overrides,
  };
  const sim = await startSim(config, createLogger({ app: 'market-sim-test', level: 'silent' }));
  return {
    ...sim,
    close: async () => {
      await sim.stopApi();
      await sim.stopHealth();
    },
  };
}

/** The simulator of a test file: started before all its tests, closed after all; read its URLs inside the tests. */
export function simForTests(overrides: Partial<Config> = {}): Pick<TestSim, 'url' | 'healthUrl'> {
  let sim: TestSim | undefined;
  beforeAll(async () => {
    sim = await startTestSim(overrides);
  });
  afterAll(async () => {
    await sim?.close();
  });
  const running = (): TestSim => {
    if (sim === undefined) throw new Error('the simulator starts in beforeAll');
    return sim;
  };
  return {
    get url() {
      return running().url;
    },
    get healthUrl() {
      return running().healthUrl;
    },
  };
}

/** Polls until `check` returns a value other than undefined (no fixed sleeps in tests). */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function postScenario(baseUrl: string, scenario: unknown): Promise<Response> {
  return fetch(`${baseUrl}/_control/scenario`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(scenario),
  });
}

/**
 * The simulator of a test file: started before all its tests (`sim()`), closed after all, its scenario cleared
 * after each test. `scenario(body)` posts one and expects it accepted.
 */
export function simPerFile(overrides: Partial<Config> = {}): {
  sim: () => TestSim;
  scenario: (body: unknown) => Promise<void>;
} {
  let running: TestSim | undefined;
  const sim = () => {
    if (running === undefined) throw new Error('the simulator starts in beforeAll');
    return running;
  };
  beforeAll(async () => {
    running = await startTestSim(overrides);
  });
  afterEach(async () => {
    await fetch(`${sim().url}/_control/scenario`, { method: 'DELETE' });
  });
  afterAll(async () => {
    await running?.close();
  });
  const scenario = async (body: unknown) => {
    expect((await postScenario(sim().url, body)).status).toBe(200);
  };
  return { sim, scenario };
}
