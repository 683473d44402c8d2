/** Prometheus configuration, alert rules and their unit tests, Grafana dashboards and provisioning. */
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { APPS } from '../src/catalog';
import { DASHBOARDS } from '../src/dashboards';
import { repoPath } from '../src/paths';
import { documentedMetrics, metricNames } from '../src/promql';
import { TOOL_TIMEOUT, runOk } from './tools';

interface AlertRule {
  alert: string;
  record?: undefined;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: Record<string, string>;
}
interface RecordingRule {
  record: string;
  alert?: undefined;
  expr: string;
}
interface RulesFile {
  groups: { name: string; rules: (AlertRule | RecordingRule)[] }[];
}
interface RuleTests {
  tests: {
    name: string;
    alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[];
    promql_expr_test?: { expr: string }[];
  }[];
}

const readYaml = <T>(path: string): T => parse(readFileSync(repoPath(path), 'utf8')) as T;
const allRules = (): (AlertRule | RecordingRule)[] =>
  readYaml<RulesFile>('monitoring/rules/stableyield.rules.yml').groups.flatMap((g) => g.rules);
const rules = (): AlertRule[] => allRules().filter((r): r is AlertRule => r.alert !== undefined);

interface Dashboard {
  uid: string;
  title: string;
  panels: {
    type: string;
    title: string;
    datasource?: { uid: string };
    targets?: { expr: string; datasource?: { uid: string } }[];
  }[];
}
const dashboardFiles = (): string[] =>
  readdirSync(repoPath('monitoring/grafana/dashboards'))
    .filter((f) => f.endsWith('.json'))
    .sort();
const readDashboard = (file: string): Dashboard =>
  JSON.parse(readFileSync(repoPath('monitoring/grafana/dashboards', file), 'utf8')) as Dashboard;
const queries = (d: Dashboard): string[] => d.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

describe('promtool', () => {
  it.each(['prometheus.yml', 'prometheus.compose.yml', 'prometheus.k8s.yml'])(
    'check config accepts monitoring/%s and its rules',
    (file) => {
      const out = runOk('promtool', ['check', 'config', file], { cwd: repoPath('monitoring') });
      expect(out).toContain(`SUCCESS: ${file} is valid prometheus config file syntax`);
      expect(out).toMatch(/SUCCESS: \d+ rules found/);
    },
    TOOL_TIMEOUT,
  );

  it(
    'check rules accepts every rule file',
    () => {
      const out = runOk('promtool', ['check', 'rules', 'rules/stableyield.rules.yml'], { cwd: repoPath('monitoring') });
      expect(out).toContain(`SUCCESS: ${allRules().length} rules found`);
    },
    TOOL_TIMEOUT,
  );

  it(
    'test rules passes the rule unit tests',
    () => {
      const out = runOk('promtool', ['test', 'rules', 'tests/stableyield.rules.test.yml'], {
        cwd: repoPath('monitoring'),
      });
      expect(out).toContain('SUCCESS');
    },
    TOOL_TIMEOUT,
  );
});

describe('alert rules', () => {
  it('has a unit test for every alert, showing it both silent and firing', () => {
    const cases = readYaml<RuleTests>('monitoring/tests/stableyield.rules.test.yml').tests.flatMap(
      (t) => t.alert_rule_test ?? [],
    );
    for (const { alert } of rules()) {
      const mine = cases.filter((c) => c.alertname === alert);
      expect({
        alert,
        silent: mine.some((c) => c.exp_alerts.length === 0),
        firing: mine.some((c) => c.exp_alerts.length > 0),
      }).toEqual({ alert, silent: true, firing: true });
    }
  });

  it('has a unit test of every recording rule', () => {
    const exprs = readYaml<RuleTests>('monitoring/tests/stableyield.rules.test.yml').tests.flatMap((t) =>
      (t.promql_expr_test ?? []).map((e) => e.expr),
    );
    const recorded = allRules().flatMap((r) => (r.record !== undefined ? [r.record] : []));
    expect(recorded).toEqual(['index_updates_per_minute', 'data_quality_score']);
    for (const name of recorded) expect({ name, tested: exprs.includes(name) }).toEqual({ name, tested: true });
  });

  interface Required {
    alert: string;
    parts: string[];
    forDuration?: string;
    severity?: string;
  }
  it.each<Required>([
    { alert: 'OracleStale', parts: ['last_update_age_seconds', '> 90'], severity: 'warning' },
    { alert: 'OracleStale', parts: ['last_update_age_seconds', '> 300'], severity: 'critical' },
    { alert: 'DatabasePoolSaturated', parts: ['timescaledb_connection_pool_usage', '> 0.8'], forDuration: '5m' },
    { alert: 'HermesSSEDisconnected', parts: ['sse_connection_status', '== 0'], forDuration: '5m' },
    { alert: 'KeeperTransactionFailureRate', parts: ['keeper_transactions_total', '> 0.05'] },
    { alert: 'KeeperWalletBalanceLow', parts: ['keeper_wallet_balance_eth < keeper_wallet_balance_floor_eth'] },
    { alert: 'GasPriceHigh', parts: ['gas_cost_gwei', '> 100'] },
    { alert: 'SYIStale', parts: ['syi_last_published_timestamp_seconds', '> 300'], severity: 'critical' },
    {
      alert: 'SYICalculationSlow',
      parts: ['histogram_quantile(0.95', 'syi_calculation_latency_seconds_bucket', '> 5'],
    },
    { alert: 'SYIDataIncomplete', parts: ['syi_data_completeness_ratio', '< 0.95'] },
    {
      alert: 'SYIVerificationMismatch',
      parts: ['syi_verified_records_total{result="mismatch"}', '> 0'],
      severity: 'critical',
    },
    { alert: 'SYIVerificationLagging', parts: ['syi_verification_lag_seconds', '> 300'], forDuration: '5m' },
    { alert: 'KafkaConsumerLagHigh', parts: ['kafka_consumer_lag', '> 5000'] },
    {
      alert: 'DatabaseConnectionErrors',
      parts: ['increase(db_connection_errors_total[5m])', '> 10'],
      severity: 'critical',
    },
    {
      alert: 'APILatencyHigh',
      parts: ['histogram_quantile(0.95', 'http_request_duration_seconds_bucket{job="api"}', '> 0.5'],
    },
  ])('defines $alert ($severity) as the issue asks', ({ alert, parts, forDuration, severity }) => {
    const rule = rules().find((r) => r.alert === alert && (severity === undefined || r.labels.severity === severity));
    expect(rule).toBeDefined();
    for (const part of parts) expect(rule!.expr).toContain(part);
    if (forDuration !== undefined) expect(rule!.for).toBe(forDuration);
    if (severity !== undefined) expect(rule!.labels.severity).toBe(severity);
    expect(rule!.annotations.summary).toBeTruthy();
  });
});

describe('metrics contract (docs/metrics.md)', () => {
  const documented = documentedMetrics(readFileSync(repoPath('docs/metrics.md'), 'utf8'));

  it('documents the metric names the apps must export', () => {
    for (const name of [
      'syi_value',
      'kafka_consumer_lag',
      'keeper_transactions_total',
      'websocket_active_connections',
      'app_main_loop_last_progress_seconds',
    ]) {
      expect(documented.has(name)).toBe(true);
    }
  });

  it('lists every metric an alert rule uses', () => {
    const recorded = new Set(allRules().flatMap((r) => (r.record !== undefined ? [r.record] : [])));
    const used = new Set(
      allRules()
        .flatMap((r) => [...metricNames(r.expr)])
        .filter((m) => !recorded.has(m)),
    );
    expect([...used].filter((m) => !documented.has(m))).toEqual([]);
    expect(used.size).toBeGreaterThan(10);
  });

  it.each(dashboardFiles())('lists every metric dashboard %s uses', (file) => {
    const used = new Set(queries(readDashboard(file)).flatMap((q) => [...metricNames(q)]));
    expect([...used].filter((m) => !documented.has(m))).toEqual([]);
    expect(used.size).toBeGreaterThan(3);
  });
});

describe('prometheus configurations', () => {
  /** Health ports of docs/ports.md: | process | main port | health/metrics port |. */
  function documentedHealthPorts(): Map<string, number> {
    const ports = new Map<string, number>();
    for (const line of readFileSync(repoPath('docs/ports.md'), 'utf8').split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      const name = /^([a-z-]+)/.exec(cells[1] ?? '')?.[1];
      const port = Number(cells[3]);
      if (name !== undefined && Number.isInteger(port) && port > 0) ports.set(name, port);
    }
    return ports;
  }

  interface PromConfig {
    scrape_configs: {
      job_name: string;
      static_configs?: { targets: string[] }[];
      dns_sd_configs?: { names: string[]; port: number }[];
    }[];
  }

  it('scrapes every app locally at the health port of docs/ports.md, job named after the app', () => {
    const ports = documentedHealthPorts();
    const jobs = readYaml<PromConfig>('monitoring/prometheus.yml').scrape_configs;
    for (const app of APPS) {
      expect(ports.get(app.name)).toBeDefined();
      const job = jobs.find((j) => j.job_name === app.name);
      expect(job?.static_configs?.[0]?.targets).toEqual([`127.0.0.1:${String(ports.get(app.name))}`]);
    }
  });

  it('scrapes every app in docker-compose and every deployed app on Kubernetes', () => {
    const compose = readYaml<PromConfig>('monitoring/prometheus.compose.yml').scrape_configs;
    const k8s = readYaml<PromConfig>('monitoring/prometheus.k8s.yml').scrape_configs;
    for (const app of APPS) {
      expect(compose.find((j) => j.job_name === app.name)?.static_configs?.[0]?.targets).toEqual([
        `${app.name}:${String(app.healthPort)}`,
      ]);
      if (app.devOnly === true) continue;
      expect(k8s.find((j) => j.job_name === app.name)?.dns_sd_configs?.[0]).toEqual({
        names: [`${app.name}-metrics.stableyield.svc.cluster.local`],
        type: 'A',
        port: app.healthPort,
      });
    }
  });
});

describe('grafana', () => {
  interface Datasources {
    datasources: { uid: string; type: string; url: string }[];
  }
  interface Providers {
    providers: { options: { path: string } }[];
  }
  const datasourceUids = (): Set<string> =>
    new Set(
      readYaml<Datasources>('monitoring/grafana/provisioning/datasources/prometheus.yml').datasources.map((d) => d.uid),
    );

  it('provisions a Prometheus data source and loads dashboards from the path compose and Kubernetes mount', () => {
    const ds = readYaml<Datasources>('monitoring/grafana/provisioning/datasources/prometheus.yml').datasources;
    expect(ds).toEqual([
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const path = readYaml<Providers>('monitoring/grafana/provisioning/dashboards/stableyield.yml').providers[0]!.options
      .path;
    expect(readFileSync(repoPath('docker-compose.yml'), 'utf8')).toContain(
      `./monitoring/grafana/dashboards:${path}:ro`,
    );
    expect(readFileSync(repoPath('k8s/base/monitoring/grafana.yaml'), 'utf8')).toContain(`mountPath: ${path}\n`);
  });

  it('ships the four dashboards, each with a unique uid', () => {
    expect(dashboardFiles()).toEqual(['keeper.json', 'pipeline.json', 'serving.json', 'syi.json']);
    const uids = dashboardFiles().map((f) => readDashboard(f).uid);
    expect(new Set(uids).size).toBe(uids.length);
    expect(DASHBOARDS).toHaveLength(4);
  });

  it.each(dashboardFiles())('%s parses and every query uses a provisioned data source', (file) => {
    const d = readDashboard(file);
    const uids = datasourceUids();
    const panels = d.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThan(3);
    for (const p of panels) {
      expect({ panel: p.title, uid: uids.has(p.datasource?.uid ?? '') }).toEqual({ panel: p.title, uid: true });
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) {
        expect(t.expr.trim().length).toBeGreaterThan(0);
        expect(uids.has(t.datasource?.uid ?? '')).toBe(true);
      }
    }
  });

  it.each([
    [
      'syi.json',
      [
        'syi_value',
        'syi_rpl',
        'syi_eligible_constituents',
        'syi_constituent_weight',
        'syi_constituent_ray',
        'syi_data_completeness_ratio',
        'syi_last_published_timestamp_seconds',
        'index_updates_per_minute',
        'data_quality_score',
      ],
    ],
    [
      'keeper.json',
      [
        'keeper_onchain_price',
        'keeper_hermes_price',
        'price_updates_total',
        'keeper_transactions_total',
        'gas_cost_gwei',
        'tx_latency_seconds',
        'keeper_wallet_balance_eth',
      ],
    ],
    [
      'pipeline.json',
      [
        'kafka_messages_produced_total',
        'kafka_consumer_lag',
        'processor_evaluation_latency_seconds',
        'dlq_records_total',
        'processor_late_events_total',
        'processor_transaction_duration_seconds',
        'timescaledb_connection_pool_usage',
      ],
    ],
    [
      'serving.json',
      ['api_requests_total', 'http_request_duration_seconds', 'websocket_active_connections', 'websocket_subscribers'],
    ],
  ])('%s shows what the issue lists', (file, metrics) => {
    const used = new Set(queries(readDashboard(file)).flatMap((q) => [...metricNames(q)]));
    for (const m of metrics) expect({ metric: m, shown: used.has(m) }).toEqual({ metric: m, shown: true });
  });

  it('is deployed on Kubernetes from these very files', () => {
    const k = readYaml<{ configMapGenerator: { name: string; files: string[] }[] }>('monitoring/kustomization.yaml');
    const files = k.configMapGenerator.flatMap((g) => g.files.map((f) => f.split('=').pop()!));
    for (const d of dashboardFiles()) expect(files).toContain(`grafana/dashboards/${d}`);
    expect(files).toEqual(expect.arrayContaining(['rules/stableyield.rules.yml', 'prometheus.k8s.yml']));
  });
});
