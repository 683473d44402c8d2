// Assembles the simulator (config → deps → start/stop); used by main.ts and by the integration tests.
import { readFile } from 'node:fs/promises';
import { type AddressInfo } from 'node:net';
import { ProgressMonitor, Readiness, startHealthServer, type Logger } from '@stableyield/observability';
import { type FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { type Config } from './config';
import { HermesStreams } from './hermes-stream';
import { createMetrics } from './metrics';
import { buildApp } from './server';
import { SimState } from './state';

export interface RunningSim {
  app: FastifyInstance;
  state: SimState;
  /** Base URL of the API server, e.g. http://127.0.0.1:7100 */
  url: string;
  healthUrl: string;
  /** Ordered shutdown steps: stop accepting and end streams, then close the health server. */
  stopApi(): Promise<void>;
  stopHealth(): Promise<void>;
}

export async function startSim(config: Config, logger: Logger, now: () => number = Date.now): Promise<RunningSim> {
  const metrics = createMetrics();
  const state = new SimState(config.seed, config.tickRate, now);
  if (config.scenarioFile !== undefined) {
    const loaded = state.loadScenario(parseYaml(await readFile(config.scenarioFile, 'utf8')) as unknown);
    if (!loaded.ok) throw new Error(`${config.scenarioFile}: ${loaded.reason}`);
  }
  // /live: the Hermes ticker is the main loop; it beats on every run.
  const progress = new ProgressMonitor(Date.now, metrics.registry);
  progress.register('hermes-ticker', 10_000);
  const streams = new HermesStreams(state, metrics, logger.child({ module: 'hermes-stream' }), config.keepAliveMs, () =>
    progress.beat('hermes-ticker'),
  );
  const app = buildApp({ state, streams, metrics, logger });
  let listening = false;
  const readiness = new Readiness();
  readiness.add('api-listening', () => listening);
  streams.start();
  await app.listen({ port: config.port, host: config.host });
  listening = true;
  const health = await startHealthServer({
    host: config.healthHost,
    port: config.healthPort,
    registry: metrics.registry,
    progress,
    readiness,
  });
  const port = (app.server.address() as AddressInfo).port;
  return {
    app,
    state,
    url: `http://${config.host}:${port}`,
    healthUrl: `http://${config.healthHost}:${health.port}`,
    stopApi: async () => {
      listening = false;
      streams.stop();
      await app.close();
    },
    stopHealth: () => health.close(),
  };
}
