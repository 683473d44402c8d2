// Backlog throughput of the four processors on the local stack, and the raw kafkajs ceiling on
// the same broker. N synthetic input events (default 1 000 000, about ten hours of market, ending about now) are
// produced to a fresh topic prefix first; then
//   1. processor-syi, -peg, -liquidity and -ray (each its own process, started together) read the
//      backlog as fast as they go: input events/s from all ready to the last grid point the inputs
//      allow being readable (read_committed) on every output topic (`--only APP`: one of them);
//   2. a bare kafkajs consumer reads the same input topics and produces every record unchanged
//      to a sink topic (eachBatch → sendBatch, acks=all): the consume+produce ceiling.
// Prints JSON; progress on stderr.   npx tsx libs/stream/bench/throughput.ts [events, default 1000000] [--only APP]
import { Registry } from 'prom-client';
import { KafkaMetrics, prefixedTopic, TopicProducer } from '@stableyield/kafka';
import { testStack, uniqueGroup, waitFor } from '@stableyield/kafka/testing';
import { SyntheticMarket } from '../src';
import {
  httpOk,
  INPUT_TOPIC_NAMES,
  PROCESSOR_NODE_OPTIONS,
  produceInputs,
  provisionPrefixed,
  randomTestPort,
  spawnApp,
  stopApp,
  uniquePrefix,
} from '@stableyield/stream/testing';
import { runBenchmark } from './lib/run';

// Standard output carries the JSON result only (kafkajs would warn there about its partitioner).
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const total = Number(process.argv[2] ?? 1_000_000);
/** `--only processor-syi` runs one processor instead of all four. */
const ONLY = process.argv.includes('--only')
  ? (process.argv[process.argv.indexOf('--only') + 1] as ProcessorApp)
  : null;
const LATENESS_MS = 200;
// Event times end about now: records older than a topic's retention (7 days) would be deleted by
// the broker while the run reads them (it did: runs stalled and failed at random).
const START = Date.now() - 12 * 3_600_000;
const stack = testStack();

async function produceBacklog(prefix: string): Promise<{ maxTs: number; count: number; seconds: number }> {
  const producer = new TopicProducer(stack.kafka, stack.serde, KafkaMetrics.of(new Registry()), stack.logger);
  await producer.connect();
  const market = new SyntheticMarket({ startMs: START, seed: 9 });
  const t0 = performance.now();
  let count = 0;
  let maxTs = -Infinity;
  while (count < total) {
    const chunk = market.take(Math.min(20_000, total - count));
    await produceInputs(producer, stack.serde, prefix, chunk);
    count += chunk.length;
    progress('producing', { count });
    for (const r of chunk) if (r.value.ts > maxTs) maxTs = r.value.ts;
  }
  await producer.disconnect();
  return { maxTs, count, seconds: (performance.now() - t0) / 1000 };
}

const OUTPUTS = {
  'processor-syi': { topic: 'syi.calculated', recordsPerGridPoint: 1 },
  'processor-peg': { topic: 'syi.peg', recordsPerGridPoint: 6 },
  'processor-liquidity': { topic: 'syi.liquidity', recordsPerGridPoint: 6 },
  'processor-ray': { topic: 'ray.calculated', recordsPerGridPoint: 6 },
} as const;
type ProcessorApp = keyof typeof OUTPUTS;

interface AppRun {
  app: ProcessorApp;
  seconds: number;
  startupSeconds: number;
  records: number;
  metrics: string;
}

/**
 * Processors started together over the backlog; each one's seconds run from the moment all are
 * ready to its output holding every record of the last grid point the inputs allow (read_committed).
 */
async function processorsRun(
  prefix: string,
  lastGrid: number,
  apps: readonly ProcessorApp[],
): Promise<{ seconds: number; runs: AppRun[] }> {
  const spawned = performance.now();
  const started = apps.map((app) => {
    const port = randomTestPort();
    const child = spawnApp(app, {
      KAFKA_BROKERS: stack.brokers.join(','),
      SCHEMA_REGISTRY_URL: stack.registryUrl,
      TOPIC_PREFIX: prefix,
      HEALTH_PORT: String(port),
      ALLOWED_LATENESS_MS: String(LATENESS_MS),
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: PROCESSOR_NODE_OPTIONS,
    });
    // A processor that exits ends the run with its log, instead of a wait for records that never come.
    const died = child.exited.then((code) => {
      throw new Error(`${app} exited (${String(code)}); last log lines:\n${child.output().slice(-4_000)}`);
    });
    died.catch(() => undefined);
    return { app, port, child, died };
  });
  const unlessDied = <T>(wait: Promise<T>) => Promise.race([wait, ...started.map((s) => s.died)]) as Promise<T>;
  const readyAt = await unlessDied(
    Promise.all(
      started.map(async (s) => {
        await waitFor(`${s.app} ready`, () => httpOk(`http://127.0.0.1:${s.port}/ready`), 120_000, 20);
        return performance.now();
      }),
    ),
  );
  const ready = Math.max(...readyAt);
  progress('processors ready', { apps, startupSeconds: (ready - spawned) / 1000 });

  const runs = await unlessDied(
    Promise.all(
      started.map(async (s, i) => {
        const output = OUTPUTS[s.app];
        let records = 0;
        let atLastGrid = 0;
        const consumer = stack.kafka.consumer({ groupId: uniqueGroup('bench-throughput'), readUncommitted: false });
        await consumer.connect();
        await consumer.subscribe({ topic: prefixedTopic(prefix, output.topic), fromBeginning: true });
        await consumer.run({
          eachBatch: ({ batch }) => {
            records += batch.messages.length;
            for (const m of batch.messages) if (Number(m.timestamp) >= lastGrid) atLastGrid++;
            return Promise.resolve();
          },
        });
        await waitFor(`${s.app}: the last grid point`, () => atLastGrid >= output.recordsPerGridPoint, 1_800_000, 200);
        const finished = performance.now();
        progress(`${s.app} done`, { seconds: (finished - ready) / 1000 });
        const metrics = await (await fetch(`http://127.0.0.1:${s.port}/metrics`)).text();
        await consumer.disconnect();
        return {
          app: s.app,
          seconds: (finished - ready) / 1000,
          startupSeconds: ((readyAt[i] as number) - spawned) / 1000,
          records,
          metrics,
        };
      }),
    ),
  );
  for (const s of started) {
    await stopApp(s.child, 'SIGTERM');
    // What a processor warned about (a released idle partition explains late events) goes with the progress.
    const warnings = s.child
      .output()
      .split('\n')
      .filter((line) => /"level":(40|"warn")/.test(line));
    for (const line of warnings.slice(0, 20)) process.stderr.write(`${s.app}: ${line}\n`);
  }
  return { seconds: Math.max(...runs.map((r) => r.seconds)), runs };
}

/** The ceiling: consume every input record and produce it unchanged, no processing. */
async function rawRun(prefix: string, count: number): Promise<{ seconds: number }> {
  const sink = prefixedTopic(prefix, 'bench.sink');
  const admin = stack.kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: sink, numPartitions: 12, replicationFactor: 1 }] });
  await admin.disconnect();
  // Not idempotent: kafkajs's idempotent producer stalled here on its sequence numbers (a 1M-record run hung).
  const producer = stack.kafka.producer({ idempotent: false });
  await producer.connect();
  const consumer = stack.kafka.consumer({ groupId: uniqueGroup('bench-raw'), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topics: INPUT_TOPIC_NAMES.map((t) => prefixedTopic(prefix, t)), fromBeginning: true });
  consumer.on(consumer.events.CRASH, (e) => process.stderr.write(`raw consumer crashed: ${String(e.payload.error)}\n`));
  let copied = 0;
  const t0 = performance.now();
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      // In slices: one fetch (up to 1 MiB a partition) as one request could pass the broker's batch limit.
      const messages = batch.messages.map((m) => ({ key: m.key, value: m.value }));
      for (let i = 0; i < messages.length; i += 1_000) {
        await producer.sendBatch({
          acks: -1,
          topicMessages: [{ topic: sink, messages: messages.slice(i, i + 1_000) }],
        });
      }
      copied += batch.messages.length;
    },
  });
  const ticker = setInterval(() => progress('raw copying', { copied }), 5_000);
  await waitFor('every input copied', () => copied >= count, 1_800_000, 50);
  clearInterval(ticker);
  const seconds = (performance.now() - t0) / 1000;
  await consumer.disconnect();
  await producer.disconnect();
  return { seconds };
}

function metric(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name)) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  return sum;
}

const t00 = performance.now();
const progress = (what: string, extra: object = {}) =>
  process.stderr.write(
    JSON.stringify({ t: Number(((performance.now() - t00) / 1000).toFixed(1)), what, ...extra }) + '\n',
  );

async function main(): Promise<object> {
  const prefix = uniquePrefix('bench-throughput');
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  progress('provisioned', { prefix });
  const backlog = await produceBacklog(prefix);
  progress('produced', backlog);
  const lastGrid = Math.floor((backlog.maxTs - LATENESS_MS) / 1000) * 1000;
  const apps = ONLY ? [ONLY] : (Object.keys(OUTPUTS) as ProcessorApp[]);
  const processors = await processorsRun(prefix, lastGrid, apps);
  const raw = await rawRun(prefix, backlog.count);
  return {
    bench: 'processors-throughput',
    events: backlog.count,
    marketHours: Number(((backlog.maxTs - START) / 3_600_000).toFixed(2)),
    produceEventsPerSecond: Math.round(backlog.count / backlog.seconds),
    processors: {
      apps,
      seconds: Number(processors.seconds.toFixed(2)),
      inputEventsPerSecondEndToEnd: Math.round(backlog.count / processors.seconds),
      target: 20_000,
      each: processors.runs.map((r) => ({
        app: r.app,
        seconds: Number(r.seconds.toFixed(2)),
        startupSeconds: Number(r.startupSeconds.toFixed(2)),
        recordsPublished: r.records,
        recordsIn: metric(r.metrics, 'processor_records_in_total'),
        lateEvents: metric(r.metrics, 'processor_late_events_total'),
        transactionAborts: metric(r.metrics, 'processor_transaction_aborts_total'),
      })),
    },
    rawKafkajsConsumeProduce: {
      seconds: Number(raw.seconds.toFixed(2)),
      eventsPerSecond: Math.round(backlog.count / raw.seconds),
    },
  };
}

runBenchmark(main);
