// processor-syi: the index as a Kafka processor. Reads the raw input topics, feeds an
// EventTimeIndex and publishes `syi.calculated` exactly once: every Kafka transaction holds the
// new records, the dead letters and a checkpoint (index state, watermark, read positions) on a
// compacted changelog topic. On start the latest checkpoint is restored and every partition is
// read again from its checkpointed position, so a restart — after SIGKILL or on a standby —
// publishes exactly what an uninterrupted run would.
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { INPUT_TOPICS, validateEvent, type InputTopic } from '@stableyield/index-engine';
import {
  changelogTopicSpec, deadLetterRecord, DeserializationError, KafkaMetrics, PartitionReader, prefixedTopic, readLatestRecord,
  TopicProducer, type DeadLetter, type Kafka, type PartitionBatch, type TopicSerde,
} from '@stableyield/kafka';
import type { SyiRecord } from '@stableyield/schemas';
import { EventTimeIndex, type EventTimeCheckpoint } from './event-time-index';
import { ProcessorMetrics, SyiMetrics } from './processor-metrics';

export interface SyiProcessorOptions {
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
  /** read progress without new records is committed this often */
  commitIntervalMs: number;
  tickMs: number;
  /** a transaction failed or the producer was fenced: the process must stop (a restart restores) */
  onFatal: (err: unknown) => void;
  onProgress?: () => void;
  now?: () => number;
}

export const SYI_CHANGELOG = 'processor-syi.changelog';
const CHECKPOINT_KEY = 'processor-syi';
const PROCESSOR = 'syi';

export class SyiProcessor {
  private readonly index: EventTimeIndex;
  private readonly producer: TopicProducer;
  private reader: PartitionReader | undefined;
  private readonly metrics: ProcessorMetrics;
  private readonly syi: SyiMetrics;
  private readonly kafkaMetrics: KafkaMetrics;
  private readonly now: () => number;
  private readonly logicalOf = new Map<string, InputTopic>();
  private readonly outputTopic: string;
  private readonly changelogTopic: string;
  private lock: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private pendingRecords: SyiRecord[] = [];
  private pendingLetters: DeadLetter[] = [];
  private dirty = false;
  private lastCommitWall = 0;
  private restored = false;
  private reading = false;
  private stopped = false;
  /** checkpoint bytes and duration of the last commit, for the benchmark's report */
  lastCheckpointBytes = 0;
  commits = 0;

  constructor(private readonly options: SyiProcessorOptions) {
    this.now = options.now ?? Date.now;
    this.index = new EventTimeIndex({ gridStepMs: options.gridStepMs, allowedLatenessMs: options.allowedLatenessMs, idleTimeoutMs: options.idleTimeoutMs });
    this.metrics = new ProcessorMetrics(options.registry);
    this.syi = new SyiMetrics(options.registry);
    this.kafkaMetrics = KafkaMetrics.of(options.registry);
    this.producer = new TopicProducer(options.kafka, options.serde, this.kafkaMetrics, options.logger, { transactionalId: options.transactionalId });
    for (const t of INPUT_TOPICS) this.logicalOf.set(prefixedTopic(options.topicPrefix, t), t);
    this.outputTopic = prefixedTopic(options.topicPrefix, 'syi.calculated');
    this.changelogTopic = prefixedTopic(options.topicPrefix, SYI_CHANGELOG);
  }

  /** True once the checkpoint is restored and the inputs are being read. */
  get isReady(): boolean {
    return this.restored && !this.stopped;
  }

  get lastEvaluated(): number | null {
    return this.index.lastEvaluated;
  }

  static changelogSpec(prefix: string) {
    return changelogTopicSpec(prefixedTopic(prefix, SYI_CHANGELOG));
  }

  async start(): Promise<void> {
    const { kafka, logger } = this.options;
    // Connecting a transactional producer fences any predecessor with the same id and aborts
    // its open transaction, so the changelog read next is final.
    await this.producer.connect();
    const latest = await readLatestRecord(kafka, logger, this.changelogTopic);
    if (latest?.value) {
      const checkpoint = JSON.parse(gunzipSync(latest.value).toString('utf8')) as EventTimeCheckpoint;
      this.index.restore(checkpoint);
      logger.info({ lastEvaluated: checkpoint.lastEvaluated, published: checkpoint.published, offset: latest.offset }, 'state_restored');
    } else logger.info('state_empty_starting_from_the_beginning');

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
    logger.info({ joinMs: this.now() - joinStarted }, 'reader_started');
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
    for (const m of batch.messages) {
      const offset = Number(m.offset);
      const letter = { sourceTopic: batch.topic, key: m.key, value: m.value, partition: batch.partition, offset: m.offset };
      let value: unknown;
      try {
        if (m.value === null) throw new DeserializationError(topic, 'empty value (tombstone) on a data topic');
        value = await this.options.serde.deserialize(topic, m.value);
      } catch (err) {
        if (!(err instanceof DeserializationError)) throw err;
        if (this.index.consumed(key, offset)) this.pendingLetters.push({ ...letter, kind: 'undecodable', reason: err.message });
        continue;
      }
      const parsed = validateEvent({ topic, value });
      if (!parsed.ok) {
        if (this.index.consumed(key, offset)) this.pendingLetters.push({ ...letter, kind: 'invalid', reason: parsed.error });
        continue;
      }
      const result = this.index.offer(key, offset, parsed.event, wall);
      if (result.kind === 'skipped') continue;
      this.metrics.recordsIn.inc({ processor: PROCESSOR, topic });
      if (result.kind === 'late') {
        this.metrics.lateEvents.inc({ processor: PROCESSOR, topic });
        this.pendingLetters.push({ ...letter, kind: 'late', reason: result.reason });
      }
    }
    this.dirty = true;
    this.index.watermarks.advance(key, batch.nextOffset, batch.highWatermark, wall);
    this.kafkaMetrics.lag.set({ topic: batch.topic, partition: String(batch.partition), group: this.options.transactionalId }, Math.max(0, batch.highWatermark - batch.nextOffset));
    this.kafkaMetrics.consumed.inc({ topic: batch.topic }, batch.messages.length);
  }

  private async maybeCommit(): Promise<void> {
    if (this.stopped || this.reader === undefined || this.reader.handlingFetch) return;
    const wall = this.now();
    const started = performance.now();
    const records = this.index.advance(wall);
    if (records.length > 0) {
      this.syi.calculationLatency.observe((performance.now() - started) / 1000 / records.length);
      this.pendingRecords.push(...records);
      this.dirty = true;
    }
    const watermark = this.index.watermarks.current(wall);
    if (Number.isFinite(watermark)) this.metrics.watermarkLag.set({ processor: PROCESSOR }, (wall - watermark) / 1000);
    if (!this.dirty) return;
    const since = wall - this.lastCommitWall;
    const outputs = this.pendingRecords.length > 0 || this.pendingLetters.length > 0;
    if ((outputs && since >= this.options.minCommitIntervalMs) || since >= this.options.commitIntervalMs) await this.commit();
  }

  private async commitIfDirty(): Promise<void> {
    this.pendingRecords.push(...this.index.advance(this.now()));
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
        const messages = await this.producer.encode('syi.calculated', records.map((r) => ({ key: 'SYI', value: r, timestamp: r.ts })));
        topicMessages.push({ topic: this.outputTopic, messages });
      }
      for (const l of letters) {
        const r = deadLetterRecord(l);
        topicMessages.push({ topic: r.topic, messages: [{ key: r.key, value: r.value, ...(r.headers ? { headers: r.headers } : {}) }] });
      }
      topicMessages.push({ topic: this.changelogTopic, messages: [{ key: CHECKPOINT_KEY, value: checkpoint }] });
      await txn.sendBatch({ acks: -1, topicMessages });
      await txn.commit();
    } catch (err) {
      this.metrics.transactionAborts.inc({ processor: PROCESSOR });
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
      this.metrics.recordsOut.inc({ processor: PROCESSOR, topic: 'syi.calculated' }, records.length);
      this.kafkaMetrics.produced.inc({ topic: this.outputTopic }, records.length);
      for (const r of records) this.metrics.evaluationLatency.observe({ processor: PROCESSOR }, Math.max(0, wall - r.ts) / 1000);
      this.publishGauges(records[records.length - 1] as SyiRecord, wall);
    }
  }

  private publishGauges(r: SyiRecord, wall: number): void {
    this.syi.value.set(r.value);
    if (r.rpl !== null) this.syi.rpl.set(r.rpl);
    this.syi.lastPublished.set(wall / 1000);
    this.syi.eligible.set(r.eligible);
    this.syi.completeness.set(r.eligible / this.index.params.constituents.length);
    for (const c of r.constituents) {
      this.syi.weight.set({ symbol: c.symbol }, c.weight);
      this.syi.ray.set({ symbol: c.symbol }, c.ray);
    }
  }
}
