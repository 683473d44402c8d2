import { Registry, register as globalRegistry } from 'prom-client';
import { LATENCY_BUCKETS_SECONDS, metricsOf } from './metrics';

describe('metricsOf', () => {
  it('registers a counter with its name, help and labels in the given registry only', async () => {
    const registry = new Registry();
    const counter = metricsOf(registry).counter('things_total', 'Things seen, by kind', ['kind']);
    counter.inc({ kind: 'a' }, 2);

    expect(registry.getSingleMetric('things_total')).toBe(counter);
    expect(globalRegistry.getSingleMetric('things_total')).toBeUndefined();
    expect(await counter.get()).toMatchObject({
      name: 'things_total',
      help: 'Things seen, by kind',
      type: 'counter',
      values: [{ labels: { kind: 'a' }, value: 2 }],
    });
    // @ts-expect-error: the label names are part of the counter's type
    expect(() => counter.inc({ other: 'x' })).toThrow(/label/i);
  });

  it('registers a gauge, without labels by default, with its collect read at scrape time', async () => {
    const registry = new Registry();
    const metrics = metricsOf(registry);
    const plain = metrics.gauge('plain_gauge', 'A plain gauge');
    plain.set(3);
    let reading = 7;
    metrics.gauge('read_gauge', 'Read when scraped', ['feed'], function () {
      this.set({ feed: 'x' }, reading);
    });

    expect(await plain.get()).toMatchObject({ name: 'plain_gauge', help: 'A plain gauge', type: 'gauge' });
    expect(() => plain.set({ feed: 'x' } as never, 1)).toThrow(/label/i);
    const text = await registry.metrics();
    expect(text).toContain('# HELP read_gauge Read when scraped\n# TYPE read_gauge gauge\nread_gauge{feed="x"} 7');
    reading = 8;
    expect(await registry.metrics()).toContain('read_gauge{feed="x"} 8');
    expect(text).toContain('plain_gauge 3');
  });

  it('registers a histogram with its buckets and labels', async () => {
    const registry = new Registry();
    const histogram = metricsOf(registry).histogram('op_seconds', 'One operation', ['op'], [0.1, 1]);
    histogram.observe({ op: 'read' }, 0.003);

    expect(registry.getSingleMetric('op_seconds')).toBe(histogram);
    const { name, help, type, values } = await histogram.get();
    expect({ name, help, type }).toEqual({ name: 'op_seconds', help: 'One operation', type: 'histogram' });
    const les = values
      .filter((v) => v.metricName === 'op_seconds_bucket')
      .map((v) => (v.labels as { le?: unknown }).le);
    expect(les).toEqual([0.1, 1, '+Inf']);
    expect(values.find((v) => v.metricName === 'op_seconds_count')).toMatchObject({ labels: { op: 'read' }, value: 1 });
  });

  it('gives a histogram LATENCY_BUCKETS_SECONDS unless told other buckets', async () => {
    const histogram = metricsOf(new Registry()).histogram('wait_seconds', 'One wait');
    histogram.observe(0.2);

    const les = (await histogram.get()).values
      .filter((v) => v.metricName === 'wait_seconds_bucket')
      .map((v) => (v.labels as { le?: unknown }).le);
    expect(les).toEqual([...LATENCY_BUCKETS_SECONDS, '+Inf']);
  });

  it('refuses a second metric of the same name in one registry, as prom-client does', () => {
    const metrics = metricsOf(new Registry());
    metrics.counter('dup_total', 'first');
    expect(() => metrics.gauge('dup_total', 'second')).toThrow(/already been registered/);
  });
});
