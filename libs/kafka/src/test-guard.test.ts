import pino from 'pino';
import { Registry } from 'prom-client';
import { createKafka } from './client';
import { KafkaMetrics } from './metrics';
import { TopicProducer } from './producer';
import type { TopicSerde } from './serde';
import { isProductionTopic, TEST_GUARD_ENV, UnprefixedTopicError } from './test-guard';

const logger = pino({ level: 'silent' });
// Nothing listens there: a guarded write fails before any connection is tried.
const settings = { brokers: ['127.0.0.1:1'], clientId: 'guard-test', retries: 0 };

describe('test guard', () => {
  const before = process.env[TEST_GUARD_ENV];
  afterEach(() => {
    if (before === undefined) delete process.env[TEST_GUARD_ENV];
    else process.env[TEST_GUARD_ENV] = before;
  });

  it('knows the production topics: the catalog, its dead-letter topics and the processors’ own', () => {
    for (const topic of [
      'cc.prices',
      'syi.calculated',
      'trad.tbill.dlq',
      'processor-syi.changelog',
      'processor-peg.lease',
    ])
      expect(isProductionTopic(topic)).toBe(true);
    for (const topic of ['test-x-1a2b3c4d.cc.prices', 't1a2b3c4.syi.calculated', 'cluster-test-1', 'compat-test-1'])
      expect(isProductionTopic(topic)).toBe(false);
  });

  it(
    'with STABLEYIELD_TEST=1, refuses a send or a batch ' + 'to an unprefixed catalog topic before it reaches a broker',
    async () => {
      process.env[TEST_GUARD_ENV] = '1';
      const producer = createKafka(settings, logger).producer();
      await expect(producer.send({ topic: 'cc.prices', messages: [{ value: 'x' }] })).rejects.toBeInstanceOf(
        UnprefixedTopicError,
      );
      await expect(
        producer.sendBatch({
          topicMessages: [
            { topic: 't1.cc.prices', messages: [] },
            { topic: 'syi.calculated', messages: [] },
          ],
        }),
      ).rejects.toThrow(/test wrote the production topic "syi\.calculated"/);
    },
  );

  it(
    'makes a TopicProducer refuse a production topic ' + 'before it asks the broker anything (its partition count)',
    async () => {
      process.env[TEST_GUARD_ENV] = '1';
      const kafka = createKafka(settings, logger);
      const producer = new TopicProducer(kafka, {} as TopicSerde, KafkaMetrics.of(new Registry()), logger);
      // nothing listens at the broker address: a partition look-up would fail with a connection error
      await expect(
        producer.sendRaw([{ topic: 'processor-syi.changelog', key: 'k', value: 'x' }]),
      ).rejects.toBeInstanceOf(UnprefixedTopicError);
    },
  );

  it('lets a client of a broker the test started itself, or any client outside tests, write any topic', async () => {
    process.env[TEST_GUARD_ENV] = '1';
    const own = createKafka({ ...settings, privateBroker: true }, logger).producer();
    await expect(own.send({ topic: 'cc.prices', messages: [{ value: 'x' }] })).rejects.not.toBeInstanceOf(
      UnprefixedTopicError,
    );
    delete process.env[TEST_GUARD_ENV];
    const app = createKafka(settings, logger).producer();
    await expect(app.send({ topic: 'cc.prices', messages: [{ value: 'x' }] })).rejects.not.toBeInstanceOf(
      UnprefixedTopicError,
    );
  });
});
