// Backlog throughput of processor-syi on the local stack, and the raw kafkajs ceiling on the
// same broker. N synthetic input events (default 1 000 000, about ten hours of market, ending about now) are
// produced to a fresh topic prefix first; then
//   1. processor-syi (its own process) reads the backlog as fast as it goes: events/s from
//      ready to the last grid point the inputs allow being readable (read_committed);
//   2. a bare kafkajs consumer reads the same input topics and produces every record unchanged
//      to a sink topic (eachBatch → sendBatch, acks=all): the consume+produce ceiling.
// Prints JSON; progress on stderr.   npx tsx libs/stream/bench/throughput.ts [events, default 1000000]
import { Registry } from 'prom-client';
import { KafkaMetrics, prefixedTopic, TopicProducer } from '@stableyield/kafka';
import { testStack, uniqueGroup, waitFor } from '@stableyield/kafka/testing';
import { SyntheticMarket } from '@stableyield/stream';
import { httpOk, INPUT_TOPIC_NAMES, produceInputs, provisionPrefixed, spawnApp, stopApp, uniquePrefix } from '@stableyield/stream/testing';

// Standard output carries the JSON result only (kafkajs would warn there about its partitioner).
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const total = Number(process.argv[2] ?? 1_000_000);
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

/** processor-syi over the backlog: seconds from ready to the last grid point being readable. */
async function processorRun(prefix: string, lastGrid: number): Promise<{ seconds: number; startupSeconds: number; records: number; metrics: string }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const spawned = performance.now();
  const app = spawnApp('processor-syi', {
    KAFKA_BROKERS: stack.brokers.join(','),
    SCHEMA_REGISTRY_URL: stack.registryUrl,
    TOPIC_PREFIX: prefix,
    HEALTH_PORT: String(port),
    ALLOWED_LATENESS_MS: String(LATENESS_MS),
    LOG_LEVEL: 'warn',
  });
  // A processor that exits ends the run with its log, instead of a wait for records that never come.
  const died = app.exited.then((code) => {
    throw new Error(`processor-syi exited (${String(code)}); last log lines:\n${app.output().slice(-4_000)}`);
  });
  died.catch(() => undefined);
  const unlessDied = (wait: Promise<void>) => Promise.race([wait, died]);
  await unlessDied(waitFor('processor-syi ready', () => httpOk(`http://127.0.0.1:${port}/ready`), 120_000, 20));
  const ready = performance.now();
  progress('processor ready', { startupSeconds: (ready - spawned) / 1000 });
  let records = 0;
  let done = false;
  const consumer = stack.kafka.consumer({ groupId: uniqueGroup('bench-throughput'), readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: prefixedTopic(prefix, 'syi.calculated'), fromBeginning: true });
  await consumer.run({
    eachBatch: ({ batch }) => {
      records += batch.messages.length;
      const last = batch.messages[batch.messages.length - 1];
      if (last !== undefined && Number(last.timestamp) >= lastGrid) done = true;
      return Promise.resolve();
    },
  });
  await unlessDied(waitFor('the last grid point', () => done, 1_800_000, 200));
  const finished = performance.now();
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  await stopApp(app, 'SIGTERM');
  await consumer.disconnect();
  return { seconds: (finished - ready) / 1000, startupSeconds: (ready - spawned) / 1000, records, metrics };
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
        await producer.sendBatch({ acks: -1, topicMessages: [{ topic: sink, messages: messages.slice(i, i + 1_000) }] });
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
const progress = (what: string, extra: object = {}) => process.stderr.write(JSON.stringify({ t: Number(((performance.now() - t00) / 1000).toFixed(1)), what, ...extra }) + '\n');

async function main(): Promise<void> {
  const prefix = uniquePrefix('bench-throughput');
  await provisionPrefixed(stack.kafka, stack.logger, stack.registryUrl, prefix);
  progress('provisioned', { prefix });
  const backlog = await produceBacklog(prefix);
  progress('produced', backlog);
  const lastGrid = Math.floor((backlog.maxTs - LATENESS_MS) / 1000) * 1000;
  const processor = await processorRun(prefix, lastGrid);
  progress('processor done', { seconds: processor.seconds });
  const raw = await rawRun(prefix, backlog.count);
  process.stdout.write(
    JSON.stringify({
      bench: 'processor-syi-throughput',
      events: backlog.count,
      marketHours: Number(((backlog.maxTs - START) / 3_600_000).toFixed(2)),
      produceEventsPerSecond: Math.round(backlog.count / backlog.seconds),
      processorSyi: {
        seconds: Number(processor.seconds.toFixed(2)),
        startupSeconds: Number(processor.startupSeconds.toFixed(2)),
        eventsPerSecond: Math.round(backlog.count / processor.seconds),
        recordsPublished: processor.records,
        recordsIn: metric(processor.metrics, 'processor_records_in_total'),
        transactionAborts: metric(processor.metrics, 'processor_transaction_aborts_total'),
      },
      rawKafkajsConsumeProduce: { seconds: Number(raw.seconds.toFixed(2)), eventsPerSecond: Math.round(backlog.count / raw.seconds) },
    }) + '\n',
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
