import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exposedMetricNames, fileSdDirectory, missingMetrics, usedMetrics } from './metrics-contract';
import { repoPath } from './paths';

describe('exposedMetricNames', () => {
  it('reads HELP/TYPE lines and samples, mapping histogram series to their base name', () => {
    const text = [
      '# HELP syi_value Latest SYI value',
      '# TYPE syi_value gauge',
      '# HELP registered_only_total no samples yet',
      '# TYPE registered_only_total counter',
      'syi_value{app="processor-syi"} 4.2',
      'tx_latency_seconds_bucket{le="0.5",app="keeper"} 3',
      'tx_latency_seconds_sum{app="keeper"} 1.5',
      'bare_gauge 1',
      '# a comment that names_nothing',
      '',
    ].join('\n');
    expect([...exposedMetricNames(text)].sort()).toEqual([
      'bare_gauge',
      'registered_only_total',
      'syi_value',
      'tx_latency_seconds',
      'tx_latency_seconds_bucket',
      'tx_latency_seconds_sum',
    ]);
  });
});

describe('usedMetrics and missingMetrics', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'metrics-contract-'));
    mkdirSync(join(dir, 'rules'));
    mkdirSync(join(dir, 'grafana', 'dashboards'), { recursive: true });
    writeFileSync(
      join(dir, 'rules', 'a.rules.yml'),
      [
        'groups:',
        '  - name: g',
        '    rules:',
        '      - record: job:foo_total:rate5m',
        '        expr: sum by (job) (rate(foo_total[5m]))',
        '      - alert: FooHigh',
        '        expr: job:foo_total:rate5m > 1 or up == 0',
        '      - alert: BarSlow',
        '        expr: histogram_quantile(0.95, sum by (le) (rate(bar_seconds_bucket[5m]))) > 1',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'grafana', 'dashboards', 'd.json'),
      JSON.stringify({
        panels: [
          { type: 'row', title: 'r' },
          { title: 'Baz', targets: [{ expr: 'max(baz_ratio{job="x"})' }] },
        ],
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('collects names with where they are used, and recording-rule names apart', () => {
    const used = usedMetrics(dir);
    expect([...used.used.keys()].sort()).toEqual([
      'bar_seconds',
      'baz_ratio',
      'foo_total',
      'job:foo_total:rate5m',
      'up',
    ]);
    expect(used.used.get('baz_ratio')).toEqual(['dashboards/d.json: Baz']);
    expect([...used.recorded]).toEqual(['job:foo_total:rate5m']);
  });

  it('reports what no app exposes, ignoring recorded and Prometheus-provided series', () => {
    const used = usedMetrics(dir);
    expect(missingMetrics(used, new Set(['foo_total', 'bar_seconds']))).toEqual([
      { name: 'baz_ratio', usedIn: ['dashboards/d.json: Baz'] },
    ]);
    expect(missingMetrics(used, new Set(['foo_total', 'bar_seconds', 'baz_ratio']))).toEqual([]);
  });

  it('finds the names the committed rules and dashboards use', () => {
    const used = usedMetrics(repoPath('monitoring'));
    expect(used.used.has('syi_value')).toBe(true);
    expect(used.used.has('kafka_consumer_lag')).toBe(true);
    expect(used.used.size).toBeGreaterThan(30);
  });
});

describe('fileSdDirectory', () => {
  const staticJob = '  - job_name: prometheus\n    static_configs: [{ targets: ["127.0.0.1:9091"] }]';
  const fileSdJob = '  - job_name: apps\n    file_sd_configs:\n      - files: ["/srv/stack/prometheus/targets/*.json"]';
  const scrapeConfigs = (...jobs: string[]): string => ['scrape_configs:', ...jobs].join('\n') + '\n';

  it('finds the folder of the first file_sd_configs glob of JSON files', () => {
    expect(fileSdDirectory(scrapeConfigs(staticJob, fileSdJob))).toBe('/srv/stack/prometheus/targets');
  });

  it('is undefined when Prometheus discovers no files', () => {
    expect(fileSdDirectory(scrapeConfigs(staticJob))).toBeUndefined();
  });
});
