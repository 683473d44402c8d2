import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataTopic, TopicValues } from '@stableyield/schemas';
import { partitionOffsets } from './admin';
import { committedConsumer } from './client';
import { decodeBatch, type ConsumedRecord } from './consumer';
import { retryWhileRegistryUnavailable } from './registry-retry';
import type { KafkaMetrics } from './metrics';
import type { TopicSerde } from './serde';

export interface TopicFollowerOptions<T extends DataTopic> {
  kafka: Kafka;
  serde: TopicSerde;
  logger: Logger;
  topic: T;
  /** A group id of this instance alone (every instance reads every record); nothing is ever committed. */
  groupId: string;
  /**
   * Records re-read before the end of each partition at start. More than 1 because the last
   * offsets of a transactional topic are commit markers, not records.
   */
  lookback?: number;
  /** Decoded records in offset order, per partition. Undecodable ones are logged and skipped. */
  onRecords: (records: ConsumedRecord<TopicValues[T]>[]) => void;
  /** Called after every fetch, even an empty one: feeds the app's liveness. */
  onProgress?: () => void;
  metrics?: KafkaMetrics;
  /** Longest time the broker holds a fetch when there is nothing new (ms). */
  maxWaitMs?: number;
}

/**
 * Reads the last records of a topic, then follows it: the reader of the api and ws-gateway,
 * which hold the latest value in memory. `start()` resolves once everything that was in the
 * topic at start has been read, so readiness can wait for the latest value.
 */
export class TopicFollower<T extends DataTopic> {
  private readonly consumer: Consumer;
  private readonly log: Logger;
  /** partition → offset to reach (the end at start); removed once reached. */
  private readonly pending = new Map<number, bigint>();
  private markCaughtUp: () => void = () => undefined;
  private readonly caughtUpPromise = new Promise<void>((resolve) => (this.markCaughtUp = resolve));
  private caught = false;

  constructor(private readonly options: TopicFollowerOptions<T>) {
    this.log = options.logger.child({ module: 'follower', topic: options.topic });
    this.consumer = committedConsumer(options.kafka, {
      groupId: options.groupId,
      maxWaitTimeInMs: options.maxWaitMs ?? 1_000,
    });
  }

  /** True once the records present at start have all been read. */
  get caughtUp(): boolean {
    return this.caught;
  }

  /** Connects, seeks near the end and resolves when caught up with the end offsets seen at start. */
  async start(): Promise<void> {
    const { topic } = this.options;
    const lookback = BigInt(Math.max(1, this.options.lookback ?? 20));
    const offsets = await partitionOffsets(this.options.kafka, topic);
    const seeks: { partition: number; offset: string }[] = [];
    for (const { partition, low, high } of offsets) {
      const end = BigInt(high);
      if (end <= BigInt(low)) continue;
      const from = end - lookback > BigInt(low) ? end - lookback : BigInt(low);
      this.pending.set(partition, end);
      seeks.push({ partition, offset: from.toString() });
    }
    this.checkCaughtUp();

    await this.consumer.connect();
    await this.consumer.subscribe({ topic, fromBeginning: false });
    const { FETCH, END_BATCH_PROCESS } = this.consumer.events;
    this.consumer.on(FETCH, () => this.options.onProgress?.());
    // Batches of only commit markers reach this event too, so positions past them count.
    this.consumer.on(END_BATCH_PROCESS, (e) => this.reached(e.payload.partition, e.payload.lastOffset));
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (p) => this.eachBatch(p),
    });
    for (const { partition, offset } of seeks) this.consumer.seek({ topic, partition, offset });
    this.log.info({ seeks }, 'follower_started');
    await this.caughtUpPromise;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const topic = this.options.topic;
    // a registry outage holds the partition here (retried with back-off) instead of skipping records
    const { records, deadLetters } = await retryWhileRegistryUnavailable(
      () => decodeBatch(this.options.serde, topic, batch.partition, batch.messages),
      {
        stopped: () => !payload.isRunning() || payload.isStale(),
        onRetry: async (err, attempt) => {
          if (attempt === 0)
            this.log.warn({ err, partition: batch.partition }, 'schema_registry_unavailable_holding_partition');
          await payload.heartbeat().catch(() => undefined);
        },
      },
    );
    for (const l of deadLetters)
      this.log.warn({ partition: l.partition, offset: l.offset, reason: l.reason }, 'record_skipped_undecodable');
    this.options.metrics?.consumed.inc({ topic }, batch.messages.length);
    if (records.length > 0) this.options.onRecords(records as ConsumedRecord<TopicValues[T]>[]);
  }

  private reached(partition: number, lastOffset: string): void {
    const target = this.pending.get(partition);
    if (target === undefined || BigInt(lastOffset) + 1n < target) return;
    this.pending.delete(partition);
    this.checkCaughtUp();
  }

  private checkCaughtUp(): void {
    if (this.caught || this.pending.size > 0) return;
    this.caught = true;
    this.log.info('follower_caught_up');
    this.markCaughtUp();
  }
}
