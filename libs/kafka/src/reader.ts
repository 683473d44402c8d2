import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { topicsPartitionOffsets } from './admin';
import { committedConsumer } from './client';
import { FetchCut } from './fetch-cut';

/** One fetched batch of one partition, as the broker returned it. */
export interface PartitionBatch {
  /** the physical topic name */
  topic: string;
  partition: number;
  messages: KafkaMessage[];
  /** offset after the last record of the batch */
  nextOffset: number;
  highWatermark: number;
  /** keeps the reader's group membership alive while a batch takes long (a registry outage) */
  heartbeat: () => Promise<void>;
}

export interface PartitionReaderOptions {
  kafka: Kafka;
  logger: Logger;
  /** physical topic names; every partition of each is read */
  topics: readonly string[];
  /** where to start, per "topic/partition"; partitions not listed start at the beginning */
  startOffsets: ReadonlyMap<string, number>;
  /** called for every non-empty batch, one at a time */
  onBatch: (batch: PartitionBatch) => Promise<void>;
  /** called after every fetch (also empty ones): feeds liveness */
  onFetch?: () => void;
  /**
   * Called when every batch of a fetch response has been handled. The partitions' read
   * positions then form a consistent cut: each partition was read at one moment of the
   * broker's answer, so a record appended before that moment is not still unread on a
   * partition that looks caught up. Event-time processors advance their watermark here.
   * `responseWall`: the wall time by which every broker's last handled response had arrived
   * (the earliest of them), so every record the brokers held before it has been handled, on
   * the partitions that look read to their end.
   */
  onFetchHandled?: (responseWall: number) => void;
  /**
   * Called at the end of every fetched batch, also of those holding only transaction markers or
   * aborted records (which never reach `onBatch`): the partition has been read up to
   * `nextOffset`, and the broker's end offset was `highWatermark`.
   */
  onBatchEnd?: (topic: string, partition: number, nextOffset: number, highWatermark: number) => void;
  groupPrefix: string;
  maxBytesPerPartition?: number;
  /** how long the broker holds a fetch that finds nothing new (default 100 ms) */
  maxWaitMs?: number;
}

/**
 * Reads every partition of a set of topics from given offsets, read_committed, for a processor
 * that keeps its input positions in its own checkpoint (not in consumer-group offsets). Each
 * reader is the only member of a fresh consumer group, so it gets every partition at once and a
 * restart or a standby never waits for a dead member's session to expire.
 */
export class PartitionReader {
  private consumer: Consumer | undefined;
  readonly groupId: string;
  /** which brokers' responses are handled, and up to when */
  private readonly cut = new FetchCut();

  constructor(private readonly options: PartitionReaderOptions) {
    this.groupId = `${options.groupPrefix}-${randomUUID().slice(0, 8)}`;
  }

  /** End offsets (high watermarks) of every partition of the topics, keyed "topic/partition". */
  static async endOffsets(
    kafka: Kafka,
    topics: readonly string[],
  ): Promise<Map<string, { low: number; high: number }>> {
    const out = new Map<string, { low: number; high: number }>();
    for (const [topic, offsets] of await topicsPartitionOffsets(kafka, topics))
      for (const { partition, low, high } of offsets) out.set(`${topic}/${partition}`, { low, high });
    return out;
  }

  async start(): Promise<void> {
    const { kafka, topics, startOffsets } = this.options;
    const consumer = committedConsumer(kafka, {
      groupId: this.groupId,
      maxWaitTimeInMs: this.options.maxWaitMs ?? 100,
      ...(this.options.maxBytesPerPartition ? { maxBytesPerPartition: this.options.maxBytesPerPartition } : {}),
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    // kafkajs fetches from a broker, hands every batch of the response to eachBatch, waits
    // for all of them and only then starts that broker's next fetch.
    consumer.on(consumer.events.FETCH, (e) => {
      this.cut.responded(e.payload.nodeId, Date.now());
      this.options.onFetch?.();
    });
    consumer.on(consumer.events.FETCH_START, (e) => {
      const handledThrough = this.cut.started(e.payload.nodeId, Date.now());
      if (handledThrough !== undefined) this.options.onFetchHandled?.(handledThrough);
    });
    const onBatchEnd = this.options.onBatchEnd;
    if (onBatchEnd !== undefined) {
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
        const { topic, partition, lastOffset, highWatermark } = e.payload;
        onBatchEnd(topic, partition, Number(lastOffset) + 1, Number(highWatermark));
      });
    }
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async (payload) => {
        const { batch } = payload;
        if (batch.messages.length === 0) return;
        await this.options.onBatch({
          topic: batch.topic,
          partition: batch.partition,
          messages: batch.messages,
          nextOffset: Number(batch.lastOffset()) + 1,
          highWatermark: Number(batch.highWatermark),
          heartbeat: () => payload.heartbeat(),
        });
      },
    });
    // run() returns before the group is joined; seeks given now are applied before the first
    // fetch of each partition (admin.setOffsets would cost seconds per topic).
    for (const [key, offset] of startOffsets) {
      const slash = key.lastIndexOf('/');
      consumer.seek({ topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)), offset: String(offset) });
    }
  }

  /** Stops fetching a partition (it is far ahead in event time) until `resume`. */
  pause(topic: string, partition: number): void {
    this.consumer?.pause([{ topic, partitions: [partition] }]);
  }

  resume(topic: string, partition: number): void {
    this.consumer?.resume([{ topic, partitions: [partition] }]);
  }

  /** True while the batches of a fetch response are being handled (positions are not a consistent cut). */
  get handlingFetch(): boolean {
    return this.cut.handlingResponse;
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer === undefined) return;
    await consumer.disconnect();
    // The group held no offsets worth keeping: remove it so groups do not pile up.
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await admin.deleteGroups([this.groupId]);
    } catch (err) {
      this.options.logger.debug({ err, group: this.groupId }, 'reader_group_not_deleted');
    } finally {
      await admin.disconnect();
    }
  }
}
