// The readers of libs/kafka through a schema-registry outage (a proxy in front of the stack's
// registry answering 503, then refusing connections): ConsumerRunner (the sinks) and
// TopicFollower (api, ws-gateway, keeper) wait for the registry instead of dead-lettering or
// skipping the records, and hand every one over once it answers.
import { createRegistryClient, registerSchemas, VALUE_SCHEMAS, type TopicValues } from '@stableyield/schemas';
import { dlqTopicOf } from './catalog';
import { ConsumerRunner, type ConsumedRecord } from './consumer';
import { TopicFollower } from './follow';
import { TopicProducer } from './producer';
import { TopicSerde } from './serde';
import {
  deletePrefixed,
  endOffsets,
  provisionAll,
  RegistryProxy,
  testFileStack,
  uniqueGroup,
  waitFor,
} from './testing';

const { stack, prefix, metrics } = testFileStack('registry-outage');
const topic = `${prefix}ex.mktcap` as 'ex.mktcap';
let registry: RegistryProxy;
let producer: TopicProducer;

beforeAll(async () => {
  await provisionAll(stack, prefix);
  await registerSchemas(createRegistryClient(stack.registryUrl), { [topic]: VALUE_SCHEMAS['ex.mktcap']! });
  registry = await RegistryProxy.start(stack.registryUrl);
  producer = new TopicProducer(stack.kafka, stack.serde, metrics, stack.logger);
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  await registry.down();
  await deletePrefixed(stack, prefix);
});

/** Records of this attempt under their own keys; a reader's serde goes through the proxy (nothing cached). */
async function produce(run: string, n: number): Promise<Set<string>> {
  const keys = Array.from({ length: n }, (_, i) => `${run}-${i}`);
  await producer.send(
    topic,
    keys.map((key, i) => ({ key, value: { symbol: `S${i}`, marketCapUsd: i + 1, ts: Date.now() } })),
  );
  return new Set(keys);
}

it('ConsumerRunner and TopicFollower wait out the outage: nothing dead-lettered, nothing skipped', async () => {
  const run = uniqueGroup('outage');
  await registry.failing();
  const keys = await produce(run, 6);
  const serdeViaProxy = () => new TopicSerde(createRegistryClient(registry.url));

  const handled = new Set<string>();
  const runner = new ConsumerRunner({
    ...stack,
    serde: serdeViaProxy(),
    metrics,
    producer,
    groupId: uniqueGroup('outage-runner'),
    topics: [topic],
    retry: { initialMs: 100, maxMs: 500 },
    handle: async (records: ConsumedRecord[]) => {
      for (const r of records) if (r.key !== null && keys.has(r.key)) handled.add(r.key);
      return Promise.resolve();
    },
  });
  const followed = new Set<string>();
  const follower = new TopicFollower({
    ...stack,
    serde: serdeViaProxy(),
    topic,
    groupId: uniqueGroup('outage-follower'),
    lookback: 50,
    maxWaitMs: 200,
    onRecords: (records: ConsumedRecord<TopicValues['ex.mktcap']>[]) => {
      for (const r of records) if (r.key !== null && keys.has(r.key)) followed.add(r.key);
    },
  });
  await runner.start();
  const following = follower.start();
  try {
    await new Promise((r) => setTimeout(r, 3_000)); // 503s
    await registry.down();
    await new Promise((r) => setTimeout(r, 3_000)); // refused connections
    expect([handled.size, followed.size]).toEqual([0, 0]);
    await registry.up();
    await waitFor('every record handed over', () => handled.size === keys.size && followed.size === keys.size, 30_000);
    await following;
  } finally {
    await runner.stop();
    await follower.stop();
  }
  // nothing in this run's dead-letter topic
  expect([...(await endOffsets(stack.kafka, dlqTopicOf(topic))).values()].every((end) => end === '0')).toBe(true);
});
