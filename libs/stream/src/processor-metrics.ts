import { metricsOf, type Counter, type Gauge, type Histogram, type Registry } from '@stableyield/observability';

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60];

/** The processor metrics of docs/metrics.md, labelled with the processor's short name. */
export class ProcessorMetrics {
  readonly recordsIn: Counter<'processor' | 'topic'>;
  readonly recordsOut: Counter<'processor' | 'topic'>;
  readonly evaluationLatency: Histogram<'processor'>;
  readonly watermarkLag: Gauge<'processor'>;
  readonly lateEvents: Counter<'processor' | 'topic'>;
  readonly transactionAborts: Counter<'processor'>;
  readonly transactionDuration: Histogram<'processor'>;

  constructor(registry: Registry) {
    const { counter, gauge, histogram } = metricsOf(registry);
    this.recordsIn = counter('processor_records_in_total', 'Input records processed', ['processor', 'topic']);
    this.recordsOut = counter('processor_records_out_total', 'Output records produced', ['processor', 'topic']);
    this.evaluationLatency = histogram(
      'processor_evaluation_latency_seconds',
      'Grid time T to the commit of the record for T',
      ['processor'],
      LATENCY_BUCKETS,
    );
    this.watermarkLag = gauge('processor_watermark_lag_seconds', 'Wall clock minus the watermark', ['processor']);
    this.lateEvents = counter(
      'processor_late_events_total',
      'Events older than the watermark allows (sent to the DLQ)',
      ['processor', 'topic'],
    );
    this.transactionAborts = counter('processor_transaction_aborts_total', 'Aborted Kafka transactions', ['processor']);
    // Our counterpart of flink_checkpoint_duration: one commit writes the outputs, the dead letters and the checkpoint.
    this.transactionDuration = histogram(
      'processor_transaction_duration_seconds',
      'Kafka transaction begin to commit (outputs, dead letters and the checkpoint)',
      ['processor'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    );
  }
}

/** The index gauges of processor-syi. */
export class SyiMetrics {
  readonly value: Gauge;
  readonly rpl: Gauge;
  readonly lastPublished: Gauge;
  readonly completeness: Gauge;
  readonly calculationLatency: Histogram;
  readonly eligible: Gauge;
  readonly weight: Gauge<'symbol'>;
  readonly ray: Gauge<'symbol'>;

  constructor(registry: Registry) {
    const { gauge, histogram } = metricsOf(registry);
    this.value = gauge('syi_value', 'Latest SYI value (percent)');
    this.rpl = gauge('syi_rpl', 'Latest risk premium over the T-bill (percent)');
    this.lastPublished = gauge(
      'syi_last_published_timestamp_seconds',
      'Unix time the latest syi.calculated record was produced',
    );
    this.completeness = gauge(
      'syi_data_completeness_ratio',
      'Share of constituents eligible in the latest calculation',
    );
    this.calculationLatency = histogram(
      'syi_calculation_latency_seconds',
      'Time to compute one index value',
      [],
      [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    );
    this.eligible = gauge('syi_eligible_constituents', 'Constituents in the latest calculation');
    this.weight = gauge('syi_constituent_weight', 'Weight of each constituent', ['symbol']);
    this.ray = gauge('syi_constituent_ray', 'Risk-adjusted yield of each constituent (percent)', ['symbol']);
  }
}
