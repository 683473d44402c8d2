import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A registry per app with `app` as default label and the Node.js default metrics. */
export function createMetricsRegistry(app: string, options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  return registry;
}

/** Buckets in seconds for latencies from sub-millisecond to tens of seconds. */
export const LATENCY_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Read when Prometheus scrapes, with the metric as `this` (prom-client's `collect`). */
export type Collect<M> = (this: M) => void | Promise<void>;

/** Metrics registered in one registry, each declared in one call: name, help, then the label names (and buckets). */
export interface MetricsFactory {
  // Function-typed properties, not methods: callers destructure them (`const { counter } = metricsOf(registry)`).
  readonly counter: <T extends string = string>(name: string, help: string, labelNames?: readonly T[]) => Counter<T>;
  readonly gauge: <T extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly T[],
    collect?: Collect<Gauge<T>>,
  ) => Gauge<T>;
  /** Buckets in seconds, LATENCY_BUCKETS_SECONDS unless given. */
  readonly histogram: <T extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly T[],
    buckets?: number[],
  ) => Histogram<T>;
}

/** The factory of metrics registered in `registry` only (never in prom-client's global registry). */
export function metricsOf(registry: Registry): MetricsFactory {
  const registers = [registry];
  return {
    counter: (name, help, labelNames = []) => new Counter({ name, help, labelNames, registers }),
    gauge: (name, help, labelNames = [], collect) =>
      new Gauge({ name, help, labelNames, registers, ...(collect === undefined ? {} : { collect }) }),
    histogram: (name, help, labelNames = [], buckets = LATENCY_BUCKETS_SECONDS) =>
      new Histogram({ name, help, labelNames, buckets, registers }),
  };
}
