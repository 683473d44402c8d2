/**
 * Produce+consume throughput of the libs/kafka wrapper (Avro + registry, idempotent producer,
 * ConsumerRunner with per-batch commits) against raw kafkajs (JSON bytes, same acks and
 * idempotence, eachBatch with auto-commit) on the same broker. Prints one JSON object.
 *
 *   npm run bench kafka [-- --records 200000]
 */
import { randomUUID } from 'node:crypto';
import { Partitioners, type Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { createRegistryClient, registerSchemas, VALUE_SCHEMAS, type VenuePrice } from '@stableyield/schemas';
import { ConsumerRunner, KafkaMetrics, TopicProducer, TopicSerde } from '../src';
import { testStack } from '../src/testing';

const args = process.argv.slice(2);
const records = Number(args[args.indexOf('--records') + 1] ?? 0) || 200_000;
const batch = 1_000;
const stack = testStack();

function value(i: number, run: number): VenuePrice {
  return { symbol: `S${i % 6}`, venue: 'bench', price: 1 + (i % 100) / 1e6, volume24hUsd: i, ts: run + i };
}

async function createTopic(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6, replicationFactor: 1 }] });
  await admin.disconnect();
}

/** Counts consumed records; `all` resolves once every record of the run is seen. */
function consumedCounter(): { seen(n: number): void; all: Promise<void> } {
  let count = 0;
  let done: () => void = () => undefined;
  const all = new Promise<void>((r) => (done = r));
  return {
    seen: (n) => {
      count += n;
      if (count >= records) done();
    },
    all,
  };
}

/** How long `work` takes, in ms. */
async function timed(work: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
}

const rates = (produceMs: number, consumeMs: number) => ({
  produceRecordsPerSec: Math.round(records / (produceMs / 1000)),
  consumeRecordsPerSec: Math.round(records / (consumeMs / 1000)),
});

async function wrapper(run: number) {
  const topic = `bench.wrapper.${run}`;
  await createTopic(stack.kafka, topic);
  await registerSchemas(createRegistryClient(stack.registryUrl), { [topic]: VALUE_SCHEMAS['cc.prices']! });
  const metrics = KafkaMetrics.of(new Registry());
  const serde = new TopicSerde(createRegistryClient(stack.registryUrl));
  const producer = new TopicProducer(stack.kafka, serde, metrics, stack.logger);
  await producer.connect();
  const produceMs = await timed(async () => {
    for (let i = 0; i < records; i += batch) {
      const chunk = Array.from({ length: Math.min(batch, records - i) }, (_, j) => ({
        key: `S${(i + j) % 6}-bench`,
        value: value(i + j, run),
      }));
      await producer.send(topic as 'cc.prices', chunk);
    }
  });
  const consumed = consumedCounter();
  const runner = new ConsumerRunner({
    ...stack,
    metrics,
    producer,
    groupId: `bench-${randomUUID()}`,
    topics: [topic as 'cc.prices'],
    handle: async (rs) => {
      consumed.seen(rs.length);
      return Promise.resolve();
    },
  });
  const consumeMs = await timed(async () => {
    await runner.start();
    await consumed.all;
  });
  await runner.stop();
  await producer.disconnect();
  return rates(produceMs, consumeMs);
}

async function raw(run: number) {
  const topic = `bench.raw.${run}`;
  await createTopic(stack.kafka, topic);
  const producer = stack.kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER },
  });
  await producer.connect();
  const produceMs = await timed(async () => {
    for (let i = 0; i < records; i += batch) {
      const messages = Array.from({ length: Math.min(batch, records - i) }, (_, j) => ({
        key: `S${(i + j) % 6}-bench`,
        value: JSON.stringify(value(i + j, run)),
      }));
      await producer.send({ topic, acks: -1, messages });
    }
  });
  const consumed = consumedCounter();
  const consumer = stack.kafka.consumer({ groupId: `bench-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const consumeMs = await timed(async () => {
    await consumer.run({
      eachBatch: async ({ batch: b }) => {
        for (const m of b.messages) JSON.parse(m.value!.toString());
        consumed.seen(b.messages.length);
        return Promise.resolve();
      },
    });
    await consumed.all;
  });
  await consumer.disconnect();
  await producer.disconnect();
  return rates(produceMs, consumeMs);
}

async function main() {
  const run = Date.now();
  const rawResult = await raw(run);
  const wrapperResult = await wrapper(run);
  console.log(
    JSON.stringify({
      benchmark: 'kafka-wrapper-vs-raw-kafkajs',
      records,
      batchSize: batch,
      brokers: stack.brokers,
      rawKafkajs: rawResult,
      libsKafka: wrapperResult,
      ratio: {
        produce: +(wrapperResult.produceRecordsPerSec / rawResult.produceRecordsPerSec).toFixed(3),
        consume: +(wrapperResult.consumeRecordsPerSec / rawResult.consumeRecordsPerSec).toFixed(3),
      },
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
