// An event-time processor on Kafka: reads the raw input topics, feeds an EventTimeIndex and
// publishes what its output evaluates at every grid point exactly once: every Kafka transaction
// holds the new records, the dead letters and a checkpoint (index state, watermark, read
// positions) on a compacted changelog topic. On start the latest checkpoint is restored and every
// partition is read again from its checkpointed position, so a restart — after SIGKILL, on a
// standby, or on the instance a shard moved to — publishes exactly what an uninterrupted run
// would. processor-syi runs one (syi-processor.ts); peg, liquidity and RAY run one per shard
// of symbols (measure-processor.ts).
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { validateEvent, type IndexEvent, type IndexState, type InputTopic } from '@stableyield/index-engine';
import {
  deadLetterRecord, DeserializationError, KafkaMetrics, PartitionReader, prefixedTopic, readLatestRecord, sendPerPartition,
  TopicProducer, type DeadLetter, type Kafka, type PartitionBatch, type TopicSerde,
} from '@stableyield/kafka';
import type { DataTopic, TopicValues } from '@stableyield/schemas';
import { EventTimeIndex, type EventTimeCheckpoint } from './event-time-index';
import { ProcessorMetrics } from './processor-metrics';

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
  /** a transaction failed or the producer was fenced: the process must stop (a restart restores) */
  onFatal: (err: unknown) => void;
  onProgress?: () => void;
  now?: () => number;
  /** shared by every processor of one app (a registry takes each metric once) */
  metrics?: ProcessorMetrics;
}

export class EventTimeProcessor<T extends DataTopic> {
  protected readonly index: EventTimeIndex;
  private readonly producer: TopicProducer;
  private reader: PartitionReader | undefined;
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
      gridStepMs: options.gridStepMs, allowedLatenessMs: options.allowedLatenessMs, idleTimeoutMs: options.idleTimeoutMs, trackInputs: output.trackInputs,
      onIdleRelease: (partition, p) =>
        options.logger.warn({ processor: output.name, partition, position: p.position, end: p.end, maxTs: p.maxTs, idleTimeoutMs: options.idleTimeoutMs }, 'watermark_released_idle_partition'),
    });
    this.metrics = options.metrics ?? new ProcessorMetrics(options.registry);
    this.kafkaMetrics = KafkaMetrics.of(options.registry);
    this.producer = new TopicProducer(options.kafka, options.serde, this.kafkaMetrics, options.logger, { transactionalId: options.transactionalId });
    for (const t of output.inputs) this.logicalOf.set(prefixedTopic(options.topicPrefix, t), t);
    this.outputTopic = prefixedTopic(options.topicPrefix, output.topic);
    this.changelogTopic = prefixedTopic(options.topicPrefix, output.changelog);
  }

  /** True once the checkpoint is restored and the inputs are being read. */
  get isReady(): boolean {
    return this.restored && !this.stopped;
  }

  get lastEvaluated(): number | null {
    return this.index.lastEvaluated;
  }

  async start(): Promise<void> {
    const { kafka, logger } = this.options;
    // Claiming the transactional id fences any predecessor with the same id and aborts its open
    // transaction, so the changelog read next is final (a moved shard's old owner cannot commit).
    await this.producer.connect();
    await this.producer.fence();
    const latest = await readLatestRecord(kafka, logger, this.changelogTopic, { partition: this.output.changelogPartition });
    if (latest?.value) {
      const checkpoint = JSON.parse(gunzipSync(latest.value).toString('utf8')) as EventTimeCheckpoint;
      this.index.restore(checkpoint);
      logger.info({ processor: this.output.name, lastEvaluated: checkpoint.lastEvaluated, published: checkpoint.published, offset: latest.offset }, 'state_restored');
    } else logger.info({ processor: this.output.name }, 'state_empty_starting_from_the_beginning');

    const physical = [...this.logicalOf.keys()];
    const ends = await PartitionReader.endOffsets(kafka, physical);
    const resume = this.index.resumeOffsets();
    const startOffsets = new Map<string, number>();
    const wall = this.now();
    for (const [key, { low, high }] of ends) {
      const logical = this.logicalKey(key);
      const position = Math.max(resume.get(logical) ?? low, low);
      startOffsets.set(key, position);
      this.index.watermarks.track(logical, position, high, wall);
    }
    this.restored = true;
    this.reader = new PartitionReader({
      kafka,
      logger,
      topics: physical,
      startOffsets,
      groupPrefix: `${this.options.transactionalId}-reader`,
      onBatch: (batch) =>
        this.serial(() => this.handleBatch(batch)).catch((err: unknown) => {
          this.options.onFatal(err);
          throw err;
        }),
      // Grid points are evaluated only between fetches: mid-response, a partition handled
      // first could move the watermark past records of another one still waiting in it.
      onFetchHandled: () => void this.serial(() => this.maybeCommit()).catch((err: unknown) => this.options.onFatal(err)),
      ...(this.options.onProgress ? { onFetch: this.options.onProgress } : {}),
    });
    const joinStarted = this.now();
    await this.reader.start();
    logger.info({ processor: this.output.name, joinMs: this.now() - joinStarted }, 'reader_started');
    this.timer = setInterval(() => {
      this.serial(() => this.maybeCommit()).catch((err: unknown) => this.options.onFatal(err));
    }, this.options.tickMs);
  }

  /** Stops reading and commits what was processed. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.reader?.stop();
    await this.serial(() => this.commitIfDirty());
    await this.producer.disconnect();
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

  private async handleBatch(batch: PartitionBatch): Promise<void> {
    if (this.stopped) return;
    const topic = this.logicalOf.get(batch.topic);
    if (topic === undefined) return;
    const key = `${topic}/${batch.partition}`;
    const wall = this.now();
    if (!this.reading) {
      // joining the reader's group takes a while: idle clocks start with the first fetch
      this.reading = true;
      this.index.watermarks.touchAll(wall);
    }
    let batchMaxTs = -Infinity;
    for (const m of batch.messages) {
      const offset = Number(m.offset);
      const letter = { sourceTopic: batch.topic, key: m.key, value: m.value, partition: batch.partition, offset: m.offset };
      let value: unknown;
      try {
        if (m.value === null) throw new DeserializationError(topic, 'empty value (tombstone) on a data topic');
        value = await this.options.serde.deserialize(topic, m.value);
      } catch (err) {
        if (!(err instanceof DeserializationError)) throw err;
        if (this.index.consumed(key, offset) && this.output.deadLettersInvalid) this.pendingLetters.push({ ...letter, kind: 'undecodable', reason: err.message });
        continue;
      }
      const parsed = validateEvent({ topic, value });
      if (!parsed.ok) {
        if (this.index.consumed(key, offset) && this.output.deadLettersInvalid) this.pendingLetters.push({ ...letter, kind: 'invalid', reason: parsed.error });
        continue;
      }
      if (!this.output.accepts(parsed.event)) {
        // not this shard's symbol, but the partition's event time did move: a partition read
        // only for other symbols' records must not hold the watermark while it catches up
        this.index.consumed(key, offset);
        this.index.watermarks.observe(key, parsed.event.ts, wall);
        continue;
      }
      if (parsed.event.ts > batchMaxTs) batchMaxTs = parsed.event.ts;
      const result = this.index.offer(key, offset, parsed.event, wall);
      if (result.kind === 'skipped') continue;
      this.metrics.recordsIn.inc({ processor: this.output.name, topic });
      if (result.kind === 'late') {
        this.metrics.lateEvents.inc({ processor: this.output.name, topic });
        this.pendingLetters.push({ ...letter, kind: 'late', reason: `processor-${this.output.name}: ${result.reason}` });
      }
    }
    this.dirty = true;
    this.index.watermarks.advance(key, batch.nextOffset, batch.highWatermark, wall);
    this.pauseIfAhead(batch, batchMaxTs, wall);
    this.kafkaMetrics.lag.set({ topic: batch.topic, partition: String(batch.partition), group: `processor-${this.output.name}` }, Math.max(0, batch.highWatermark - batch.nextOffset));
    this.kafkaMetrics.consumed.inc({ topic: batch.topic }, batch.messages.length);
  }

  private get maxAheadMs(): number {
    return this.options.maxAheadMs ?? 60_000;
  }

  private pauseIfAhead(batch: PartitionBatch, maxTs: number, wall: number): void {
    const watermark = this.index.watermarks.current(wall);
    if (!Number.isFinite(watermark) || maxTs <= watermark + this.maxAheadMs || batch.nextOffset >= batch.highWatermark) return;
    const key = `${batch.topic}/${batch.partition}`;
    const entry = this.paused.get(key);
    if (entry !== undefined) entry.maxTs = Math.max(entry.maxTs, maxTs);
    else {
      this.paused.set(key, { topic: batch.topic, partition: batch.partition, maxTs });
      this.reader?.pause(batch.topic, batch.partition);
    }
  }

  /** Resumes the paused partitions the watermark has come close to. */
  private resumeCaughtUp(wall: number): void {
    if (this.paused.size === 0) return;
    const watermark = this.index.watermarks.current(wall);
    for (const [key, p] of this.paused) {
      if (p.maxTs > watermark + this.maxAheadMs / 2) continue;
      this.paused.delete(key);
      this.reader?.resume(p.topic, p.partition);
    }
  }

  private async maybeCommit(): Promise<void> {
    if (this.stopped || this.reader === undefined || this.reader.handlingFetch) return;
    const wall = this.now();
    const started = performance.now();
    const records = this.evaluate(wall);
    if (records.length > 0) {
      this.onEvaluated(records.length, (performance.now() - started) / 1000);
      this.pendingRecords.push(...records);
      this.dirty = true;
    }
    const watermark = this.index.watermarks.current(wall);
    if (Number.isFinite(watermark)) this.metrics.watermarkLag.set({ processor: this.output.name }, (wall - watermark) / 1000);
    this.resumeCaughtUp(wall);
    if (!this.dirty) return;
    const since = wall - this.lastCommitWall;
    const outputs = this.pendingRecords.length > 0 || this.pendingLetters.length > 0;
    // Catching up on a backlog, one transaction (and checkpoint) a commit interval, not one a tick.
    const minInterval = this.index.watermarks.lagging(wall).length > 0 ? this.options.commitIntervalMs : this.options.minCommitIntervalMs;
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
    const txn = await this.producer.transaction();
    try {
      const topicMessages = [];
      if (records.length > 0) {
        const out = this.output;
        const messages = await this.producer.encode(out.topic, records.map((r) => ({ key: out.keyOf(r), value: r, timestamp: out.tsOf(r) })));
        topicMessages.push({ topic: this.outputTopic, messages });
      }
      for (const l of letters) {
        const r = deadLetterRecord(l);
        topicMessages.push({ topic: r.topic, messages: [{ key: r.key, value: r.value, ...(r.headers ? { headers: r.headers } : {}) }] });
      }
      topicMessages.push({ topic: this.changelogTopic, messages: [{ key: this.output.checkpointKey, value: checkpoint, partition: this.output.changelogPartition }] });
      // Cut per partition and by size: catching up, one interval's records exceed a broker's
      // message.max.bytes as one record batch (MESSAGE_TOO_LARGE would stop the processor).
      await sendPerPartition(this.producer.router, topicMessages, (batch) => txn.send({ ...batch, acks: -1 }));
      await txn.commit();
    } catch (err) {
      this.options.logger.error({ err, processor: this.output.name, records: records.length, deadLetters: letters.length, checkpointBytes: checkpoint.length }, 'transaction_failed');
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
      for (const r of records) this.metrics.evaluationLatency.observe({ processor: out.name }, Math.max(0, wall - out.tsOf(r)) / 1000);
      out.onPublished?.(records, wall);
    }
  }
}
