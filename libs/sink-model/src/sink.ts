import type { Logger } from 'pino';
import {
  deadLetterRecord,
  type BatchInfo,
  type ConsumedRecord,
  type KafkaMetrics,
  type TopicProducer,
  type TopicSerde,
} from '@stableyield/kafka';
import { metricsOf, type Counter, type Histogram, type Registry } from '@stableyield/observability';
import { catalogTopicOf, type SinkTopic } from './model';

export type SinkRecord = ConsumedRecord;
export type SinkName = 'timescale' | 'clickhouse';

export interface WriteOutcome {
  rowsByTable: Map<string, number>;
  /** Records the database (or row validation) refused, with the reason; they go to the DLQ. */
  rejected: { record: SinkRecord; reason: string }[];
}

/** A database writer: resolves only once the rows are durable (committed / acknowledged). */
export interface SinkWriter {
  readonly sink: SinkName;
  write(topic: SinkTopic, records: readonly SinkRecord[]): Promise<WriteOutcome>;
  /** Whether a write error means the database was unreachable (counted in db_connection_errors_total). */
  isConnectionError(err: unknown): boolean;
}

/** The sink metrics of docs/metrics.md. */
export class SinkMetrics {
  readonly rows: Counter<'sink' | 'table'>;
  readonly batchDuration: Histogram<'sink'>;
  readonly retries: Counter<'sink'>;
  readonly dbErrors: Counter<'sink'>;
  /** sink-timescale only: failed refreshes of the index aggregates' buckets (plain PostgreSQL). */
  readonly aggregateRefreshFailures: Counter;

  constructor(registry: Registry) {
    const { counter, histogram } = metricsOf(registry);
    this.rows = counter('sink_rows_written_total', 'Rows committed, by sink and table', ['sink', 'table']);
    this.batchDuration = histogram('sink_batch_duration_seconds', 'One batch write, including retries', ['sink']);
    this.retries = counter('sink_retries_total', 'Retried batch writes', ['sink']);
    this.dbErrors = counter('db_connection_errors_total', 'Failed connections or dropped pool clients', ['sink']);
    this.aggregateRefreshFailures = counter(
      'sink_aggregate_refresh_failures_total',
      'Failed refreshes of the index aggregates',
    );
  }
}

export interface SinkHandlerOptions {
  writer: SinkWriter;
  metrics: SinkMetrics;
  kafkaMetrics: KafkaMetrics;
  /** Idempotent producer for dead letters. */
  producer: TopicProducer;
  serde: TopicSerde;
  logger: Logger;
  /** Prefix of the consumed topic names (tests and benchmarks use their own topics); '' in production. */
  topicPrefix: string;
  now?: () => number;
}

/**
 * The `handle` of a ConsumerRunner for a sink: write the batch, then dead-letter what the
 * database refused. It resolves only after both, and the runner commits the offsets only
 * after it resolves — so a crash at any point redoes the batch, and the idempotent writes
 * (natural keys) make the redo invisible: effectively exactly-once rows.
 */
export function createSinkHandler(
  options: SinkHandlerOptions,
): (records: ConsumedRecord[], info: BatchInfo) => Promise<void> {
  const { writer, metrics, logger } = options;
  const now = options.now ?? Date.now;
  const log = logger.child({ module: 'sink', sink: writer.sink });
  // The runner redoes a failed batch with the same first offset: that is a retry. Partitions are
  // consumed concurrently, so each keeps its own failed batch (one shared slot would let two failing
  // partitions overwrite each other and count no retry at all).
  const failing = new Map<string, { firstOffset: string; startedAt: number }>();

  return async (records, info) => {
    const partition = `${info.topic}/${info.partition}`;
    const failed = failing.get(partition);
    const isRetry = failed?.firstOffset === info.firstOffset;
    const startedAt = isRetry ? failed.startedAt : now();
    if (isRetry) metrics.retries.inc({ sink: writer.sink });
    const topic = catalogTopicOf(info.topic, options.topicPrefix);
    let outcome: WriteOutcome;
    try {
      outcome = await writer.write(topic, records);
    } catch (err) {
      failing.set(partition, { firstOffset: info.firstOffset, startedAt });
      if (writer.isConnectionError(err)) metrics.dbErrors.inc({ sink: writer.sink });
      throw err;
    }
    failing.delete(partition);
    if (outcome.rejected.length > 0) {
      const letters = await Promise.all(
        outcome.rejected.map(async ({ record, reason }) =>
          deadLetterRecord({
            sourceTopic: info.topic,
            kind: 'constraint',
            reason,
            key: record.key,
            // The record as it arrived: Avro in the registry wire format of its topic.
            value: await options.serde.serialize(topic, record.value as never),
            partition: record.partition,
            offset: record.offset,
          }),
        ),
      );
      await options.producer.sendRaw(letters);
      options.kafkaMetrics.deadLettered.inc({ topic: info.topic, reason: 'constraint' }, letters.length);
      log.warn(
        { ...info, rejected: letters.length, firstReason: outcome.rejected[0]?.reason },
        'records_dead_lettered',
      );
    }
    for (const [table, n] of outcome.rowsByTable) metrics.rows.inc({ sink: writer.sink, table }, n);
    metrics.batchDuration.observe({ sink: writer.sink }, (now() - startedAt) / 1000);
    log.debug({ ...info, records: records.length }, 'batch_written');
  };
}
