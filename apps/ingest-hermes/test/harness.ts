// Test harness: a real market-sim in-process on ephemeral ports, the app's factory on the real broker.
import { simPerFile, type TestSim } from '@stableyield/app-market-sim/test/sim';
import { testPrefix, type TestStack } from '@stableyield/kafka/testing';
import { createLogger, type createMetricsRegistry, type Readiness } from '@stableyield/observability';
import { type PublishedBatch } from '@stableyield/ingest';
import { ingesterTestDeps } from '@stableyield/ingest/testing';
import { type UpstreamError } from '@stableyield/upstream';
import { loadAppConfig } from '../src/config';
import { createIngestHermes, type IngestHermes } from '../src/ingest-hermes';

/** The topic prefix of this test process's apps: never the production topics a live `npm start` reads. */
export const prefix = testPrefix('ingest-hermes');
/** A topic as the apps of this harness write it. */
export const physical = (topic: string) => `${prefix}${topic}`;
export { simPerFile, type TestSim };

export interface RunningApp {
  app: IngestHermes;
  batches: PublishedBatch[];
  fatal: (UpstreamError | Error)[];
  /** Stream and poll requests the app made: url path and HTTP status. */
  requests: { at: number; path: string; status: number }[];
  readiness: Readiness;
  registry: ReturnType<typeof createMetricsRegistry>;
  stop(): Promise<void>;
}

export async function startApp(stack: TestStack, sim: TestSim, env: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadAppConfig({
    HERMES_URL: `${sim.url}/hermes`,
    HERMES_WATCHDOG_MS: '1000',
    HERMES_BACKOFF_INITIAL_MS: '100',
    HERMES_BACKOFF_MAX_MS: '400',
    HERMES_FAILOVER_AFTER_FAILURES: '3',
    HERMES_POLL_INTERVAL_MS: '200',
    LOG_LEVEL: 'silent',
    TOPIC_PREFIX: prefix,
    ...env,
  });
  const deps = ingesterTestDeps(stack, 'ingest-hermes-test');
  const batches: PublishedBatch[] = [];
  const fatal: (UpstreamError | Error)[] = [];
  const requests: RunningApp['requests'] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    requests.push({
      at: Date.now(),
      path: new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url).pathname,
      status: response.status,
    });
    return response;
  };
  const app = createIngestHermes(config, createLogger({ app: 'ingest-hermes-test', level: config.LOG_LEVEL }), {
    ...deps,
    fetch: recordingFetch,
    onFatal: (e) => fatal.push(e),
    onPublished: (b) => batches.push(b),
  });
  await app.start();
  return { app, batches, fatal, requests, readiness: deps.readiness, registry: deps.registry, stop: () => app.stop() };
}

export async function metricValue(registry: RunningApp['registry'], name: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return metric?.values.reduce((sum, v) => sum + v.value, 0) ?? Number.NaN;
}
