// Integration tests share the broker of the local stack with `npm start`: a test that wrote the
// production (unprefixed) topics would corrupt the live index. With STABLEYIELD_TEST=1 (set for
// every integration test by jest.integration.setup.js and inherited by the apps tests start) every
// producer refuses such a write before it reaches the broker.
import type { Kafka, Producer, ProducerBatch, ProducerRecord, Transaction } from 'kafkajs';
import { CATALOG } from './catalog';

/** The variable that turns the guard on. */
export const TEST_GUARD_ENV = 'STABLEYIELD_TEST';

/** Topics a live deployment writes under no prefix: the catalog and the processors' own topics. */
const PROCESSOR_TOPIC = /^processor-[a-z]+\.(changelog|lease)$/;
const CATALOG_NAMES = new Set(CATALOG.map((t) => t.name));

export const isProductionTopic = (topic: string) => CATALOG_NAMES.has(topic) || PROCESSOR_TOPIC.test(topic);

export class UnprefixedTopicError extends Error {
  override readonly name = 'UnprefixedTopicError';
  constructor(readonly topic: string) {
    super(
      `test wrote the production topic "${topic}": ` +
        `give the test a topic prefix (${TEST_GUARD_ENV}=1 refuses unprefixed catalog topics)`,
    );
  }
}

// no-restricted-properties: a test-only switch, not configuration of an app: no app schema declares it
// eslint-disable-next-line no-restricted-properties -- a test-only switch, not configuration of an app
export const testGuardOn = (env: NodeJS.ProcessEnv = process.env) => env[TEST_GUARD_ENV] === '1';

/** Throws UnprefixedTopicError for the first production topic of `topics`. */
export function refuseProductionTopics(topics: readonly string[]): void {
  const production = topics.find(isProductionTopic);
  if (production !== undefined) throw new UnprefixedTopicError(production);
}
const check = refuseProductionTopics;

const guarded = new WeakSet<Kafka>();

/**
 * Whether `kafka`'s producers are guarded. A writer that asks the broker something first (the
 * partition count of its topic) checks with this before: on a fresh broker a production topic
 * may not exist, and the look-up would fail before the guard had its say.
 */
export const isGuarded = (kafka: Kafka) => guarded.has(kafka);

const topicsOf = (request: ProducerRecord | ProducerBatch) =>
  'topic' in request ? [request.topic] : (request.topicMessages ?? []).map((t) => t.topic);

function guardSends<T extends Pick<Producer, 'send' | 'sendBatch'>>(target: T): T {
  const send = target.send.bind(target);
  const sendBatch = target.sendBatch.bind(target);
  target.send = (record) =>
    Promise.resolve()
      .then(() => check(topicsOf(record)))
      .then(() => send(record));
  target.sendBatch = (batch) =>
    Promise.resolve()
      .then(() => check(topicsOf(batch)))
      .then(() => sendBatch(batch));
  return target;
}

/** Makes every producer of `kafka` (and its transactions) refuse writes to production topics. */
export function guardProducers(kafka: Kafka): Kafka {
  guarded.add(kafka);
  const producer = kafka.producer.bind(kafka);
  kafka.producer = (config) => {
    const p = guardSends(producer(config));
    const transaction = p.transaction.bind(p);
    p.transaction = async (): Promise<Transaction> => guardSends(await transaction());
    return p;
  };
  return kafka;
}
