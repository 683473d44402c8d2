// The guard of every integration test (jest.integration.setup.js sets STABLEYIELD_TEST=1): on the
// stack's real broker, a write to a production topic is refused and leaves the topic untouched,
// plain or transactional, while the same write under a test prefix goes through.
import { Registry } from 'prom-client';
import { KafkaMetrics } from './metrics';
import { TopicProducer } from './producer';
import { UnprefixedTopicError } from './test-guard';
import { deletePrefixed, endOffsets, provisionAll, readTopic, testPrefix, testStack } from './testing';

const stack = testStack();
const prefix = testPrefix('guard');
const metrics = KafkaMetrics.of(new Registry());
const value = { series: 'TEST', rate: 1, date: 'guard', ts: Date.now() };

beforeAll(() => provisionAll(stack, prefix));
afterAll(() => deletePrefixed(stack, prefix));

describe('the test guard on the real broker', () => {
  it('is on in integration tests', () => {
    expect(process.env.STABLEYIELD_TEST).toBe('1');
  });

  it('refuses plain and transactional writes to an unprefixed catalog topic, which stays untouched', async () => {
    // on a fresh broker the production topic may not exist: then it must still not exist after
    const offsets = () =>
      endOffsets(stack.kafka, 'trad.tbill').then(
        (o) => [...o],
        () => 'no such topic',
      );
    const before = await offsets();
    const plain = new TopicProducer(stack.kafka, stack.serde, metrics, stack.logger);
    const transactional = new TopicProducer(stack.kafka, stack.serde, metrics, stack.logger, {
      transactionalId: `${prefix}guard`,
      maxTransactionAttempts: 0,
    });
    await plain.connect();
    await transactional.connect();
    try {
      await expect(plain.send('trad.tbill', [{ key: 'guard', value }])).rejects.toBeInstanceOf(UnprefixedTopicError);
      await expect(transactional.send('trad.tbill', [{ key: 'guard', value }])).rejects.toBeInstanceOf(
        UnprefixedTopicError,
      );
      await expect(
        plain.sendRaw([{ topic: 'processor-syi.changelog', key: 'processor-syi', value: 'x' }]),
      ).rejects.toThrow(/production topic "processor-syi\.changelog"/);
    } finally {
      await plain.disconnect();
      await transactional.disconnect();
    }
    expect(await offsets()).toEqual(before);
  });

  it('lets the same write through under a test prefix', async () => {
    // a key of this attempt's own (a retry must not count the first attempt's record), read from the
    // start: just after the topics were created, asking for end offsets can meet a leader not yet elected
    const key = `guard-${Date.now()}`;
    const producer = new TopicProducer(stack.kafka, stack.serde, metrics, stack.logger, { topicPrefix: prefix });
    await producer.connect();
    try {
      await producer.send('trad.tbill', [{ key, value }]);
    } finally {
      await producer.disconnect();
    }
    const read = await readTopic(stack.kafka, `${prefix}trad.tbill`, {
      done: (m) => m.some((x) => x.key?.toString() === key),
    });
    expect(read.filter((x) => x.key?.toString() === key)).toHaveLength(1);
  });
});
