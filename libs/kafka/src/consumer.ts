import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataTopic } from '@stableyield/schemas';
import { committedConsumer } from './client';
import { deadLetterRecord, type DeadLetter } from './dlq';
import type { KafkaMetrics } from './metrics';
import { sendPerPartition } from './partitioning';
import { groupByTopic, type RawRecord, type TopicProducer } from './producer';
import { DeserializationError, type TopicSerde } from './serde';

export interface ConsumedRecord<T = unknown> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: T;
  /** Kafka record timestamp, ms. */
  timestamp: number;
  headers: IHeaders;
}

export interface BatchInfo {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
}

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
}

export interface ConsumerBaseOptions {
  kafka: Kafka;
  serde: TopicSerde;
  metrics: KafkaMetrics;
  logger: Logger;
  groupId: string;
  topics: readonly DataTopic[];
  fromBeginning?: boolean;
  /** Called after every batch and idle fetch: feeds the app's liveness. */
  onProgress?: () => void;
  retry?: RetryPolicy;
  sessionTimeoutMs?: number;
  /**
   * Fetch sizing: a fetch returns once `minBytes` are available or `maxWaitMs` has passed,
   * up to `maxBytesPerPartition` — larger fetches mean larger batches (size/age batching),
   * while each batch is still committed only after its work is durable.
   */
  fetch?: { minBytes?: number; maxWaitMs?: number; maxBytesPerPartition?: number };
  /** Batches of different partitions handled at the same time (default 1). */
  partitionsConcurrently?: number;
}

const DEFAULT_RETRY: RetryPolicy = { initialMs: 200, maxMs: 10_000 };

/**
 * Decodes a batch; records that are not valid Avro of their topic become dead letters. A registry
 * that does not answer is not the record's fault: RegistryUnavailableError is thrown, and the
 * batch is retried (ConsumerRunner's and TransactionalRunner's retry loop, TopicFollower's hold).
 */
export async function decodeBatch(
  serde: TopicSerde,
  topic: DataTopic,
  partition: number,
  messages: readonly KafkaMessage[],
): Promise<{ records: ConsumedRecord[]; deadLetters: DeadLetter[] }> {
  const records: ConsumedRecord[] = [];
  const deadLetters: DeadLetter[] = [];
  for (const m of messages) {
    const base = {
      topic,
      partition,
      offset: m.offset,
      key: m.key ? m.key.toString() : null,
      timestamp: Number(m.timestamp),
      headers: m.headers ?? {},
    };
    if (m.value === null) {
      deadLetters.push({
        sourceTopic: topic,
        kind: 'undecodable',
        reason: 'empty value (tombstone) on a data topic',
        key: m.key,
        value: null,
        partition,
        offset: m.offset,
      });
      continue;
    }
    try {
      records.push({ ...base, value: await serde.deserialize(topic, m.value) });
    } catch (err) {
      if (!(err instanceof DeserializationError)) throw err;
      deadLetters.push({
        sourceTopic: topic,
        kind: 'undecodable',
        reason: err.message,
        key: m.key,
        value: m.value,
        partition,
        offset: m.offset,
      });
    }
  }
  return { records, deadLetters };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Errors after which this consumer is no longer a member of the group's current generation. */
const GROUP_MEMBERSHIP_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'NOT_COORDINATOR_FOR_GROUP',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
]);

export function isGroupMembershipError(err: unknown): boolean {
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' && GROUP_MEMBERSHIP_ERRORS.has(type);
}

/** Shared lifecycle of our consumers: connect, subscribe, run eachBatch, stop. */
abstract class BatchConsumer {
  protected readonly consumer: Consumer;
  protected readonly log: Logger;
  private running = false;

  protected constructor(protected readonly base: ConsumerBaseOptions) {
    this.log = base.logger.child({ module: 'consumer', group: base.groupId });
    this.consumer = committedConsumer(base.kafka, {
      groupId: base.groupId,
      sessionTimeout: base.sessionTimeoutMs ?? 30_000,
      minBytes: base.fetch?.minBytes ?? 1,
      maxWaitTimeInMs: base.fetch?.maxWaitMs ?? 500,
      maxBytesPerPartition: base.fetch?.maxBytesPerPartition ?? 1_048_576,
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    for (const topic of this.base.topics)
      await this.consumer.subscribe({ topic, fromBeginning: this.base.fromBeginning ?? true });
    this.consumer.on(this.consumer.events.FETCH, () => this.base.onProgress?.());
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) =>
      this.log.info({ assignment: e.payload.memberAssignment }, 'consumer_group_joined'),
    );
    this.running = true;
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.base.partitionsConcurrently ?? 1,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Stops fetching; the batch in progress finishes (and commits) first. */
  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const topic = batch.topic as DataTopic;
    const info: BatchInfo = {
      topic,
      partition: batch.partition,
      firstOffset: batch.firstOffset() ?? '0',
      lastOffset: batch.lastOffset(),
    };
    const retry = this.base.retry ?? DEFAULT_RETRY;
    for (let attempt = 0; ; attempt++) {
      if (!this.running || payload.isStale()) return;
      try {
        await this.processBatch(payload, info);
        break;
      } catch (err) {
        // This member's generation is over (the coordinator moved or the group rebalanced, e.g.
        // after a broker restart): only kafkajs can rejoin, so the error goes to it. Retrying
        // here would fail the commit forever. The batch is redone by whoever gets the partition.
        if (isGroupMembershipError(err)) throw err;
        // Nothing of this batch is committed: retrying (or a restart) redoes it. Keep the
        // group membership alive while waiting, e.g. through a database outage.
        const delay = Math.min(retry.maxMs, retry.initialMs * 2 ** attempt);
        this.log.error({ err, ...info, attempt, delayMs: delay }, 'batch_failed_retrying');
        await sleep(delay);
        await payload.heartbeat().catch((heartbeatErr: unknown) => {
          if (isGroupMembershipError(heartbeatErr)) throw heartbeatErr;
        });
      }
    }
    const next = (BigInt(info.lastOffset) + 1n).toString();
    const lag = Number(BigInt(batch.highWatermark) - BigInt(next));
    this.base.metrics.lag.set(
      { topic, partition: String(batch.partition), group: this.base.groupId },
      Math.max(0, lag),
    );
    this.base.metrics.consumed.inc({ topic }, batch.messages.length);
    this.base.onProgress?.();
  }

  /** The batch's records decoded, and the ones that cannot be, as dead letters (retried with the batch). */
  protected decode(payload: EachBatchPayload, info: BatchInfo): ReturnType<typeof decodeBatch> {
    return decodeBatch(this.base.serde, info.topic as DataTopic, info.partition, payload.batch.messages);
  }

  /** Does the batch's work and makes its offsets durable; throws to have it retried. */
  protected abstract processBatch(payload: EachBatchPayload, info: BatchInfo): Promise<void>;
}

export interface ConsumerRunnerOptions extends ConsumerBaseOptions {
  /** Durable work for one batch of one partition. Offsets are committed only after it resolves. */
  handle: (records: ConsumedRecord[], info: BatchInfo) => Promise<void>;
  /** Where undecodable records go (an idempotent producer); they are sent before the commit. */
  producer: TopicProducer;
}

/**
 * At-least-once consumer: the offsets of a batch are committed only after `handle` has made
 * its work durable, so a crash redoes the batch and never skips it. Because every batch is
 * committed as soon as it is done, nothing is left to commit when partitions are revoked.
 */
export class ConsumerRunner extends BatchConsumer {
  constructor(private readonly options: ConsumerRunnerOptions) {
    super(options);
  }

  protected async processBatch(payload: EachBatchPayload, info: BatchInfo): Promise<void> {
    const { records, deadLetters } = await this.decode(payload, info);
    if (deadLetters.length > 0) {
      await this.options.producer.sendRaw(deadLetters.map((l) => deadLetterRecord(l)));
      for (const l of deadLetters) this.options.metrics.deadLettered.inc({ topic: l.sourceTopic, reason: l.kind });
    }
    if (records.length > 0) await this.options.handle(records, info);
    const offset = (BigInt(info.lastOffset) + 1n).toString();
    await this.consumer.commitOffsets([{ topic: info.topic, partition: info.partition, offset }]);
    payload.resolveOffset(info.lastOffset);
  }
}

/** What a transactional handler writes; everything lands atomically with the input offsets. */
export class TransactionOutput {
  readonly typed: { topic: DataTopic; records: Parameters<TopicProducer['send']>[1] }[] = [];
  readonly raw: RawRecord[] = [];
  readonly deadLetters: DeadLetter[] = [];

  send<T extends DataTopic>(topic: T, records: Parameters<TopicProducer['send']>[1]): void {
    if (records.length > 0) this.typed.push({ topic, records });
  }
  sendRaw(...records: RawRecord[]): void {
    this.raw.push(...records);
  }
  deadLetter(...letters: DeadLetter[]): void {
    this.deadLetters.push(...letters);
  }
}

export interface TransactionalRunnerOptions extends ConsumerBaseOptions {
  /** The producer must have been created with a transactionalId. */
  producer: TopicProducer;
  /** Transforms one batch; writes outputs (and state changelog) to `out`. */
  process: (records: ConsumedRecord[], info: BatchInfo, out: TransactionOutput) => Promise<void>;
  /** Called after an aborted transaction, before the batch is redone: roll in-memory state back. */
  onAbort: (info: BatchInfo) => Promise<void>;
}

/**
 * Exactly-once consume-transform-produce: outputs, dead letters and the consumed offsets are
 * written in one Kafka transaction; downstream read_committed consumers see all or nothing.
 */
export class TransactionalRunner extends BatchConsumer {
  aborts = 0;

  constructor(private readonly options: TransactionalRunnerOptions) {
    super(options);
  }

  protected async processBatch(payload: EachBatchPayload, info: BatchInfo): Promise<void> {
    const { records, deadLetters } = await this.decode(payload, info);
    const out = new TransactionOutput();
    out.deadLetter(...deadLetters);
    const txn = await this.options.producer.transaction();
    try {
      await this.options.process(records, info, out);
      const topicMessages = groupByTopic([...out.raw, ...out.deadLetters.map((l) => deadLetterRecord(l))]);
      for (const { topic, records: typed } of out.typed)
        topicMessages.push({ topic, messages: await this.options.producer.encode(topic, typed) });
      await sendPerPartition(this.options.producer.router, topicMessages, (batch) => txn.send({ ...batch, acks: -1 }));
      const offset = (BigInt(info.lastOffset) + 1n).toString();
      await txn.sendOffsets({
        consumerGroupId: this.base.groupId,
        topics: [{ topic: info.topic, partitions: [{ partition: info.partition, offset }] }],
      });
      await txn.commit();
    } catch (err) {
      this.aborts++;
      await txn.abort().catch((abortErr: unknown) => this.log.error({ err: abortErr }, 'transaction_abort_failed'));
      await this.options.onAbort(info);
      throw err;
    }
    for (const { topic, records: typed } of out.typed) this.options.metrics.produced.inc({ topic }, typed.length);
    for (const l of out.deadLetters) this.options.metrics.deadLettered.inc({ topic: l.sourceTopic, reason: l.kind });
    payload.resolveOffset(info.lastOffset);
  }
}
