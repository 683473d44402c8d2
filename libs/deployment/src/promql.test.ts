import { documentedMetrics, metricNames } from './promql';

describe('metricNames', () => {
  it('finds metrics and ignores functions, labels, grouping and durations', () => {
    const expr = 'sum by (group, topic) (max by (group, topic, partition) (kafka_consumer_lag{topic="a.b"})) > 5000';
    expect([...metricNames(expr)]).toEqual(['kafka_consumer_lag']);
  });

  it('maps histogram series to the histogram and reads both sides of a binary operation', () => {
    const expr =
      'histogram_quantile(0.95, sum by (le) (rate(syi_calculation_latency_seconds_bucket[5m]))) ' +
      '> 5 or absent(syi_value)';
    expect([...metricNames(expr)].sort()).toEqual(['syi_calculation_latency_seconds', 'syi_value']);
  });

  it('keeps metric names that look like keywords inside longer names', () => {
    expect([...metricNames('time() - app_main_loop_last_progress_seconds > 1e3')]).toEqual([
      'app_main_loop_last_progress_seconds',
    ]);
    expect([...metricNames('a_total / on(job) group_left b_total')].sort()).toEqual(['a_total', 'b_total']);
  });
});

describe('documentedMetrics', () => {
  it('reads the first column of the tables', () => {
    const md =
      '| metric | type |\n|---|---|\n| `foo_total` | counter |\n| `a` / `b` | gauge |\nprose ' +
      '`not_a_metric` and `up`.\n';
    expect([...documentedMetrics(md)].sort()).toEqual(['a', 'b', 'foo_total', 'up']);
  });
});
