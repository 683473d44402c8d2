// apps/auditor's engine: reads `syi.calculated`, every input topic and the inputs' dead-letter
// topics from their start (read_committed, one PartitionReader, no consumer-group offsets), hands
// them to an IndexAuditor and judges what is due every tick. Verdicts go to metrics and logs;
// a mismatch is logged with T, both values and both digests and never stops the auditor.
//
// Position across restarts: none is kept. A restarted auditor reads the retained topics again and
// judges every retained record again; the replay is deterministic, so each record gets the same
// verdict (idempotent), and Prometheus counters restart from zero as they do for any process.
import type { Logger } from 'pino';
import { metricsOf, type Counter, type Gauge, type Registry } from '@stableyield/observability';
import { INPUT_TOPICS, type InputTopic, type MethodologyParams } from '@stableyield/index-engine';
import {
  DeserializationError,
  DLQ_HEADERS,
  dlqTopicOf,
  PartitionReader,
  prefixedTopic,
  readDeadLetterHeaders,
  retryWhileRegistryUnavailable,
  type Kafka,
  type PartitionBatch,
  type TopicSerde,
} from '@stableyield/kafka';
import { IndexAuditor, type AuditResult } from './auditor';
import { inputId } from './verify';

/** processor-syi's name in the `dlq.processor` header of the letters it writes. */
export const SYI_PROCESSOR = 'processor-syi';

export interface AuditRunnerOptions {
  kafka: Kafka;
  serde: TopicSerde;
  logger: Logger;
  registry: Registry;
  topicPrefix: string;
  settleMs: number;
  graceMs: number;
  tickMs: number;
  params?: MethodologyParams;
  /** called after every fetch (feeds liveness) */
  onProgress?: () => void;
  now?: () => number;
}

/** The auditor's metrics (docs/metrics.md). */
export class AuditorMetrics {
  readonly deviation: Gauge;
  readonly verified: Counter<'result'>;
  readonly lag: Gauge;
  readonly checkedThrough: Gauge;
  readonly pending: Gauge;
  readonly inputsNotUsed: Gauge<'reason'>;

  constructor(registry: Registry, lastChecked: () => number | null, now: () => number) {
    const { counter, gauge } = metricsOf(registry);
    this.deviation = gauge(
      'syi_accuracy_deviation',
      '|published − recomputed| / |recomputed| of the last record checked (0 when exact)',
    );
    this.verified = counter(
      'syi_verified_records_total',
      'Published records checked against their recomputation, by result',
      ['result'],
    );
    for (const result of ['match', 'mismatch']) this.verified.inc({ result }, 0);
    this.lag = gauge('syi_verification_lag_seconds', 'Now minus T of the last record checked', [], function () {
      const T = lastChecked();
      if (T !== null) this.set((now() - T) / 1000);
    });
    this.checkedThrough = gauge(
      'syi_verified_through_timestamp_seconds',
      'T up to which every published record has been checked (Unix seconds)',
    );
    this.pending = gauge('syi_verification_pending_records', 'Published records read and not judged yet');
    this.inputsNotUsed = gauge('syi_verification_inputs_not_used', 'Input records the replay does not use, by reason', [
      'reason',
    ]);
  }
}

/** The auditor's `/status` body. */
export interface AuditStatus {
  /** T (ms) up to which every published record has been checked; null before the first */
  readonly checkedThrough: number | null;
  readonly matched: number;
  readonly mismatched: number;
  readonly pending: number;
  /** now minus T of the last record checked, in seconds */
  readonly lagSeconds: number | null;
  readonly inputsNotUsed: { readonly invalid: number; readonly undecodable: number; readonly behindBase: number };
  readonly lastMismatch: {
    readonly ts: number;
    readonly publishedValue: number;
    readonly recomputedValue: number | null;
    readonly deviation: number;
    readonly publishedDigest: string;
    readonly recomputedDigest: string | null;
    readonly problems: readonly string[];
  } | null;
}

export class AuditRunner {
  readonly auditor: IndexAuditor;
  private readonly metrics: AuditorMetrics;
  private readonly reader: PartitionReader;
  private readonly log: Logger;
  private readonly now: () => number;
  /** physical topic → logical input topic */
  private readonly inputs = new Map<string, InputTopic>();
  /** physical DLQ topic → logical input topic */
  private readonly letters = new Map<string, InputTopic>();
  private readonly outputTopic: string;
  private timer: NodeJS.Timeout | undefined;
  private lastCheckedTs: number | null = null;
  /**
   * next offset to take per "topic/partition": a batch fetched again (a consumer restart rejoins from the start) is
   * skipped up to it
   */
  private readonly positions = new Map<string, number>();
  private undecodable = 0;
  private started = false;
  private stopping = false;

  constructor(private readonly options: AuditRunnerOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ module: 'auditor' });
    this.auditor = new IndexAuditor({
      settleMs: options.settleMs,
      graceMs: options.graceMs,
      ...(options.params ? { params: options.params } : {}),
    });
    this.metrics = new AuditorMetrics(options.registry, () => this.lastCheckedTs, this.now);
    for (const topic of INPUT_TOPICS) {
      const physical = prefixedTopic(options.topicPrefix, topic);
      this.inputs.set(physical, topic);
      this.letters.set(dlqTopicOf(physical), topic);
    }
    this.outputTopic = prefixedTopic(options.topicPrefix, 'syi.calculated');
    this.reader = new PartitionReader({
      kafka: options.kafka,
      logger: options.logger,
      topics: [...this.inputs.keys(), ...this.letters.keys(), this.outputTopic],
      startOffsets: new Map(),
      groupPrefix: `${prefixedTopic(options.topicPrefix, 'auditor')}`,
      onBatch: (batch) => this.onBatch(batch),
      onBatchEnd: (topic, partition, nextOffset, highWatermark) => {
        if (this.inputs.has(topic))
          this.auditor.partitionRead(`${this.inputs.get(topic)}/${partition}`, nextOffset >= highWatermark);
      },
      onFetch: () => options.onProgress?.(),
    });
  }

  /** True once reading has begun. */
  get isReady(): boolean {
    return this.started;
  }

  /** What `/status` serves: how far the index has been checked and what was found. */
  status(): AuditStatus {
    const stats = this.auditor.stats;
    const m = stats.lastMismatch;
    return {
      checkedThrough: stats.checkedThrough,
      matched: stats.matched,
      mismatched: stats.mismatched,
      pending: stats.pending,
      lagSeconds: this.lastCheckedTs === null ? null : (this.now() - this.lastCheckedTs) / 1000,
      inputsNotUsed: {
        invalid: stats.invalidInputs,
        undecodable: this.undecodable,
        behindBase: stats.inputsBehindBase,
      },
      lastMismatch:
        m === null
          ? null
          : {
              ts: m.ts,
              publishedValue: m.publishedValue,
              recomputedValue: m.recomputedValue,
              deviation: m.deviation,
              publishedDigest: m.publishedDigest,
              recomputedDigest: m.recomputedDigest,
              problems: m.problems,
            },
    };
  }

  async start(): Promise<void> {
    // Every input partition is lagging until read to the end offset it had at start.
    const ends = await PartitionReader.endOffsets(this.options.kafka, [...this.inputs.keys()]);
    for (const [key, { low, high }] of ends) {
      const slash = key.lastIndexOf('/');
      this.auditor.partitionRead(`${this.inputs.get(key.slice(0, slash))}/${key.slice(slash + 1)}`, high <= low);
    }
    await this.reader.start();
    this.started = true;
    this.timer = setInterval(() => this.tick(), this.options.tickMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.reader.stop();
  }

  /** Judges what is due; exported for tests that drive the clock. */
  tick(): AuditResult[] {
    const results = this.auditor.check(this.now());
    for (const r of results) this.report(r);
    const stats = this.auditor.stats;
    if (stats.checkedThrough !== null) this.metrics.checkedThrough.set(stats.checkedThrough / 1000);
    this.metrics.pending.set(stats.pending);
    this.metrics.inputsNotUsed.set({ reason: 'invalid' }, stats.invalidInputs);
    this.metrics.inputsNotUsed.set({ reason: 'undecodable' }, this.undecodable);
    this.metrics.inputsNotUsed.set({ reason: 'behind_base' }, stats.inputsBehindBase);
    return results;
  }

  private report(r: AuditResult): void {
    this.metrics.verified.inc({ result: r.result });
    this.metrics.deviation.set(r.deviation);
    if (this.lastCheckedTs === null || r.ts > this.lastCheckedTs) this.lastCheckedTs = r.ts;
    if (r.result === 'mismatch') {
      this.log.error(
        {
          T: r.ts,
          at: new Date(r.ts).toISOString(),
          publishedValue: r.publishedValue,
          recomputedValue: r.recomputedValue,
          deviation: r.deviation,
          publishedDigest: r.publishedDigest,
          recomputedDigest: r.recomputedDigest,
          publishedInputsDigest: r.publishedInputsDigest,
          recomputedInputsDigest: r.recomputedInputsDigest,
          problems: r.problems,
        },
        'syi_verification_mismatch',
      );
    }
  }

  /** The batch's records not taken yet, marking them taken. */
  private unseen(batch: PartitionBatch): PartitionBatch['messages'] {
    const key = `${batch.topic}/${batch.partition}`;
    const from = this.positions.get(key) ?? 0;
    this.positions.set(key, Math.max(from, batch.nextOffset));
    return batch.messages.filter((m) => Number(m.offset) >= from);
  }

  /**
   * A registry outage holds the partition (the decode is retried), as in processor-syi: an input is never dropped for
   * it.
   */
  private decodeRetrying<T extends InputTopic>(batch: PartitionBatch, topic: T, payload: Buffer) {
    return retryWhileRegistryUnavailable(() => this.options.serde.deserialize(topic, payload), {
      stopped: () => this.stopping,
      onRetry: async (err, attempt) => {
        if (attempt === 0)
          this.log.warn(
            { err, topic: batch.topic, partition: batch.partition },
            'schema_registry_unavailable_holding_partition',
          );
        await batch.heartbeat().catch(() => undefined);
      },
    });
  }

  private async onBatch(batch: PartitionBatch): Promise<void> {
    const messages = this.unseen(batch);
    const input = this.inputs.get(batch.topic);
    if (input !== undefined) {
      for (const m of messages) {
        if (m.value === null) continue;
        try {
          const value = await this.decodeRetrying(batch, input, m.value);
          this.auditor.addInput({ topic: input, partition: batch.partition, offset: Number(m.offset), value });
        } catch (err) {
          if (!(err instanceof DeserializationError)) throw err;
          // processor-syi dead-letters what it cannot decode; it cannot have used it either
          this.undecodable++;
          this.log.warn({ err, topic: batch.topic, partition: batch.partition, offset: m.offset }, 'input_undecodable');
        }
      }
      this.auditor.partitionRead(`${input}/${batch.partition}`, batch.nextOffset >= batch.highWatermark);
      return;
    }
    const lettered = this.letters.get(batch.topic);
    if (lettered !== undefined) {
      for (const m of messages) {
        const h = readDeadLetterHeaders(m.headers);
        // every kind processor-syi dead-lettered (late, undecodable, invalid): it never applied those inputs
        if (h[DLQ_HEADERS.processor] === SYI_PROCESSOR) {
          this.auditor.addLateLetter(
            inputId(lettered, h[DLQ_HEADERS.sourcePartition] ?? '', h[DLQ_HEADERS.sourceOffset] ?? ''),
          );
        }
      }
      return;
    }
    for (const m of messages) {
      if (m.value === null) continue;
      try {
        this.auditor.addPublished(await this.options.serde.deserialize('syi.calculated', m.value), this.now());
      } catch (err) {
        this.log.error({ err, offset: m.offset }, 'published_record_undecodable');
      }
    }
  }
}
