// One reader of the input topics for one or more event-time processors. Each record is fetched
// and decoded once, then handed to every processor subscribed to the feed: the shards of
// processor-peg, -liquidity and -ray each keep only their own symbols, and decoding every input
// record once per shard cost most of their CPU (four shards read every record four times).
//
// The feed starts every partition at the lowest position any subscriber has to read it from;
// a subscriber whose own checkpoint is further on skips what it already handled (its
// EventTimeIndex knows its positions).
import type { Logger } from 'pino';
import { validateEvent, type IndexEvent, type InputTopic } from '@stableyield/index-engine';
import {
  DeserializationError,
  PartitionReader,
  prefixedTopic,
  retryWhileRegistryUnavailable,
  type Kafka,
  type KafkaMetrics,
  type PartitionBatch,
  type RegistryUnavailableError,
  type TopicSerde,
} from '@stableyield/kafka';

/** One record of a fetched batch: an input event, or why it is not one. */
export type DecodedRecord =
  | { readonly offset: number; readonly key: Buffer | null; readonly value: Buffer | null; readonly event: IndexEvent }
  | {
      readonly offset: number;
      readonly key: Buffer | null;
      readonly value: Buffer | null;
      readonly event: null;
      readonly kind: 'undecodable' | 'invalid';
      readonly reason: string;
    };

/** A fetched batch of one input partition, decoded. */
export interface DecodedBatch {
  readonly topic: InputTopic;
  readonly physicalTopic: string;
  readonly partition: number;
  readonly records: readonly DecodedRecord[];
  /** offset after the last record of the batch */
  readonly nextOffset: number;
  readonly highWatermark: number;
}

/** What a processor gets from the feed it reads through. */
export interface FeedControl {
  /** this subscriber would have the partition paused (it runs far ahead in event time) */
  pause(physicalTopic: string, partition: number): void;
  resume(physicalTopic: string, partition: number): void;
  /** true while a fetch response is being handled (read positions are not a consistent cut) */
  handlingFetch(): boolean;
}

/** A processor reading through a feed. */
export interface FeedSubscriber {
  /** "physicalTopic/partition" → where this subscriber must read from */
  readonly startOffsets: ReadonlyMap<string, number>;
  handleBatch(batch: DecodedBatch): Promise<void>;
  /** every batch of a fetch response was handled; the brokers' answers up to `responseWall` are all read */
  fetchHandled(responseWall: number): void;
  /**
   * A fetched batch of `physicalTopic/partition` ended at `nextOffset` (also one holding only
   * transaction markers or aborted records, which never reaches `handleBatch`).
   */
  batchEnded(physicalTopic: string, partition: number, nextOffset: number, highWatermark: number): void;
  /** handling a batch failed: the subscriber's state is no longer trustworthy */
  failed(err: unknown): void;
}

export interface InputFeedOptions {
  kafka: Kafka;
  serde: TopicSerde;
  logger: Logger;
  kafkaMetrics: KafkaMetrics;
  topicPrefix: string;
  inputs: readonly InputTopic[];
  /** consumer group prefix of the reader (a fresh group each start) */
  groupPrefix: string;
  /** lag metric's group label */
  lagGroup: string;
  /** how long a fetch that finds nothing waits at the broker (the reader's default otherwise) */
  fetchMaxWaitMs?: number;
  onFetch?: () => void;
  /** back-off of a decode the schema registry cannot answer (default 200 ms doubling to 5 s) */
  registryRetry?: { initialMs: number; maxMs: number };
}

/**
 * Which partitions the subscribers of a shared reader want paused. A partition is paused only
 * while every subscriber asks for it: one that still needs its records is never held up by the
 * others (pausing only saves the memory of reading far ahead).
 */
export class PauseVotes<S> {
  private readonly votes = new Map<string, Set<S>>();

  constructor(private subscribers: number) {}

  /** Starts over with this many subscribers and no votes. */
  reset(subscribers: number): void {
    this.subscribers = subscribers;
    this.votes.clear();
  }

  /** `who` asks for `partition` to be paused; true when that pauses it. */
  pause(partition: string, who: S): boolean {
    const votes = this.votes.get(partition) ?? new Set<S>();
    this.votes.set(partition, votes);
    const before = votes.size;
    votes.add(who);
    return votes.size > before && votes.size === this.subscribers;
  }

  /** `who` no longer needs `partition` paused; true when that resumes it. */
  resume(partition: string, who: S): boolean {
    const votes = this.votes.get(partition);
    if (votes === undefined) return false;
    const wasPaused = votes.size === this.subscribers;
    votes.delete(who);
    return wasPaused && votes.size < this.subscribers;
  }
}

export class InputFeed {
  private reader: PartitionReader | undefined;
  private subscribers: FeedSubscriber[] = [];
  private readonly logicalOf = new Map<string, InputTopic>();
  private readonly pauseVotes = new PauseVotes<FeedSubscriber>(0);
  private registryDown = false;

  constructor(private readonly options: InputFeedOptions) {
    for (const t of options.inputs) this.logicalOf.set(prefixedTopic(options.topicPrefix, t), t);
  }

  /**
   * False while a decode waits for the schema registry: reading is held at that record (nothing
   * is skipped or dead-lettered for it) and the app reports itself not ready.
   */
  get registryAvailable(): boolean {
    return !this.registryDown;
  }

  /** The physical input topics. */
  get topics(): string[] {
    return [...this.logicalOf.keys()];
  }

  /** The logical name of a physical input topic. */
  logicalTopic(physical: string): InputTopic {
    const logical = this.logicalOf.get(physical);
    if (logical === undefined) throw new Error(`not an input topic: ${physical}`);
    return logical;
  }

  /** High and low watermarks of every input partition, keyed "physicalTopic/partition". */
  endOffsets(): Promise<Map<string, { low: number; high: number }>> {
    return PartitionReader.endOffsets(this.options.kafka, this.topics);
  }

  /** Starts reading for these subscribers (their start offsets must be set). */
  async start(subscribers: readonly FeedSubscriber[]): Promise<void> {
    if (this.reader !== undefined) throw new Error('input feed already started');
    this.subscribers = [...subscribers];
    this.pauseVotes.reset(subscribers.length);
    const startOffsets = new Map<string, number>();
    for (const s of subscribers) {
      for (const [key, offset] of s.startOffsets)
        startOffsets.set(key, Math.min(offset, startOffsets.get(key) ?? Infinity));
    }
    const reader = new PartitionReader({
      kafka: this.options.kafka,
      logger: this.options.logger,
      topics: this.topics,
      startOffsets,
      groupPrefix: this.options.groupPrefix,
      ...(this.options.fetchMaxWaitMs !== undefined ? { maxWaitMs: this.options.fetchMaxWaitMs } : {}),
      onBatch: (batch) => this.handleBatch(batch),
      onFetchHandled: (responseWall) => {
        for (const s of this.subscribers) s.fetchHandled(responseWall);
      },
      onBatchEnd: (topic, partition, nextOffset, highWatermark) => {
        for (const s of this.subscribers) s.batchEnded(topic, partition, nextOffset, highWatermark);
      },
      ...(this.options.onFetch ? { onFetch: this.options.onFetch } : {}),
    });
    this.reader = reader;
    await reader.start();
  }

  async stop(): Promise<void> {
    const reader = this.reader;
    this.reader = undefined;
    this.subscribers = [];
    await reader?.stop();
  }

  /** The control a subscriber uses: a partition is paused only while every subscriber asks for it. */
  controlFor(subscriber: FeedSubscriber): FeedControl {
    return {
      pause: (topic, partition) => {
        if (this.pauseVotes.pause(`${topic}/${partition}`, subscriber)) this.reader?.pause(topic, partition);
      },
      resume: (topic, partition) => {
        if (this.pauseVotes.resume(`${topic}/${partition}`, subscriber)) this.reader?.resume(topic, partition);
      },
      handlingFetch: () => this.reader?.handlingFetch ?? false,
    };
  }

  private async handleBatch(batch: PartitionBatch): Promise<void> {
    const decoded = await this.decode(batch);
    const { kafkaMetrics, lagGroup } = this.options;
    kafkaMetrics.lag.set(
      { topic: batch.topic, partition: String(batch.partition), group: lagGroup },
      Math.max(0, batch.highWatermark - batch.nextOffset),
    );
    kafkaMetrics.consumed.inc({ topic: batch.topic }, batch.messages.length);
    await Promise.all(
      this.subscribers.map((s) =>
        s.handleBatch(decoded).catch((err: unknown) => {
          s.failed(err);
          throw err;
        }),
      ),
    );
  }

  private async decode(batch: PartitionBatch): Promise<DecodedBatch> {
    const topic = this.logicalTopic(batch.topic);
    const records: DecodedRecord[] = [];
    for (const m of batch.messages) {
      const base = { offset: Number(m.offset), key: m.key, value: m.value };
      let value: unknown;
      try {
        if (m.value === null) throw new DeserializationError(topic, 'empty value (tombstone) on a data topic');
        const payload = m.value;
        value = await retryWhileRegistryUnavailable(() => this.options.serde.deserialize(topic, payload), {
          ...this.options.registryRetry,
          stopped: () => this.reader === undefined,
          onRetry: (err, attempt, delayMs) => this.registryRetry(batch, m.offset, err, attempt, delayMs),
        });
      } catch (err) {
        if (!(err instanceof DeserializationError)) throw err;
        records.push({ ...base, event: null, kind: 'undecodable', reason: err.message });
        continue;
      }
      this.registryRecovered(batch);
      const parsed = validateEvent({ topic, value });
      records.push(
        parsed.ok ? { ...base, event: parsed.event } : { ...base, event: null, kind: 'invalid', reason: parsed.error },
      );
    }
    return {
      topic,
      physicalTopic: batch.topic,
      partition: batch.partition,
      records,
      nextOffset: batch.nextOffset,
      highWatermark: batch.highWatermark,
    };
  }

  /** Holds the partition at `offset` while the registry is out: health degraded, the group kept, liveness fed. */
  private async registryRetry(
    batch: PartitionBatch,
    offset: string,
    err: RegistryUnavailableError,
    attempt: number,
    delayMs: number,
  ): Promise<void> {
    const { logger, kafkaMetrics, onFetch } = this.options;
    if (!this.registryDown)
      logger.warn(
        { err, topic: batch.topic, partition: batch.partition, offset },
        'schema_registry_unavailable_holding_partition',
      );
    this.registryDown = true;
    kafkaMetrics.registryUnavailable.set(1);
    kafkaMetrics.registryRetries.inc({ topic: batch.topic });
    logger.debug({ attempt, delayMs }, 'schema_registry_retry');
    // a wait for the registry is not a stuck loop: a restart would only wait again
    onFetch?.();
    await batch
      .heartbeat()
      .catch((heartbeatErr: unknown) =>
        logger.debug({ err: heartbeatErr }, 'heartbeat_failed_while_holding_partition'),
      );
  }

  private registryRecovered(batch: PartitionBatch): void {
    if (!this.registryDown) return;
    this.registryDown = false;
    this.options.kafkaMetrics.registryUnavailable.set(0);
    this.options.logger.info({ topic: batch.topic, partition: batch.partition }, 'schema_registry_available_again');
  }
}
