import { Partitioners, type IHeaders, type Kafka, type Message, type Producer, type Transaction } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataTopic, TopicValues } from '@stableyield/schemas';
import type { KafkaMetrics } from './metrics';
import { PartitionRouter, sendPerPartition } from './partitioning';
import { prefixedTopic } from './catalog';
import { isGuarded, refuseProductionTopics } from './test-guard';
import type { TopicSerde } from './serde';

export interface OutgoingRecord<T extends DataTopic = DataTopic> {
  key: string;
  value: TopicValues[T];
  headers?: IHeaders;
  /** Kafka record timestamp in ms; the event time is a good choice. */
  timestamp?: number;
}

/** An already-encoded message for a topic outside the Avro catalog (DLQ, changelog). */
export interface RawRecord {
  topic: string;
  /** Explicit partition; by default the key decides. */
  partition?: number;
  key: string | Buffer | null;
  value: Buffer | string | null;
  headers?: IHeaders;
  timestamp?: number;
}

export async function encodeMessages<T extends DataTopic>(
  serde: TopicSerde,
  topic: T,
  records: readonly OutgoingRecord<T>[],
): Promise<Message[]> {
  return Promise.all(
    records.map(async (r) => {
      const message: Message = { key: r.key, value: await serde.serialize(topic, r.value) };
      if (r.headers) message.headers = r.headers;
      if (r.timestamp !== undefined) message.timestamp = String(r.timestamp);
      return message;
    }),
  );
}

export function rawMessage(r: RawRecord): Message {
  const message: Message = { key: r.key, value: r.value };
  if (r.partition !== undefined) message.partition = r.partition;
  if (r.headers) message.headers = r.headers;
  if (r.timestamp !== undefined) message.timestamp = String(r.timestamp);
  return message;
}

/**
 * An idempotent producer (acks=all, broker-side de-duplication of retries) that encodes
 * values with the topic's registered Avro schema.
 */
export class TopicProducer {
  readonly producer: Producer;
  private readonly transactional: boolean;
  /** Also used by the transactional runner, whose sends go through the same split. */
  readonly router: PartitionRouter;
  private readonly maxTransactionAttempts: number;
  private readonly topicPrefix: string;
  /** the test guard is on for this client: production topics are refused before any broker call */
  private readonly guarded: boolean;

  constructor(
    kafka: Kafka,
    private readonly serde: TopicSerde,
    private readonly metrics: KafkaMetrics,
    private readonly logger: Logger,
    /** `topicPrefix` is put in front of every topic written (tests isolate runs with it). */
    options: { transactionalId?: string; maxTransactionAttempts?: number; topicPrefix?: string } = {},
  ) {
    this.transactional = options.transactionalId !== undefined;
    this.topicPrefix = options.topicPrefix ?? '';
    this.router = new PartitionRouter(kafka);
    this.guarded = isGuarded(kafka);
    this.maxTransactionAttempts = options.maxTransactionAttempts ?? 20;
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      // The Java client's murmur2 partitioner: keys land where every other Kafka client puts them.
      createPartitioner: Partitioners.DefaultPartitioner,
      // An idempotent producer keeps retrying: giving up mid-sequence could reorder or lose records.
      // A transaction begun right after the last one ended often meets CONCURRENT_TRANSACTIONS while
      // the coordinator still writes the markers; the first retries come soon (20 ms, as the Java
      // client does for this case), not after 100 ms: processor-syi commits four times a second.
      retry: {
        retries: Number.MAX_SAFE_INTEGER,
        initialRetryTime: options.transactionalId ? 20 : 100,
        maxRetryTime: 5_000,
      },
      allowAutoTopicCreation: false,
      ...(options.transactionalId ? { transactionalId: options.transactionalId, transactionTimeout: 60_000 } : {}),
    });
  }

  async connect(): Promise<void> {
    await this.producer.connect();
    this.logger.info('producer_connected');
  }

  /** Flushes nothing pending (sends are awaited) and closes the connections. */
  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }

  async send<T extends DataTopic>(topic: T, records: readonly OutgoingRecord<T>[]): Promise<void> {
    if (records.length === 0) return;
    const messages = await encodeMessages(this.serde, topic, records);
    await this.write([{ topic, messages }]);
    this.metrics.produced.inc({ topic }, records.length);
  }

  async sendRaw(records: readonly RawRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.write(groupByTopic(records));
    for (const r of records) this.metrics.produced.inc({ topic: r.topic });
  }

  /**
   * Writes one request per partition (see PartitionRouter for why). With a transactionalId
   * every write is its own transaction: a failed attempt is aborted (invisible to
   * read_committed consumers) and retried.
   */
  private async write(unprefixed: { topic: string; messages: Message[] }[]): Promise<void> {
    const topicMessages =
      this.topicPrefix === ''
        ? unprefixed
        : unprefixed.map((t) => ({ ...t, topic: prefixedTopic(this.topicPrefix, t.topic) }));
    if (this.guarded) refuseProductionTopics(topicMessages.map((t) => t.topic));
    if (!this.transactional) {
      await sendPerPartition(this.router, topicMessages, (batch) => this.producer.send({ ...batch, acks: -1 }));
      return;
    }
    for (let attempt = 0; ; attempt++) {
      const txn = await this.producer.transaction();
      try {
        await sendPerPartition(this.router, topicMessages, (batch) => txn.send({ ...batch, acks: -1 }));
        await txn.commit();
        return;
      } catch (err) {
        await txn.abort().catch(() => undefined);
        if (attempt >= this.maxTransactionAttempts) throw err;
        this.logger.warn({ err, attempt }, 'transaction_retry');
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** attempt)));
      }
    }
  }

  /** Starts a Kafka transaction (the producer must have a transactionalId). */
  transaction(): Promise<Transaction> {
    return this.producer.transaction();
  }

  /**
   * Claims the transactional id now. kafkajs registers it (InitProducerId, which bumps the epoch:
   * a predecessor with the same id is fenced and its open transaction aborted) only at the first
   * transaction, not on connect. A processor that restores state from Kafka must fence first, or
   * a still-running predecessor could commit after the state was read.
   */
  async fence(): Promise<void> {
    const txn = await this.producer.transaction();
    await txn.abort();
  }

  encode<T extends DataTopic>(topic: T, records: readonly OutgoingRecord<T>[]): Promise<Message[]> {
    return encodeMessages(this.serde, topic, records);
  }
}

export function groupByTopic(records: readonly RawRecord[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    const list = byTopic.get(r.topic) ?? [];
    list.push(rawMessage(r));
    byTopic.set(r.topic, list);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
