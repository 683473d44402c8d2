/**
 * Helpers for the serving integration tests and benchmarks (test code only, never imported by an app).
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import pino from 'pino';
import { Registry } from 'prom-client';
import { PostgresWriter, type StorageVariant } from '@stableyield/postgres';
import { type SinkTopic } from '@stableyield/sink-model';
import { registryEncoder } from '@stableyield/sink-model/testing';
import { KafkaMetrics, TopicProducer } from '@stableyield/kafka';
import type { TestStack } from '@stableyield/kafka/testing';
import type { LatestSyi } from '@stableyield/live-feed';
import { syiRecord } from '@stableyield/live-feed/testing';
import type { SyiRecord, TopicValues } from '@stableyield/schemas';
import type { ApiDeps } from './app';
import { Authenticator } from './auth';
import { sha256RecordDigest } from './verify';

/** An Authenticator that knows one API key (as 'key1'), with every key it was asked about in `lookups`. */
export function recordingAuthenticator(validKey: string): { authenticator: Authenticator; lookups: string[] } {
  const lookups: string[] = [];
  const authenticator = new Authenticator({
    lookupKey: (key) => {
      lookups.push(key);
      return Promise.resolve(key === validKey ? 'key1' : null);
    },
  });
  return { authenticator, lookups };
}

/**
 * `count` records `stepMs` apart from `startTs`, each linked to the one before and digested by the default
 * algorithm.
 */
export function signedChain(
  count: number,
  startTs: number,
  options: { stepMs?: number; prevDigest?: string | null; value?: (i: number) => number } = {},
): SyiRecord[] {
  const out: SyiRecord[] = [];
  let prev = options.prevDigest ?? null;
  for (let i = 0; i < count; i++) {
    const unsigned = syiRecord({
      ts: startTs + i * (options.stepMs ?? 1000),
      value: options.value?.(i) ?? 4 + i / 1000,
      prevDigest: prev,
      digest: '',
    });
    const record = { ...unsigned, digest: sha256RecordDigest(unsigned) };
    out.push(record);
    prev = record.digest;
  }
  return out;
}

/** A test copy of a catalog topic, e.g. `t1a2b3c4.syi.calculated`. */
export async function createTopic(stack: TestStack, topic: string, partitions = 1): Promise<void> {
  const admin = stack.kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopic(stack: TestStack, topic: string): Promise<void> {
  const admin = stack.kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
}

/** Publishes `syi.calculated` values to a (prefixed) topic, Avro-encoded with the catalog schema. */
export class SyiPublisher {
  private constructor(
    private readonly producer: TopicProducer,
    private readonly encode: (value: TopicValues['syi.calculated']) => Buffer,
    private readonly topic: string,
  ) {}

  /** Transactional by default, as processor-syi writes: the topic then holds commit markers. */
  static async create(
    stack: TestStack,
    topic: string,
    options: { transactional?: boolean } = {},
  ): Promise<SyiPublisher> {
    const transactionalId = options.transactional === false ? undefined : `test-syi-${randomUUID().slice(0, 8)}`;
    const producer = new TopicProducer(
      stack.kafka,
      stack.serde,
      new KafkaMetrics(new Registry()),
      stack.logger,
      transactionalId ? { transactionalId } : {},
    );
    await producer.connect();
    return new SyiPublisher(producer, await registryEncoder(stack, 'syi.calculated'), topic);
  }

  async publish(...records: SyiRecord[]): Promise<void> {
    await this.producer.sendRaw(
      records.map((r) => ({ topic: this.topic, key: 'SYI', value: this.encode(r), timestamp: r.ts })),
    );
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}

/** Stores index records as sink-timescale does (syi_index + syi_constituents rows). */
export async function storeRecords<T extends SinkTopic>(
  pool: Pool,
  variant: StorageVariant,
  topic: T,
  values: readonly TopicValues[T][],
): Promise<void> {
  const writer = new PostgresWriter({ pool, variant, batchSize: 5_000 });
  const records = values.map((value, i) => ({
    topic,
    partition: 0,
    offset: String(i),
    key: null,
    value,
    timestamp: 0,
    headers: {},
  }));
  const { rejected } = await writer.write(topic, records);
  if (rejected.length > 0) throw new Error(`rows refused: ${rejected.map((r) => r.reason).join('; ')}`);
}

/** A TCP port free right now on 127.0.0.1. */
export { freePort } from '@stableyield/chain/testing';

/** The deps of an API unit test: a database without rows, no valid key, a silent logger. */
export function stubApiDeps(latest: LatestSyi, extra: Partial<ApiDeps> = {}): ApiDeps {
  return {
    db: { query: () => Promise.resolve({ rows: [], rowCount: 0 }) },
    latest,
    registry: new Registry(),
    now: Date.now,
    knownSymbols: ['USDC'],
    logger: pino({ level: 'silent' }),
    authenticator: new Authenticator({ lookupKey: () => Promise.resolve(null) }),
    ...extra,
  };
}
