/**
 * The Grafana dashboards, built from short panel descriptions and committed as JSON under
 * monitoring/grafana/dashboards (generate-cli.ts). Every query uses the Prometheus data
 * source provisioned with uid `prometheus`; metric names come from docs/metrics.md.
 */

export const DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;

interface PanelSpec {
  readonly title: string;
  readonly type: 'timeseries' | 'stat' | 'gauge' | 'bargauge' | 'table';
  readonly queries: readonly { readonly expr: string; readonly legend?: string; readonly instant?: boolean }[];
  readonly unit?: string;
  readonly width?: number;
  readonly description?: string;
  readonly thresholds?: readonly { readonly value: number | null; readonly color: string }[];
}

interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly rows: readonly { readonly title: string; readonly panels: readonly PanelSpec[] }[];
}

const PANEL_HEIGHT = 8;

function panelJson(spec: PanelSpec, id: number, x: number, y: number): Record<string, unknown> {
  const thresholds = spec.thresholds ?? [{ value: null, color: 'green' }];
  return {
    id,
    type: spec.type,
    title: spec.title,
    ...(spec.description !== undefined ? { description: spec.description } : {}),
    datasource: DATASOURCE,
    gridPos: { h: PANEL_HEIGHT, w: spec.width ?? 12, x, y },
    fieldConfig: {
      defaults: { unit: spec.unit ?? 'short', thresholds: { mode: 'absolute', steps: thresholds } },
      overrides: [],
    },
    options: {},
    targets: spec.queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr: q.expr,
      legendFormat: q.legend ?? '__auto',
      ...(q.instant === true ? { instant: true, range: false } : {}),
    })),
  };
}

export function dashboardJson(spec: DashboardSpec): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    for (const p of row.panels) {
      const w = p.width ?? 12;
      if (x + w > 24) {
        x = 0;
        y += PANEL_HEIGHT;
      }
      panels.push(panelJson(p, id++, x, y));
      x += w;
    }
    y += PANEL_HEIGHT;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['stableyield'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    editable: true,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [] },
    annotations: { list: [] },
    panels,
  };
}

type Query = PanelSpec['queries'][number];
type Thresholds = NonNullable<PanelSpec['thresholds']>;
type PanelOptions = Pick<PanelSpec, 'unit' | 'width' | 'description' | 'thresholds'>;

/** One query of a panel: its PromQL and legend (instant: the latest value only). */
const q = (expr: string, legend: string, instant?: true): Query =>
  instant ? { expr, legend, instant } : { expr, legend };

/** Threshold steps: the colour from the bottom, then `[value, colour]` from each value up. */
const steps = (base: string, ...above: readonly (readonly [number, string])[]): Thresholds => [
  { value: null, color: base },
  ...above.map(([value, color]) => ({ value, color })),
];

/** A panel builder of one type: `timeseries(title, query or queries, { unit, width, thresholds })`. */
const panelOf =
  (type: PanelSpec['type']) =>
  (title: string, queries: Query | readonly Query[], options: PanelOptions = {}): PanelSpec => ({
    title,
    type,
    queries: Array.isArray(queries) ? queries : [queries as Query],
    ...options,
  });

const timeseries = panelOf('timeseries');
const stat = panelOf('stat');
const gauge = panelOf('gauge');
const bargauge = panelOf('bargauge');

/** The `level` quantile of a histogram over 5 minutes, per `by` (a label list) when given. */
const quantile = (level: number, metric: string, by = '', selector = ''): string =>
  `histogram_quantile(${level}, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket${selector}[5m])))`;
const p95 = (metric: string, by = '', selector = ''): string => quantile(0.95, metric, by, selector);

const SECONDS = { unit: 's' } as const;
const OPS = { unit: 'ops' } as const;
const NONE = { unit: 'none' } as const;
const RATIO = { unit: 'percentunit' } as const;
const COMPLETE = steps('red', [0.95, 'green']);

export const DASHBOARDS: readonly DashboardSpec[] = [
  {
    uid: 'stableyield-syi',
    title: 'StableYield — SYI index',
    description: 'The StableYield Index: value, risk premium, constituents, weights, data completeness and freshness.',
    rows: [
      {
        title: 'Index',
        panels: [
          stat('SYI', q('max(syi_value)', 'SYI'), { width: 6, unit: 'percent' }),
          stat('RPL', q('max(syi_rpl)', 'RPL'), { width: 6, unit: 'percent' }),
          stat('Freshness (age of the latest value)', q('time() - max(syi_last_published_timestamp_seconds)', 'age'), {
            width: 6,
            unit: 's',
            thresholds: steps('green', [60, 'orange'], [300, 'red']),
          }),
          gauge('Data completeness', q('min(syi_data_completeness_ratio)', 'completeness'), {
            width: 6,
            unit: 'percentunit',
            thresholds: COMPLETE,
          }),
          timeseries('SYI and RPL over time', [q('max(syi_value)', 'SYI'), q('max(syi_rpl)', 'RPL')], {
            width: 24,
            unit: 'percent',
          }),
        ],
      },
      {
        title: 'Constituents',
        panels: [
          timeseries('Eligible constituents', q('max(syi_eligible_constituents)', 'constituents')),
          bargauge('Weights', q('max by (symbol) (syi_constituent_weight)', '{{symbol}}', true), RATIO),
          timeseries('Risk-adjusted yield per constituent', q('max by (symbol) (syi_constituent_ray)', '{{symbol}}'), {
            width: 24,
            unit: 'percent',
          }),
        ],
      },
      {
        title: 'Calculation',
        panels: [
          timeseries('Calculation latency p95', q(p95('syi_calculation_latency_seconds'), 'p95'), SECONDS),
          timeseries('Completeness over time', q('min(syi_data_completeness_ratio)', 'completeness'), RATIO),
          timeseries('Index updates per minute', q('index_updates_per_minute', 'updates/min')),
          timeseries('Data quality score', q('data_quality_score', 'score'), { ...RATIO, thresholds: COMPLETE }),
        ],
      },
      {
        title: 'Independent verification (auditor)',
        panels: [
          stat('Accuracy deviation of the last record checked', q('max(syi_accuracy_deviation)', 'deviation'), {
            width: 8,
            unit: 'percentunit',
          }),
          stat('Verification lag', q('max(syi_verification_lag_seconds)', 'lag'), { width: 8, unit: 's' }),
          stat(
            'Mismatches (1 h)',
            q('sum(increase(syi_verified_records_total{result="mismatch"}[1h]))', 'mismatches'),
            {
              width: 8,
            },
          ),
          timeseries(
            'Records checked per minute by result',
            q('sum by (result) (rate(syi_verified_records_total[5m])) * 60', '{{result}}'),
            { width: 24 },
          ),
        ],
      },
    ],
  },
  {
    uid: 'stableyield-keeper',
    title: 'StableYield — keeper',
    description:
      'The keeper: on-chain versus Hermes prices, pushes, transactions, gas, latency and wallet ' +
      'balance; the SYI feed it publishes.',
    rows: [
      {
        title: 'Prices',
        panels: [
          timeseries(
            'On-chain vs Hermes',
            [
              q('max by (feed) (keeper_onchain_price)', 'on-chain {{feed}}'),
              q('max by (feed) (keeper_hermes_price)', 'Hermes {{feed}}'),
            ],
            { width: 24 },
          ),
          timeseries('Deviation Hermes vs on-chain', q('max by (feed) (price_change_percent)', '{{feed}}'), {
            unit: 'percent',
          }),
          timeseries('Age of the on-chain price', q('max by (feed) (last_update_age_seconds)', '{{feed}}'), {
            ...SECONDS,
            thresholds: steps('green', [90, 'orange'], [300, 'red']),
          }),
        ],
      },
      {
        title: 'Pushes',
        panels: [
          timeseries('Feeds updated per minute', q('sum by (feed) (rate(price_updates_total[5m])) * 60', '{{feed}}')),
          timeseries(
            'Transactions by outcome',
            q('sum by (outcome) (rate(keeper_transactions_total[5m])) * 60', '{{outcome}}'),
          ),
          timeseries(
            'Transaction latency p50 / p95',
            [q(quantile(0.5, 'tx_latency_seconds'), 'p50'), q(p95('tx_latency_seconds'), 'p95')],
            SECONDS,
          ),
          timeseries('Hermes connection (1 = connected)', [
            q('sse_connection_status{job="keeper"}', '{{instance}}'),
            q('keeper_is_active', 'active {{instance}}'),
          ]),
        ],
      },
      {
        title: 'Cost',
        panels: [
          timeseries('Gas price', q('max(gas_cost_gwei)', 'gwei'), {
            ...NONE,
            thresholds: steps('green', [100, 'red']),
          }),
          timeseries(
            'Wallet balance and floor',
            [
              q('max(keeper_wallet_balance_eth)', 'balance (ETH)'),
              q('max(keeper_wallet_balance_floor_eth)', 'floor (ETH)'),
            ],
            NONE,
          ),
        ],
      },
      {
        // docs/keeper.md, "The SYI feed"; SYIOnchainStale fires at 4500 s.
        title: 'SYI feed (on-chain)',
        panels: [
          timeseries('Age of the on-chain SYI', q('min(syi_onchain_age_seconds)', 'age'), {
            ...SECONDS,
            thresholds: steps('green', [3600, 'orange'], [4500, 'red']),
          }),
          timeseries('SYI deviation from on-chain (bps)', q('max(syi_onchain_deviation_bps)', 'deviation'), NONE),
          timeseries(
            'SYI publishes per hour by trigger',
            q('sum by (trigger) (increase(syi_onchain_publishes_total[1h]))', '{{trigger}}'),
            NONE,
          ),
          timeseries(
            'SYI round and publish errors',
            [
              q('max(syi_onchain_round)', 'round'),
              q('sum by (kind) (increase(syi_onchain_publish_errors_total[1h]))', 'errors {{kind}}'),
            ],
            NONE,
          ),
        ],
      },
    ],
  },
  {
    uid: 'stableyield-pipeline',
    title: 'StableYield — pipeline',
    description:
      'Kafka pipeline health: throughput, consumer lag, processing latency, dead letters and late events per topic.',
    rows: [
      {
        title: 'Throughput',
        panels: [
          timeseries(
            'Produced records/s by topic',
            q('sum by (topic) (rate(kafka_messages_produced_total[5m]))', '{{topic}}'),
            OPS,
          ),
          timeseries(
            'Consumed records/s by topic',
            q('sum by (topic) (rate(kafka_messages_consumed_total[5m]))', '{{topic}}'),
            OPS,
          ),
          timeseries(
            'Upstream fetches by source and outcome',
            q('sum by (source, outcome) (rate(ingest_fetch_total[5m]))', '{{source}} {{outcome}}'),
            OPS,
          ),
          timeseries(
            'Hermes events/s and reconnects',
            [
              q('sum(rate(hermes_events_received_total[5m]))', 'events'),
              q('sum(rate(hermes_reconnects_total[5m]))', 'reconnects'),
              q('max(hermes_failover_active)', 'failover active'),
            ],
            OPS,
          ),
          timeseries(
            'Rows written/s by sink and table',
            q('sum by (sink, table) (rate(sink_rows_written_total[5m]))', '{{sink}} {{table}}'),
            { ...OPS, width: 24 },
          ),
        ],
      },
      {
        title: 'Lag and latency',
        panels: [
          timeseries(
            'Consumer lag by group and topic',
            q('sum by (group, topic) (max by (group, topic, partition) (kafka_consumer_lag))', '{{group}} {{topic}}'),
            { thresholds: steps('green', [5000, 'red']) },
          ),
          timeseries(
            'Watermark lag by processor',
            q('max by (processor) (processor_watermark_lag_seconds)', '{{processor}}'),
            SECONDS,
          ),
          timeseries(
            'Evaluation latency p95 by processor',
            q(p95('processor_evaluation_latency_seconds', 'processor'), '{{processor}}'),
            SECONDS,
          ),
          timeseries('Sink batch duration p95', q(p95('sink_batch_duration_seconds', 'sink'), '{{sink}}'), SECONDS),
          timeseries(
            'Upstream fetch duration p95',
            q(p95('ingest_fetch_duration_seconds', 'source'), '{{source}}'),
            SECONDS,
          ),
          timeseries('Hermes last event age', q('max(hermes_last_event_age_seconds)', 'age'), SECONDS),
        ],
      },
      {
        title: 'Errors',
        panels: [
          timeseries(
            'Dead-lettered records by topic and reason',
            q('sum by (topic, reason) (increase(dlq_records_total[5m]))', '{{topic}} {{reason}}'),
          ),
          timeseries(
            'Late events by topic',
            q('sum by (topic) (increase(processor_late_events_total[5m]))', '{{topic}}'),
          ),
          timeseries(
            'Aborted transactions by processor',
            q('sum by (processor) (increase(processor_transaction_aborts_total[5m]))', '{{processor}}'),
          ),
          timeseries(
            'Transaction (checkpoint) duration p95 by processor',
            q(p95('processor_transaction_duration_seconds', 'processor'), '{{processor}}'),
            SECONDS,
          ),
          timeseries(
            'TimescaleDB pool usage by pool',
            q('max by (pool) (timescaledb_connection_pool_usage)', '{{pool}}'),
            { ...RATIO, thresholds: steps('green', [0.8, 'red']) },
          ),
          timeseries('Sink retries and DB connection errors', [
            q('sum by (sink) (increase(sink_retries_total[5m]))', 'retries {{sink}}'),
            q('sum by (sink) (increase(db_connection_errors_total[5m]))', 'connection errors {{sink}}'),
          ]),
        ],
      },
    ],
  },
  {
    uid: 'stableyield-serving',
    title: 'StableYield — serving',
    description: 'REST API and WebSocket gateway: request rate, latency, errors and connections.',
    rows: [
      {
        title: 'REST API',
        panels: [
          timeseries('Requests/s by route', q('sum by (route) (rate(api_requests_total[5m]))', '{{route}}'), {
            unit: 'reqps',
          }),
          timeseries(
            'Latency p95 by route',
            q(p95('http_request_duration_seconds', 'route', '{job="api"}'), '{{route}}'),
            { ...SECONDS, thresholds: steps('green', [0.5, 'red']) },
          ),
          timeseries(
            'Error ratio (5xx)',
            q('sum(rate(api_requests_total{status=~"5.."}[5m])) / sum(rate(api_requests_total[5m]))', '5xx'),
            RATIO,
          ),
          timeseries('Responses by status', q('sum by (status) (rate(api_requests_total[5m]))', '{{status}}'), {
            unit: 'reqps',
          }),
        ],
      },
      {
        title: 'WebSocket',
        panels: [
          timeseries('Active connections by pod', [
            q('sum by (instance) (websocket_active_connections)', '{{instance}}'),
            q('sum(websocket_active_connections)', 'total'),
          ]),
          timeseries('Messages sent/s', q('sum(rate(websocket_messages_sent_total[5m]))', 'sent'), OPS),
          timeseries(
            'Clients dropped by reason',
            q('sum by (reason) (increase(websocket_clients_dropped_total[5m]))', '{{reason}}'),
          ),
          timeseries('Fan-out latency p95', q(p95('websocket_fanout_latency_seconds'), 'p95'), SECONDS),
          timeseries('Subscribers by channel', q('sum by (channel) (websocket_subscribers)', '{{channel}}')),
        ],
      },
    ],
  },
];

export function dashboardFiles(): Map<string, string> {
  return new Map(
    DASHBOARDS.map((d) => [
      `monitoring/grafana/dashboards/${d.uid.replace('stableyield-', '')}.json`,
      JSON.stringify(dashboardJson(d), null, 2) + '\n',
    ]),
  );
}
