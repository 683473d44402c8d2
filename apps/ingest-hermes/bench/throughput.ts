// Benchmark: ingest-hermes fed by market-sim at rising rates. The simulator runs as a child process (its
// own core); the app runs in this process against the real broker. For each rate it measures the feed
// updates per second acknowledged by Kafka and the time from the simulator's slot (the moment the event
// is due; the simulator emits it at most one tick later, so the figure slightly overstates our part) to
// the broker's acknowledgement. Prints one JSON document.
//   npx tsx apps/ingest-hermes/bench/throughput.ts [seconds=8] \
//     [feedRates=1000,2000,4000,5000,6000,8000,12000,16000,20000]
// Dedupe is per (feed, publishTime, slot) here: at these rates many slots share one publish second, and
// the default (feed, publishTime) key would publish only one update per feed per second.
import os from 'node:os';
import { startChildSim, type ChildSim } from '@stableyield/app-market-sim/bench/child-sim';
import { TopicSerde } from '@stableyield/kafka';
import { deletePrefixed, provisionAll, testPrefix, testStack } from '@stableyield/kafka/testing';
import { createRegistryClient } from '@stableyield/schemas';
import { createLogger, createMetricsRegistry, ProgressMonitor, Readiness } from '@stableyield/observability';
import { loadAppConfig } from '../src/config';
import { createIngestHermes } from '../src/ingest-hermes';

const FEEDS = 8;
// its own topics: the stack's broker may be serving a live `npm start`
const prefix = testPrefix('bench-hermes');

async function simEvents(healthUrl: string): Promise<number> {
  const text = await (await fetch(`${healthUrl}/metrics`)).text();
  const match = /^market_sim_hermes_events_total(?:\{[^}]*\})? (\d+(?:\.\d+)?)/m.exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

async function runStep(simUrl: string, healthUrl: string, feedRate: number, seconds: number) {
  const tickRate = feedRate / FEEDS;
  const res = await fetch(`${simUrl}/_control/tick-rate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tickRate }),
  });
  if (!res.ok) throw new Error(`tick-rate ${tickRate}: HTTP ${res.status}`);
  const stack = testStack();
  const config = loadAppConfig({
    TOPIC_PREFIX: prefix,
    HERMES_URL: `${simUrl}/hermes`,
    HERMES_DEDUPE_KEY: 'slot',
    LOG_LEVEL: 'error',
    HERMES_WATCHDOG_MS: '5000',
  });
  const registry = createMetricsRegistry('bench', { defaultMetrics: false });
  const warmupMs = 2000;
  let windowStart = Number.POSITIVE_INFINITY;
  let windowEnd = Number.POSITIVE_INFINITY;
  let feeds = 0;
  let events = 0;
  const latencies: number[] = [];
  const app = createIngestHermes(config, createLogger({ app: 'bench', level: config.LOG_LEVEL }), {
    kafka: stack.kafka,
    // The app's own serde settings (testStack's refreshes the schema every second).
    serde: new TopicSerde(createRegistryClient(stack.registryUrl)),
    registry,
    progress: new ProgressMonitor(Date.now, registry),
    readiness: new Readiness(),
    onPublished: (batch) => {
      if (batch.ackedAt < windowStart || batch.ackedAt > windowEnd) return;
      for (const update of batch.updates) {
        events++;
        feeds += update.feeds.length;
        const slot = update.feeds[0]?.slot;
        if (slot !== null && slot !== undefined) latencies.push(batch.ackedAt - (slot * 1000) / tickRate);
      }
    },
  });
  await app.start();
  await new Promise((r) => setTimeout(r, warmupMs));
  const simBefore = await simEvents(healthUrl);
  windowStart = Date.now();
  windowEnd = windowStart + seconds * 1000;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const simAfter = await simEvents(healthUrl);
  const pendingAtEnd = app.publisher.pending();
  const reconnects = (await registry.getSingleMetric('hermes_reconnects_total')?.get())?.values[0]?.value ?? 0;
  await app.stop();
  latencies.sort((a, b) => a - b);
  const offeredFeedsPerSecond = ((simAfter - simBefore) * FEEDS) / seconds;
  const publishedFeedsPerSecond = feeds / seconds;
  const p99 = percentile(latencies, 99);
  return {
    targetFeedRate: feedRate,
    tickRate,
    offeredFeedsPerSecond: Math.round(offeredFeedsPerSecond),
    publishedFeedsPerSecond: Math.round(publishedFeedsPerSecond),
    eventsPerSecond: Math.round(events / seconds),
    latencyMs: {
      p50: Math.round(percentile(latencies, 50) * 10) / 10,
      p99: Math.round(p99 * 10) / 10,
      max: Math.round((latencies[latencies.length - 1] ?? Number.NaN) * 10) / 10,
    },
    pendingAtEnd,
    reconnects,
    // Sustained: published what the simulator sent, with a bounded queue and latency, and no disconnect.
    sustained:
      publishedFeedsPerSecond >= 0.95 * offeredFeedsPerSecond &&
      pendingAtEnd < tickRate &&
      p99 < 1000 &&
      reconnects === 0,
  };
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 8);
  const rates = (process.argv[3] ?? '1000,2000,4000,5000,6000,8000,12000,16000,20000').split(',').map(Number);
  const stack = testStack();
  await provisionAll(stack, prefix);
  let sim: ChildSim | undefined;
  try {
    sim = await startChildSim(10);
    const loadAverageAtStart = os.loadavg()[0];
    const steps = [];
    for (const rate of rates) steps.push(await runStep(sim.url, sim.healthUrl, rate, seconds));
    const sustained = steps.filter((s) => s.sustained);
    const at1000 = steps.find((s) => s.targetFeedRate === 1000);
    console.log(
      JSON.stringify(
        {
          benchmark: 'ingest-hermes-throughput',
          seconds,
          cpus: os.cpus().length,
          loadAverage1m: { atStart: loadAverageAtStart, atEnd: os.loadavg()[0] },
          feedsPerEvent: FEEDS,
          dedupe: 'slot',
          maxSustainedFeedsPerSecond: sustained.reduce((max, s) => Math.max(max, s.publishedFeedsPerSecond), 0),
          p99MsAt1000: at1000?.latencyMs.p99 ?? null,
          targets: { feedsPerSecond: 5000, p99MsAt1000: 50 },
          steps,
        },
        null,
        2,
      ),
    );
  } finally {
    sim?.stop();
    await deletePrefixed(stack, prefix);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
