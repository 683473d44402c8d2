// An event-time processor on Kafka: reads the raw input topics, feeds an EventTimeIndex and
// publishes what its output evaluates at every grid point exactly once: every Kafka transaction
// holds the new records, the dead letters and a checkpoint (index state, watermark, read
// positions) on a compacted changelog topic. On start the latest checkpoint is restored and every
// partition is read again from its checkpointed position, so a restart — after SIGKILL, on a
// standby, or on the instance a shard moved to — publishes exactly what an uninterrupted run
// would. processor-syi runs one with a reader of its own (syi-processor.ts); peg, liquidity and
// RAY run one per shard of symbols, the shards of an instance sharing one InputFeed
// (measure-processor.ts).
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { IndexEvent, IndexState, InputTopic } from '@stableyield/index-engine';
import {
  deadLetterRecord,
  DLQ_HEADERS,
  KafkaMetrics,
  PartitionReader,
  prefixedTopic,
  readLatestRecord,
  sendPerPartition,
  TopicProducer,
  type DeadLetter,
  type Kafka,
  type TopicSerde,
} from '@stableyield/kafka';
import type { DataTopic, TopicValues } from '@stableyield/schemas';
import { EventTimeIndex, type EventTimeCheckpoint } from './event-time-index';
import {
  InputFeed,
  type DecodedBatch,
  type DecodedRecord,
  type FeedControl,
  type FeedSubscriber,
  type InputFeedOptions,
} from './input-feed';
import { ProcessorMetrics } from './processor-metrics';

/** How far past the newest input event the clock carries the watermark unless told otherwise. */
export const DEFAULT_CLOCK_ADVANCE_MAX_MS = 2_000;

/** What a processor publishes: one output topic, evaluated at every grid point. */
export interface ProcessorOutput<T extends DataTopic> {
  /** the processor's short name: metrics label */
  readonly name: string;
  /** logical output topic */
  readonly topic: T;
  /** logical changelog topic, and the partition and key of this processor's checkpoints */
  readonly changelog: string;
  readonly changelogPartition: number;
  readonly checkpointKey: string;
  /** keep the inputs ledger (inputsDigest) */
  readonly trackInputs: boolean;
  /** dead-letter invalid and undecodable input records (one processor should; shards only count them) */
  readonly deadLettersInvalid: boolean;
  /** the input topics it reads (only these hold its watermark) */
  readonly inputs: readonly InputTopic[];
  /** whether an input event concerns this processor (a shard's symbols) */
  accepts(event: IndexEvent): boolean;
  /** the records for grid point T; `index` is the processor's own (for digests) */
  evaluate(state: IndexState, T: number, index: EventTimeIndex): readonly TopicValues[T][];
  keyOf(record: TopicValues[T]): string;
  tsOf(record: TopicValues[T]): number;
  /** after a commit that published `records` (gauges) */
  onPublished?(records: readonly TopicValues[T][], wallNow: number): void;
}

export interface EventTimeProcessorOptions {
  kafka: Kafka;
  serde: TopicSerde;
  logger: Logger;
  registry: Registry;
  /** '' in production; a test run's prefix otherwise */
  topicPrefix: string;
  gridStepMs: number;
  allowedLatenessMs: number;
  idleTimeoutMs: number;
  transactionalId: string;
  /** records waiting to be published are committed at most this often */
  minCommitIntervalMs: number;
  /**
   * A partition whose events run this far ahead of the watermark is paused until the others
   * catch up (default 60 s): reading a backlog, dense partitions would otherwise fill the reorder
   * buffer — and every checkpoint — with hours of events while a sparse one holds the watermark.
   */
  maxAheadMs?: number;
  /** read progress without new records is committed this often */
  commitIntervalMs: number;
  tickMs: number;
  /** how long a fetch that finds nothing waits at the broker (default 100 ms) */
  fetchMaxWaitMs?: number;
  /**
   * How far past the newest input event the clock may carry the watermark once every input is
   * read to its end (default 2 s; 0: only events move it). See watermark.ts.
   */
  clockAdvanceMaxMs?: number;
  /** a transaction failed or the producer was fenced: the process must stop (a restart restores) */
  onFatal: (err: unknown) => void;
  onProgress?: () => void;
  now?: () => number;
  /** shared by every processor of one app (a registry takes each metric once) */
  metrics?: ProcessorMetrics;
}

/** The options of the feed a processor (or an instance's shards together) reads `inputs` through. */
export function processorFeedOptions(
  options: Pick<
    EventTimeProcessorOptions,
    'kafka' | 'serde' | 'logger' | 'registry' | 'topicPrefix' | 'onProgress' | 'fetchMaxWaitMs'
  >,
  name: string,
  inputs: readonly InputTopic[],
  transactionalId: string,
): InputFeedOptions {
  return {
    kafka: options.kafka,
    serde: options.serde,
    logger: options.logger,
    kafkaMetrics: KafkaMetrics.of(options.registry),
    topicPrefix: options.topicPrefix,
    inputs,
    groupPrefix: `${transactionalId}-reader`,
    lagGroup: `processor-${name}`,
    ...(options.fetchMaxWaitMs !== undefined ? { fetchMaxWaitMs: options.fetchMaxWaitMs } : {}),
    ...(options.onProgress ? { onFetch: options.onProgress } : {}),
  };
}

export class EventTimeProcessor<T extends DataTopic> implements FeedSubscriber {
  protected readonly index: EventTimeIndex;
  private readonly producer: TopicProducer;
  /** the feed this processor reads through (its own, or one shared with other shards) */
  private feed: FeedControl | undefined;
  private ownFeed: InputFeed | undefined;
  private readonly startPositions = new Map<string, number>();
  private readonly metrics: ProcessorMetrics;
  private readonly kafkaMetrics: KafkaMetrics;
  private readonly now: () => number;
  private readonly logicalOf = new Map<string, InputTopic>();
  private readonly outputTopic: string;
  private readonly changelogTopic: string;
  private lock: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private pendingRecords: TopicValues[T][] = [];
  private pendingLetters: DeadLetter[] = [];
  /** partitions paused for running ahead: physical key → the max event ts read from it */
  private readonly paused = new Map<string, { topic: string; partition: number; maxTs: number }>();
  private dirty = false;
  private lastCommitWall = 0;
  private restored = false;
  private reading = false;
  private stopped = false;
  /** checkpoint bytes and duration of the last commit, for the benchmark's report */
  lastCheckpointBytes = 0;
  commits = 0;

  constructor(
    private readonly options: EventTimeProcessorOptions,
    private readonly output: ProcessorOutput<T>,
  ) {
    this.now = options.now ?? Date.now;
    this.index = new EventTimeIndex({
      gridStepMs: options.gridStepMs,
      allowedLatenessMs: options.allowedLatenessMs,
      idleTimeoutMs: options.idleTimeoutMs,
      clockAdvanceMaxMs: options.clockAdvanceMaxMs ?? DEFAULT_CLOCK_ADVANCE_MAX_MS,
      trackInputs: output.trackInputs,
      onIdleRelease: (partition, p) =>
        options.logger.warn(
          {
            processor: output.name,
            partition,
            position: p.position,
            end: p.end,
            maxTs: p.maxTs,
            idleTimeoutMs: options.idleTimeoutMs,
          },
          'watermark_released_idle_partition',
        ),
    });
    this.metrics = options.metrics ?? new ProcessorMetrics(options.registry);
    this.kafkaMetrics = KafkaMetrics.of(options.registry);
    this.producer = new TopicProducer(options.kafka, options.serde, this.kafkaMetrics, options.logger, {
      transactionalId: options.transactionalId,
    });
    for (const t of output.inputs) this.logicalOf.set(prefixedTopic(options.topicPrefix, t), t);
    this.outputTopic = prefixedTopic(options.topicPrefix, output.topic);
    this.changelogTopic = prefixedTopic(options.topicPrefix, output.changelog);
  }

  /** True once the checkpoint is restored and the inputs are being read. */
  get isReady(): boolean {
    return this.restored && !this.stopped;
  }

  /** False while its own reader waits for the schema registry (reading held, nothing dead-lettered). */
  get registryAvailable(): boolean {
    return this.ownFeed?.registryAvailable ?? true;
  }

  get lastEvaluated(): number | null {
    return this.index.lastEvaluated;
  }

  /** Where each input partition must be read from next ("physicalTopic/partition"), once restored. */
  get startOffsets(): ReadonlyMap<string, number> {
    const out = new Map<string, number>();
    for (const [key, start] of this.startPositions)
      out.set(key, Math.max(start, this.index.readPosition(this.logicalKey(key))));
    return out;
  }

  /** Restores the checkpoint and reads its inputs with a reader of its own. */
  async start(): Promise<void> {
    await this.restore();
    const feed = new InputFeed(
      processorFeedOptions(this.options, this.output.name, this.output.inputs, this.options.transactionalId),
    );
    this.ownFeed = feed;
    this.attach(feed.controlFor(this));
    const joinStarted = this.now();
    await feed.start([this]);
    this.options.logger.info({ processor: this.output.name, joinMs: this.now() - joinStarted }, 'reader_started');
  }

  /**
   * Fences any predecessor, restores the latest checkpoint and works out where every input
   * partition must be read from (`startOffsets`). Reading starts with `attach` and a feed.
   */
  async restore(): Promise<void> {
    const { kafka, logger } = this.options;
    // Claiming the transactional id fences any predecessor with the same id and aborts its open
    // transaction, so the changelog read next is final (a moved shard's old owner cannot commit).
    await this.producer.connect();
    await this.producer.fence();
    const latest = await readLatestRecord(kafka, logger, this.changelogTopic, {
      partition: this.output.changelogPartition,
      // under the processor's own prefix: its ACLs allow groups named after it only
      groupPrefix: `${this.options.transactionalId}-changelog`,
    });
    if (latest?.value) {
      const checkpoint = JSON.parse(gunzipSync(latest.value).toString('utf8')) as EventTimeCheckpoint;
      this.index.restore(checkpoint);
      logger.info(
        {
          processor: this.output.name,
          lastEvaluated: checkpoint.lastEvaluated,
          published: checkpoint.published,
          offset: latest.offset,
        },
        'state_restored',
      );
    } else logger.info({ processor: this.output.name }, 'state_empty_starting_from_the_beginning');

    const ends = await PartitionReader.endOffsets(kafka, [...this.logicalOf.keys()]);
    const resume = this.index.resumeOffsets();
    const wall = this.now();
    this.startPositions.clear();
    for (const [key, { low, high }] of ends) {
      const logical = this.logicalKey(key);
      const position = Math.max(resume.get(logical) ?? low, low);
      this.startPositions.set(key, position);
      this.index.watermarks.track(logical, position, high, wall);
    }
    this.restored = true;
  }

  /** Reading begins through `feed` (after `restore`); evaluation and commits run from now on. */
  attach(feed: FeedControl): void {
    this.feed = feed;
    this.timer ??= setInterval(() => {
      this.serial(() => this.maybeCommit()).catch((err: unknown) => this.options.onFatal(err));
    }, this.options.tickMs);
  }

  /** Stops reading (its own reader; a shared feed is stopped by its owner first) and commits what was processed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ownFeed?.stop();
    await this.serial(() => this.commitIfDirty());
    await this.producer.disconnect();
  }

  // FeedSubscriber: called by the feed, one batch at a time.
  handleBatch(batch: DecodedBatch): Promise<void> {
    return this.serial(() => {
      this.applyBatch(batch);
      return Promise.resolve();
    });
  }

  // Grid points are evaluated only between fetches: mid-response, a partition handled first
  // could move the watermark past records of another one still waiting in it.
  fetchHandled(responseWall: number): void {
    this.serial(() => {
      if (!this.stopped) this.index.watermarks.caughtUpAt(responseWall);
      return this.maybeCommit();
    }).catch((err: unknown) => this.options.onFatal(err));
  }

  failed(err: unknown): void {
    this.options.onFatal(err);
  }

  // A batch of only transaction markers or aborted records carries no event but moves the read
  // position to the broker's end: without this a partition whose tail is such a batch would look
  // lagging forever and hold the watermark (with IDLE_TIMEOUT_MS=0, for good).
  batchEnded(physicalTopic: string, partition: number, nextOffset: number, highWatermark: number): void {
    void this.serial(() => {
      if (!this.stopped)
        this.index.watermarks.advance(
          this.logicalKey(`${physicalTopic}/${partition}`),
          nextOffset,
          highWatermark,
          this.now(),
        );
      return Promise.resolve();
    });
  }

  private logicalKey(physicalKey: string): string {
    const slash = physicalKey.lastIndexOf('/');
    const logical = this.logicalOf.get(physicalKey.slice(0, slash));
    if (logical === undefined) throw new Error(`not an input topic: ${physicalKey}`);
    return `${logical}${physicalKey.slice(slash)}`;
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const run = this.lock.then(task);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private applyBatch(batch: DecodedBatch): void {
    if (this.stopped) return;
    const { topic } = batch;
    const key = `${topic}/${batch.partition}`;
    const wall = this.now();
    if (!this.reading) {
      // joining the reader's group takes a while: idle clocks start with the first fetch
      this.reading = true;
      this.index.watermarks.touchAll(wall);
    }
    let batchMaxTs = -Infinity;
    // Records of other shards' symbols still move the partition's event time (a partition read
    // only for other symbols must not hold the watermark): observed once per batch, not per record.
    const handledBelow = this.index.handledBelow(key);
    let othersMaxTs = -Infinity;
    let lastOffset = -1;
    for (const r of batch.records) {
      lastOffset = r.offset;
      if (r.event === null) {
        if (this.index.consumed(key, r.offset) && this.output.deadLettersInvalid)
          this.pendingLetters.push({ ...this.letterOf(batch, r), kind: r.kind, reason: r.reason });
        continue;
      }
      if (!this.output.accepts(r.event)) {
        if (r.offset >= handledBelow && r.event.ts > othersMaxTs) othersMaxTs = r.event.ts;
        continue;
      }
      if (r.event.ts > batchMaxTs) batchMaxTs = r.event.ts;
      const result = this.index.offer(key, r.offset, r.event, wall);
      if (result.kind === 'skipped') continue;
      this.metrics.recordsIn.inc({ processor: this.output.name, topic });
      if (result.kind === 'late') {
        this.metrics.lateEvents.inc({ processor: this.output.name, topic });
        this.pendingLetters.push({
          ...this.letterOf(batch, r),
          kind: 'late',
          reason: `processor-${this.output.name}: ${result.reason}`,
        });
      }
    }
    if (lastOffset >= 0) this.index.consumed(key, lastOffset);
    if (othersMaxTs > -Infinity) this.index.watermarks.observe(key, othersMaxTs, wall);
    this.dirty = true;
    this.index.watermarks.advance(key, batch.nextOffset, batch.highWatermark, wall);
    this.pauseIfAhead(batch, batchMaxTs, wall);
  }

  private letterOf(batch: DecodedBatch, r: DecodedRecord) {
    const headers = { [DLQ_HEADERS.processor]: `processor-${this.output.name}` };
    return {
      sourceTopic: batch.physicalTopic,
      key: r.key,
      value: r.value,
      partition: batch.partition,
      offset: String(r.offset),
      headers,
    };
  }

  private get maxAheadMs(): number {
    return this.options.maxAheadMs ?? 60_000;
  }

  private pauseIfAhead(batch: DecodedBatch, maxTs: number, wall: number): void {
    const watermark = this.index.watermarks.current(wall);
    if (!Number.isFinite(watermark) || maxTs <= watermark + this.maxAheadMs || batch.nextOffset >= batch.highWatermark)
      return;
    const key = `${batch.physicalTopic}/${batch.partition}`;
    const entry = this.paused.get(key);
    if (entry !== undefined) entry.maxTs = Math.max(entry.maxTs, maxTs);
    else {
      this.paused.set(key, { topic: batch.physicalTopic, partition: batch.partition, maxTs });
      this.feed?.pause(batch.physicalTopic, batch.partition);
    }
  }

  /** Resumes the paused partitions the watermark has come close to. */
  private resumeCaughtUp(wall: number): void {
    if (this.paused.size === 0) return;
    const watermark = this.index.watermarks.current(wall);
    for (const [key, p] of this.paused) {
      if (p.maxTs > watermark + this.maxAheadMs / 2) continue;
      this.paused.delete(key);
      this.feed?.resume(p.topic, p.partition);
    }
  }

  private async maybeCommit(): Promise<void> {
    if (this.stopped || this.feed === undefined || this.feed.handlingFetch()) return;
    const wall = this.now();
    const started = performance.now();
    const records = this.evaluate(wall);
    if (records.length > 0) {
      this.onEvaluated(records.length, (performance.now() - started) / 1000);
      this.pendingRecords.push(...records);
      this.dirty = true;
    }
    const watermark = this.index.watermarks.current(wall);
    if (Number.isFinite(watermark))
      this.metrics.watermarkLag.set({ processor: this.output.name }, (wall - watermark) / 1000);
    this.resumeCaughtUp(wall);
    if (!this.dirty) return;
    const since = wall - this.lastCommitWall;
    const outputs = this.pendingRecords.length > 0 || this.pendingLetters.length > 0;
    // Catching up on a backlog, one transaction (and checkpoint) a commit interval, not one a tick.
    const minInterval =
      this.index.watermarks.lagging(wall).length > 0 ? this.options.commitIntervalMs : this.options.minCommitIntervalMs;
    if ((outputs && since >= minInterval) || since >= this.options.commitIntervalMs) await this.commit();
  }

  private evaluate(wall: number): TopicValues[T][] {
    return this.index.advanceWith(wall, (state, T) => this.output.evaluate(state, T, this.index));
  }

  /** `count` records took `seconds` to evaluate (processor-syi's calculation-latency histogram) */
  protected onEvaluated(count: number, seconds: number): void {
    void count;
    void seconds;
  }

  private async commitIfDirty(): Promise<void> {
    this.pendingRecords.push(...this.evaluate(this.now()));
    if (this.dirty || this.pendingRecords.length > 0) await this.commit();
  }

  /** One transaction: the records, the dead letters and the checkpoint that covers them. */
  private async commit(): Promise<void> {
    const records = this.pendingRecords;
    const letters = this.pendingLetters;
    const checkpoint = gzipSync(JSON.stringify(this.index.checkpoint()), { level: 1 });
    const endTransactionTimer = this.metrics.transactionDuration.startTimer({ processor: this.output.name });
    const txn = await this.producer.transaction();
    try {
      const topicMessages = [];
      if (records.length > 0) {
        const out = this.output;
        const messages = await this.producer.encode(
          out.topic,
          records.map((r) => ({ key: out.keyOf(r), value: r, timestamp: out.tsOf(r) })),
        );
        topicMessages.push({ topic: this.outputTopic, messages });
      }
      for (const l of letters) {
        const r = deadLetterRecord(l);
        topicMessages.push({
          topic: r.topic,
          messages: [{ key: r.key, value: r.value, ...(r.headers ? { headers: r.headers } : {}) }],
        });
      }
      topicMessages.push({
        topic: this.changelogTopic,
        messages: [{ key: this.output.checkpointKey, value: checkpoint, partition: this.output.changelogPartition }],
      });
      // Cut per partition and by size: catching up, one interval's records exceed a broker's
      // message.max.bytes as one record batch (MESSAGE_TOO_LARGE would stop the processor).
      await sendPerPartition(this.producer.router, topicMessages, (batch) => txn.send({ ...batch, acks: -1 }));
      await txn.commit();
      endTransactionTimer();
    } catch (err) {
      this.options.logger.error(
        {
          err,
          processor: this.output.name,
          records: records.length,
          deadLetters: letters.length,
          checkpointBytes: checkpoint.length,
        },
        'transaction_failed',
      );
      this.metrics.transactionAborts.inc({ processor: this.output.name });
      await txn.abort().catch(() => undefined);
      // The in-memory state is ahead of what Kafka holds: only a restart (restore) is correct.
      this.stopped = true;
      throw err;
    }
    const wall = this.now();
    this.pendingRecords = [];
    this.pendingLetters = [];
    this.dirty = false;
    this.lastCommitWall = wall;
    this.lastCheckpointBytes = checkpoint.length;
    this.commits++;
    for (const l of letters) this.kafkaMetrics.deadLettered.inc({ topic: l.sourceTopic, reason: l.kind });
    if (records.length > 0) {
      const out = this.output;
      this.metrics.recordsOut.inc({ processor: out.name, topic: out.topic }, records.length);
      this.kafkaMetrics.produced.inc({ topic: this.outputTopic }, records.length);
      for (const r of records)
        this.metrics.evaluationLatency.observe({ processor: out.name }, Math.max(0, wall - out.tsOf(r)) / 1000);
      out.onPublished?.(records, wall);
    }
  }
}
