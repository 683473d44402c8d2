import { metricsOf, type Counter, type Gauge, type Registry } from '@stableyield/observability';

/** Kafka metrics of one app, registered once per registry. */
export class KafkaMetrics {
  readonly consumed: Counter<'topic'>;
  readonly produced: Counter<'topic'>;
  readonly lag: Gauge<'topic' | 'partition' | 'group'>;
  readonly deadLettered: Counter<'topic' | 'reason'>;
  readonly registryRetries: Counter<'topic'>;
  readonly registryUnavailable: Gauge;

  constructor(registry: Registry) {
    const { counter, gauge } = metricsOf(registry);
    this.consumed = counter('kafka_messages_consumed_total', 'Records consumed, by topic', ['topic']);
    this.produced = counter('kafka_messages_produced_total', 'Records acknowledged by the broker, by topic', ['topic']);
    this.lag = gauge('kafka_consumer_lag', 'High watermark minus the next offset to consume', [
      'topic',
      'partition',
      'group',
    ]);
    this.deadLettered = counter(
      'dlq_records_total',
      'Records sent to a dead-letter topic, by source topic and reason class',
      ['topic', 'reason'],
    );
    this.registryRetries = counter(
      'schema_registry_retries_total',
      'Decodes retried because the schema registry did not answer, by topic',
      ['topic'],
    );
    this.registryUnavailable = gauge(
      'schema_registry_unavailable',
      '1 while reading is held, retrying a decode the schema registry cannot answer',
    );
  }

  private static readonly byRegistry = new WeakMap<Registry, KafkaMetrics>();

  /** One instance per registry: several consumers of an app share the same series. */
  static of(registry: Registry): KafkaMetrics {
    let metrics = KafkaMetrics.byRegistry.get(registry);
    if (!metrics) {
      metrics = new KafkaMetrics(registry);
      KafkaMetrics.byRegistry.set(registry, metrics);
    }
    return metrics;
  }
}
