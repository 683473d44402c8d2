import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { registryEncoder } from '@stableyield/sink-model/testing';
import { KafkaMetrics, TopicProducer } from '@stableyield/kafka';
import { provisionAll, testStack, uniqueGroup, waitFor } from '@stableyield/kafka/testing';
import type { SyiRecord } from '@stableyield/schemas';
import { LatestSyi } from './latest';
import { createSyiFeed } from './syi-feed';
import { syiRecord } from './testing';

const stack = testStack();
const topic = `t${randomUUID().slice(0, 8)}.syi.calculated`;
let producer: TopicProducer;
let encode: (r: SyiRecord) => Buffer;

beforeAll(async () => {
  await provisionAll(stack);
  const admin = stack.kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
  await admin.disconnect();
  // Transactional, as processor-syi writes: every send ends with a commit marker at the end of the log.
  producer = new TopicProducer(stack.kafka, stack.serde, new KafkaMetrics(new Registry()), stack.logger, {
    transactionalId: uniqueGroup('syi-tx'),
  });
  await producer.connect();
  encode = await registryEncoder(stack, 'syi.calculated');
});

afterAll(async () => {
  await producer.disconnect();
  const admin = stack.kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

const publish = (...records: SyiRecord[]) =>
  producer.sendRaw(records.map((r) => ({ topic, key: 'SYI', value: encode(r) })));

function startFeed() {
  const latest = new LatestSyi();
  const feed = createSyiFeed({
    kafka: stack.kafka,
    serde: stack.serde,
    logger: stack.logger,
    latest,
    groupId: uniqueGroup('feed'),
    topic,
  });
  return { latest, feed };
}

describe('createSyiFeed', () => {
  it('is caught up at once on an empty topic, then follows new records', async () => {
    const { latest, feed } = startFeed();
    try {
      await feed.start();
      expect(feed.caughtUp).toBe(true);
      expect(latest.get()).toBeUndefined();
      await publish(syiRecord({ ts: 1_000_000 }));
      await waitFor('the first record', () => latest.get()?.record.ts === 1_000_000, 15_000, 5);
    } finally {
      await feed.stop();
    }
  });

  it('loads the newest record before start() resolves, past transaction markers, and follows on', async () => {
    for (let i = 1; i <= 30; i++) await publish(syiRecord({ ts: 1_000_000 + i * 1000, value: i }));
    const { latest, feed } = startFeed();
    const told: number[] = [];
    latest.subscribe((s) => told.push(s.record.ts));
    try {
      await feed.start();
      expect(feed.caughtUp).toBe(true);
      expect(latest.get()?.record).toMatchObject({ ts: 1_030_000, value: 30 });
      // Only the end of the topic is re-read, not its whole history.
      expect(told.length).toBeLessThanOrEqual(20);
      await publish(syiRecord({ ts: 1_031_000, value: 31 }));
      await waitFor('the next record', () => latest.get()?.record.ts === 1_031_000, 15_000, 5);
    } finally {
      await feed.stop();
    }
  });
});
