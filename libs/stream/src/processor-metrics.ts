import { Counter, Gauge, Histogram, type Registry } from '@stableyield/observability';

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
    const registers = [registry];
    this.recordsIn = new Counter({
      name: 'processor_records_in_total',
      help: 'Input records processed',
      labelNames: ['processor', 'topic'],
      registers,
    });
    this.recordsOut = new Counter({
      name: 'processor_records_out_total',
      help: 'Output records produced',
      labelNames: ['processor', 'topic'],
      registers,
    });
    this.evaluationLatency = new Histogram({
      name: 'processor_evaluation_latency_seconds',
      help: 'Grid time T to the commit of the record for T',
      labelNames: ['processor'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.watermarkLag = new Gauge({
      name: 'processor_watermark_lag_seconds',
      help: 'Wall clock minus the watermark',
      labelNames: ['processor'],
      registers,
    });
    this.lateEvents = new Counter({
      name: 'processor_late_events_total',
      help: 'Events older than the watermark allows (sent to the DLQ)',
      labelNames: ['processor', 'topic'],
      registers,
    });
    this.transactionAborts = new Counter({
      name: 'processor_transaction_aborts_total',
      help: 'Aborted Kafka transactions',
      labelNames: ['processor'],
      registers,
    });
    // Our counterpart of flink_checkpoint_duration: one commit writes the outputs, the dead letters and the checkpoint.
    this.transactionDuration = new Histogram({
      name: 'processor_transaction_duration_seconds',
      help: 'Kafka transaction begin to commit (outputs, dead letters and the checkpoint)',
      labelNames: ['processor'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
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
    const registers = [registry];
    this.value = new Gauge({ name: 'syi_value', help: 'Latest SYI value (percent)', registers });
    this.rpl = new Gauge({ name: 'syi_rpl', help: 'Latest risk premium over the T-bill (percent)', registers });
    this.lastPublished = new Gauge({
      name: 'syi_last_published_timestamp_seconds',
      help: 'Unix time the latest syi.calculated record was produced',
      registers,
    });
    this.completeness = new Gauge({
      name: 'syi_data_completeness_ratio',
      help: 'Share of constituents eligible in the latest calculation',
      registers,
    });
    this.calculationLatency = new Histogram({
      name: 'syi_calculation_latency_seconds',
      help: 'Time to compute one index value',
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers,
    });
    this.eligible = new Gauge({
      name: 'syi_eligible_constituents',
      help: 'Constituents in the latest calculation',
      registers,
    });
    this.weight = new Gauge({
      name: 'syi_constituent_weight',
      help: 'Weight of each constituent',
      labelNames: ['symbol'],
      registers,
    });
    this.ray = new Gauge({
      name: 'syi_constituent_ray',
      help: 'Risk-adjusted yield of each constituent (percent)',
      labelNames: ['symbol'],
      registers,
    });
  }
}
