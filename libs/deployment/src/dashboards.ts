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

const p95 = (metric: string, by = ''): string =>
  `histogram_quantile(0.95, sum by (le${by ? `, ${by}` : ''}) (rate(${metric}_bucket[5m])))`;

export const DASHBOARDS: readonly DashboardSpec[] = [
  {
    uid: 'stableyield-syi',
    title: 'StableYield — SYI index',
    description: 'The StableYield Index: value, risk premium, constituents, weights, data completeness and freshness.',
    rows: [
      {
        title: 'Index',
        panels: [
          {
            title: 'SYI',
            type: 'stat',
            width: 6,
            unit: 'percent',
            queries: [{ expr: 'max(syi_value)', legend: 'SYI' }],
          },
          { title: 'RPL', type: 'stat', width: 6, unit: 'percent', queries: [{ expr: 'max(syi_rpl)', legend: 'RPL' }] },
          {
            title: 'Freshness (age of the latest value)',
            type: 'stat',
            width: 6,
            unit: 's',
            thresholds: [
              { value: null, color: 'green' },
              { value: 60, color: 'orange' },
              { value: 300, color: 'red' },
            ],
            queries: [{ expr: 'time() - max(syi_last_published_timestamp_seconds)', legend: 'age' }],
          },
          {
            title: 'Data completeness',
            type: 'gauge',
            width: 6,
            unit: 'percentunit',
            thresholds: [
              { value: null, color: 'red' },
              { value: 0.95, color: 'green' },
            ],
            queries: [{ expr: 'min(syi_data_completeness_ratio)', legend: 'completeness' }],
          },
          {
            title: 'SYI and RPL over time',
            type: 'timeseries',
            width: 24,
            unit: 'percent',
            queries: [
              { expr: 'max(syi_value)', legend: 'SYI' },
              { expr: 'max(syi_rpl)', legend: 'RPL' },
            ],
          },
        ],
      },
      {
        title: 'Constituents',
        panels: [
          {
            title: 'Eligible constituents',
            type: 'timeseries',
            queries: [{ expr: 'max(syi_eligible_constituents)', legend: 'constituents' }],
          },
          {
            title: 'Weights',
            type: 'bargauge',
            unit: 'percentunit',
            queries: [{ expr: 'max by (symbol) (syi_constituent_weight)', legend: '{{symbol}}', instant: true }],
          },
          {
            title: 'Risk-adjusted yield per constituent',
            type: 'timeseries',
            width: 24,
            unit: 'percent',
            queries: [{ expr: 'max by (symbol) (syi_constituent_ray)', legend: '{{symbol}}' }],
          },
        ],
      },
      {
        title: 'Calculation',
        panels: [
          {
            title: 'Calculation latency p95',
            type: 'timeseries',
            unit: 's',
            queries: [{ expr: p95('syi_calculation_latency_seconds'), legend: 'p95' }],
          },
          {
            title: 'Completeness over time',
            type: 'timeseries',
            unit: 'percentunit',
            queries: [{ expr: 'min(syi_data_completeness_ratio)', legend: 'completeness' }],
          },
          {
            title: 'Index updates per minute',
            type: 'timeseries',
            queries: [{ expr: 'index_updates_per_minute', legend: 'updates/min' }],
          },
          {
            title: 'Data quality score',
            type: 'timeseries',
            unit: 'percentunit',
            thresholds: [
              { value: null, color: 'red' },
              { value: 0.95, color: 'green' },
            ],
            queries: [{ expr: 'data_quality_score', legend: 'score' }],
          },
        ],
      },
      {
        title: 'Independent verification (auditor)',
        panels: [
          {
            title: 'Accuracy deviation of the last record checked',
            type: 'stat',
            width: 8,
            unit: 'percentunit',
            queries: [{ expr: 'max(syi_accuracy_deviation)', legend: 'deviation' }],
          },
          {
            title: 'Verification lag',
            type: 'stat',
            width: 8,
            unit: 's',
            queries: [{ expr: 'max(syi_verification_lag_seconds)', legend: 'lag' }],
          },
          {
            title: 'Mismatches (1 h)',
            type: 'stat',
            width: 8,
            queries: [
              { expr: 'sum(increase(syi_verified_records_total{result="mismatch"}[1h]))', legend: 'mismatches' },
            ],
          },
          {
            title: 'Records checked per minute by result',
            type: 'timeseries',
            width: 24,
            queries: [{ expr: 'sum by (result) (rate(syi_verified_records_total[5m])) * 60', legend: '{{result}}' }],
          },
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
          {
            title: 'On-chain vs Hermes',
            type: 'timeseries',
            width: 24,
            queries: [
              { expr: 'max by (feed) (keeper_onchain_price)', legend: 'on-chain {{feed}}' },
              { expr: 'max by (feed) (keeper_hermes_price)', legend: 'Hermes {{feed}}' },
            ],
          },
          {
            title: 'Deviation Hermes vs on-chain',
            type: 'timeseries',
            unit: 'percent',
            queries: [{ expr: 'max by (feed) (price_change_percent)', legend: '{{feed}}' }],
          },
          {
            title: 'Age of the on-chain price',
            type: 'timeseries',
            unit: 's',
            thresholds: [
              { value: null, color: 'green' },
              { value: 90, color: 'orange' },
              { value: 300, color: 'red' },
            ],
            queries: [{ expr: 'max by (feed) (last_update_age_seconds)', legend: '{{feed}}' }],
          },
        ],
      },
      {
        title: 'Pushes',
        panels: [
          {
            title: 'Feeds updated per minute',
            type: 'timeseries',
            queries: [{ expr: 'sum by (feed) (rate(price_updates_total[5m])) * 60', legend: '{{feed}}' }],
          },
          {
            title: 'Transactions by outcome',
            type: 'timeseries',
            queries: [{ expr: 'sum by (outcome) (rate(keeper_transactions_total[5m])) * 60', legend: '{{outcome}}' }],
          },
          {
            title: 'Transaction latency p50 / p95',
            type: 'timeseries',
            unit: 's',
            queries: [
              { expr: 'histogram_quantile(0.5, sum by (le) (rate(tx_latency_seconds_bucket[5m])))', legend: 'p50' },
              { expr: p95('tx_latency_seconds'), legend: 'p95' },
            ],
          },
          {
            title: 'Hermes connection (1 = connected)',
            type: 'timeseries',
            queries: [
              { expr: 'sse_connection_status{job="keeper"}', legend: '{{instance}}' },
              { expr: 'keeper_is_active', legend: 'active {{instance}}' },
            ],
          },
        ],
      },
      {
        title: 'Cost',
        panels: [
          {
            title: 'Gas price',
            type: 'timeseries',
            unit: 'none',
            thresholds: [
              { value: null, color: 'green' },
              { value: 100, color: 'red' },
            ],
            queries: [{ expr: 'max(gas_cost_gwei)', legend: 'gwei' }],
          },
          {
            title: 'Wallet balance and floor',
            type: 'timeseries',
            unit: 'none',
            queries: [
              { expr: 'max(keeper_wallet_balance_eth)', legend: 'balance (ETH)' },
              { expr: 'max(keeper_wallet_balance_floor_eth)', legend: 'floor (ETH)' },
            ],
          },
        ],
      },
      {
        // docs/keeper.md, "The SYI feed"; SYIOnchainStale fires at 4500 s.
        title: 'SYI feed (on-chain)',
        panels: [
          {
            title: 'Age of the on-chain SYI',
            type: 'timeseries',
            unit: 's',
            thresholds: [
              { value: null, color: 'green' },
              { value: 3600, color: 'orange' },
              { value: 4500, color: 'red' },
            ],
            queries: [{ expr: 'min(syi_onchain_age_seconds)', legend: 'age' }],
          },
          {
            title: 'SYI deviation from on-chain (bps)',
            type: 'timeseries',
            unit: 'none',
            queries: [{ expr: 'max(syi_onchain_deviation_bps)', legend: 'deviation' }],
          },
          {
            title: 'SYI publishes per hour by trigger',
            type: 'timeseries',
            unit: 'none',
            queries: [{ expr: 'sum by (trigger) (increase(syi_onchain_publishes_total[1h]))', legend: '{{trigger}}' }],
          },
          {
            title: 'SYI round and publish errors',
            type: 'timeseries',
            unit: 'none',
            queries: [
              { expr: 'max(syi_onchain_round)', legend: 'round' },
              { expr: 'sum by (kind) (increase(syi_onchain_publish_errors_total[1h]))', legend: 'errors {{kind}}' },
            ],
          },
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
          {
            title: 'Produced records/s by topic',
            type: 'timeseries',
            unit: 'ops',
            queries: [{ expr: 'sum by (topic) (rate(kafka_messages_produced_total[5m]))', legend: '{{topic}}' }],
          },
          {
            title: 'Consumed records/s by topic',
            type: 'timeseries',
            unit: 'ops',
            queries: [{ expr: 'sum by (topic) (rate(kafka_messages_consumed_total[5m]))', legend: '{{topic}}' }],
          },
          {
            title: 'Upstream fetches by source and outcome',
            type: 'timeseries',
            unit: 'ops',
            queries: [
              { expr: 'sum by (source, outcome) (rate(ingest_fetch_total[5m]))', legend: '{{source}} {{outcome}}' },
            ],
          },
          {
            title: 'Hermes events/s and reconnects',
            type: 'timeseries',
            unit: 'ops',
            queries: [
              { expr: 'sum(rate(hermes_events_received_total[5m]))', legend: 'events' },
              { expr: 'sum(rate(hermes_reconnects_total[5m]))', legend: 'reconnects' },
              { expr: 'max(hermes_failover_active)', legend: 'failover active' },
            ],
          },
          {
            title: 'Rows written/s by sink and table',
            type: 'timeseries',
            width: 24,
            unit: 'ops',
            queries: [
              { expr: 'sum by (sink, table) (rate(sink_rows_written_total[5m]))', legend: '{{sink}} {{table}}' },
            ],
          },
        ],
      },
      {
        title: 'Lag and latency',
        panels: [
          {
            title: 'Consumer lag by group and topic',
            type: 'timeseries',
            thresholds: [
              { value: null, color: 'green' },
              { value: 5000, color: 'red' },
            ],
            queries: [
              {
                expr: 'sum by (group, topic) (max by (group, topic, partition) (kafka_consumer_lag))',
                legend: '{{group}} {{topic}}',
              },
            ],
          },
          {
            title: 'Watermark lag by processor',
            type: 'timeseries',
            unit: 's',
            queries: [{ expr: 'max by (processor) (processor_watermark_lag_seconds)', legend: '{{processor}}' }],
          },
          {
            title: 'Evaluation latency p95 by processor',
            type: 'timeseries',
            unit: 's',
            queries: [{ expr: p95('processor_evaluation_latency_seconds', 'processor'), legend: '{{processor}}' }],
          },
          {
            title: 'Sink batch duration p95',
            type: 'timeseries',
            unit: 's',
            queries: [{ expr: p95('sink_batch_duration_seconds', 'sink'), legend: '{{sink}}' }],
          },
          {
            title: 'Upstream fetch duration p95',
            type: 'timeseries',
            unit: 's',
            queries: [{ expr: p95('ingest_fetch_duration_seconds', 'source'), legend: '{{source}}' }],
          },
          {
            title: 'Hermes last event age',
            type: 'timeseries',
            unit: 's',
            queries: [{ expr: 'max(hermes_last_event_age_seconds)', legend: 'age' }],
          },
        ],
      },
      {
        title: 'Errors',
        panels: [
          {
            title: 'Dead-lettered records by topic and reason',
            type: 'timeseries',
            queries: [
              { expr: 'sum by (topic, reason) (increase(dlq_records_total[5m]))', legend: '{{topic}} {{reason}}' },
            ],
          },
          {
            title: 'Late events by topic',
            type: 'timeseries',
            queries: [{ expr: 'sum by (topic) (increase(processor_late_events_total[5m]))', legend: '{{topic}}' }],
          },
          {
            title: 'Aborted transactions by processor',
            type: 'timeseries',
            queries: [
              {
                expr: 'sum by (processor) (increase(processor_transaction_aborts_total[5m]))',
                legend: '{{processor}}',
              },
            ],
          },
          {
            title: 'Transaction (checkpoint) duration p95 by processor',
            type: 'timeseries',
            unit: 's',
            queries: [{ expr: p95('processor_transaction_duration_seconds', 'processor'), legend: '{{processor}}' }],
          },
          {
            title: 'TimescaleDB pool usage by pool',
            type: 'timeseries',
            unit: 'percentunit',
            thresholds: [
              { value: null, color: 'green' },
              { value: 0.8, color: 'red' },
            ],
            queries: [{ expr: 'max by (pool) (timescaledb_connection_pool_usage)', legend: '{{pool}}' }],
          },
          {
            title: 'Sink retries and DB connection errors',
            type: 'timeseries',
            queries: [
              { expr: 'sum by (sink) (increase(sink_retries_total[5m]))', legend: 'retries {{sink}}' },
              {
                expr: 'sum by (sink) (increase(db_connection_errors_total[5m]))',
                legend: 'connection errors {{sink}}',
              },
            ],
          },
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
          {
            title: 'Requests/s by route',
            type: 'timeseries',
            unit: 'reqps',
            queries: [{ expr: 'sum by (route) (rate(api_requests_total[5m]))', legend: '{{route}}' }],
          },
          {
            title: 'Latency p95 by route',
            type: 'timeseries',
            unit: 's',
            thresholds: [
              { value: null, color: 'green' },
              { value: 0.5, color: 'red' },
            ],
            queries: [
              {
                expr:
                  'histogram_quantile(0.95, sum by (le, route) ' +
                  '(rate(http_request_duration_seconds_bucket{job="api"}[5m])))',
                legend: '{{route}}',
              },
            ],
          },
          {
            title: 'Error ratio (5xx)',
            type: 'timeseries',
            unit: 'percentunit',
            queries: [
              {
                expr: 'sum(rate(api_requests_total{status=~"5.."}[5m])) / sum(rate(api_requests_total[5m]))',
                legend: '5xx',
              },
            ],
          },
          {
            title: 'Responses by status',
            type: 'timeseries',
            unit: 'reqps',
            queries: [{ expr: 'sum by (status) (rate(api_requests_total[5m]))', legend: '{{status}}' }],
          },
        ],
      },
      {
        title: 'WebSocket',
        panels: [
          {
            title: 'Active connections by pod',
            type: 'timeseries',
            queries: [
              { expr: 'sum by (instance) (websocket_active_connections)', legend: '{{instance}}' },
              { expr: 'sum(websocket_active_connections)', legend: 'total' },
            ],
          },
          {
            title: 'Messages sent/s',
            type: 'timeseries',
            unit: 'ops',
            queries: [{ expr: 'sum(rate(websocket_messages_sent_total[5m]))', legend: 'sent' }],
          },
          {
            title: 'Clients dropped by reason',
            type: 'timeseries',
            queries: [
              { expr: 'sum by (reason) (increase(websocket_clients_dropped_total[5m]))', legend: '{{reason}}' },
            ],
          },
          {
            title: 'Fan-out latency p95',
            type: 'timeseries',
            unit: 's',
            queries: [{ expr: p95('websocket_fanout_latency_seconds'), legend: 'p95' }],
          },
          {
            title: 'Subscribers by channel',
            type: 'timeseries',
            queries: [{ expr: 'sum by (channel) (websocket_subscribers)', legend: '{{channel}}' }],
          },
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
