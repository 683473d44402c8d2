import { Counter, Gauge, type Registry } from '@stableyield/observability';

/** Kafka metrics of one app, registered once per registry. */
export class KafkaMetrics {
  readonly consumed: Counter<'topic'>;
  readonly produced: Counter<'topic'>;
  readonly lag: Gauge<'topic' | 'partition' | 'group'>;
  readonly deadLettered: Counter<'topic' | 'reason'>;
  readonly registryRetries: Counter<'topic'>;
  readonly registryUnavailable: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.consumed = new Counter({
      name: 'kafka_messages_consumed_total',
      help: 'Records consumed, by topic',
      labelNames: ['topic'],
      registers,
    });
    this.produced = new Counter({
      name: 'kafka_messages_produced_total',
      help: 'Records acknowledged by the broker, by topic',
      labelNames: ['topic'],
      registers,
    });
    this.lag = new Gauge({
      name: 'kafka_consumer_lag',
      help: 'High watermark minus the next offset to consume',
      labelNames: ['topic', 'partition', 'group'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'dlq_records_total',
      help: 'Records sent to a dead-letter topic, by source topic and reason class',
      labelNames: ['topic', 'reason'],
      registers,
    });
    this.registryRetries = new Counter({
      name: 'schema_registry_retries_total',
      help: 'Decodes retried because the schema registry did not answer, by topic',
      labelNames: ['topic'],
      registers,
    });
    this.registryUnavailable = new Gauge({
      name: 'schema_registry_unavailable',
      help: '1 while reading is held, retrying a decode the schema registry cannot answer',
      registers,
    });
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
