import type { DataTopic, TopicValues } from '@stableyield/schemas';

/**
 * The storage model shared by both sinks: one logical table per kind of row, with a natural
 * key, so a record written twice lands on the same row. Each database maps the logical
 * column types to its own (PostgreSQL in `postgres-ddl.ts`, ClickHouse in libs/clickhouse).
 */
export type ColumnType = 'text' | 'float' | 'int' | 'time' | 'date' | 'json';

export interface Column {
  name: string;
  type: ColumnType;
  nullable?: boolean;
}

export interface TableModel {
  name: string;
  columns: readonly Column[];
  /** The natural primary key; it includes the time column so time partitioning can enforce it. */
  key: readonly string[];
  /** The event-time column (type `time`) used to partition and to expire old rows. */
  time: string;
  /** Rows kept this long where the database can expire them (TimescaleDB retention); none: forever. */
  retentionDays?: number;
  /** TimescaleDB compression groups rows by this column. */
  segmentBy?: string;
  /** PostgreSQL CHECK constraints (SQL written here, never from input); violations go to the DLQ. */
  checks?: readonly string[];
}

/** A row in logical form: `time` columns hold epoch milliseconds, `json` columns a JSON string. */
export type Row = Record<string, string | number | null>;

const text = (name: string): Column => ({ name, type: 'text' });
const float = (name: string, nullable = false): Column => ({ name, type: 'float', nullable });
const time = (name: string): Column => ({ name, type: 'time' });

/** A table of one row per stablecoin and time: (symbol, ts) first, the key, segmented by symbol. */
const perSymbol = (name: string, columns: readonly Column[], checks: readonly string[] = []): TableModel => ({
  name,
  columns: [text('symbol'), time('ts'), ...columns],
  key: ['symbol', 'ts'],
  time: 'ts',
  segmentBy: 'symbol',
  checks: ["symbol <> ''", ...checks],
});

export const TABLES = {
  syi_index: {
    name: 'syi_index',
    columns: [
      time('ts'),
      float('value'),
      float('tbill_rate', true),
      float('rpl', true),
      text('mode'),
      { name: 'eligible', type: 'int' },
      text('methodology_version'),
      text('inputs_digest'),
      { name: 'prev_digest', type: 'text', nullable: true },
      text('digest'),
      { name: 'constituents', type: 'json' },
    ],
    key: ['ts'],
    time: 'ts',
    checks: ["mode IN ('normal', 'high-vol')", 'eligible >= 0'],
  },
  syi_constituents: {
    name: 'syi_constituents',
    columns: [
      time('ts'),
      text('symbol'),
      float('weight'),
      float('ray'),
      float('apy_eff'),
      float('peg_score'),
      float('liquidity_score'),
      float('counterparty_score'),
      float('price'),
      float('dev_bps'),
      float('sigma_bps'),
      float('market_cap_usd'),
      float('depth_usd'),
      float('volume_24h_usd'),
    ],
    key: ['symbol', 'ts'],
    time: 'ts',
    segmentBy: 'symbol',
    checks: ["symbol <> ''", 'weight >= 0 AND weight <= 1'],
  },
  syi_ray: perSymbol('syi_ray', [
    float('apy_eff', true),
    float('peg_score', true),
    float('liquidity_score', true),
    float('counterparty_score'),
    float('ray_normal', true),
    float('ray_high_vol', true),
    text('methodology_version'),
  ]),
  syi_peg: perSymbol(
    'syi_peg',
    [
      float('price', true),
      float('dev_bps', true),
      float('peg_score', true),
      float('sigma_bps', true),
      { name: 'sample_count', type: 'int' },
      text('methodology_version'),
    ],
    ['sample_count >= 0'],
  ),
  syi_liquidity: perSymbol(
    'syi_liquidity',
    [
      float('depth_usd'),
      float('volume_24h_usd'),
      float('market_cap_usd', true),
      float('liquidity_score', true),
      text('methodology_version'),
    ],
    ['depth_usd >= 0', 'volume_24h_usd >= 0'],
  ),
  pyth_prices: {
    name: 'pyth_prices',
    columns: [text('feed_id'), time('publish_time'), text('symbol'), float('price'), float('conf'), time('ts')],
    key: ['feed_id', 'publish_time'],
    time: 'publish_time',
    retentionDays: 90,
    segmentBy: 'feed_id',
    checks: ["feed_id ~ '^[0-9a-f]{64}$'", 'conf >= 0'],
  },
  cc_prices: {
    name: 'cc_prices',
    columns: [text('symbol'), text('venue'), time('ts'), float('price'), float('volume_24h_usd', true)],
    key: ['symbol', 'venue', 'ts'],
    time: 'ts',
    retentionDays: 90,
    segmentBy: 'symbol',
    checks: ["symbol <> ''", "venue <> ''", 'price >= 0'],
  },
  dl_apy: {
    name: 'dl_apy',
    columns: [
      text('pool'),
      time('ts'),
      text('project'),
      text('chain'),
      text('symbol'),
      float('tvl_usd'),
      float('apy_base', true),
      float('apy_reward', true),
      float('apy', true),
    ],
    key: ['pool', 'ts'],
    time: 'ts',
    segmentBy: 'pool',
    checks: ["pool <> ''", 'tvl_usd >= 0'],
  },
  ex_mktcap: perSymbol('ex_mktcap', [float('market_cap_usd')], ['market_cap_usd >= 0']),
  tbill: {
    name: 'tbill',
    columns: [text('series'), { name: 'date', type: 'date' }, float('rate'), time('ts')],
    key: ['series', 'date'],
    time: 'ts',
    checks: ["series <> ''"],
  },
} as const satisfies Record<string, TableModel>;

export type TableName = keyof typeof TABLES;
export const ALL_TABLES: readonly TableModel[] = Object.values(TABLES);

/** The topics both sinks store (the catalog minus pyth.updates and cc.orderbook). */
export const SINK_TOPICS = [
  'syi.calculated',
  'ray.calculated',
  'syi.peg',
  'syi.liquidity',
  'pyth.prices',
  'cc.prices',
  'dl.apy',
  'ex.mktcap',
  'trad.tbill',
] as const satisfies readonly DataTopic[];
export type SinkTopic = (typeof SINK_TOPICS)[number];

export interface TableRow {
  table: TableName;
  row: Row;
}

type RowMapper<T extends SinkTopic> = (value: TopicValues[T]) => TableRow[];

const MAPPERS: { [T in SinkTopic]: RowMapper<T> } = {
  'syi.calculated': (v) => [
    {
      table: 'syi_index',
      row: {
        ts: v.ts,
        value: v.value,
        tbill_rate: v.tbillRate,
        rpl: v.rpl,
        mode: v.mode,
        eligible: v.eligible,
        methodology_version: v.methodologyVersion,
        inputs_digest: v.inputsDigest,
        prev_digest: v.prevDigest,
        digest: v.digest,
        constituents: JSON.stringify(v.constituents),
      },
    },
    ...v.constituents.map((c): TableRow => ({
      table: 'syi_constituents',
      row: {
        ts: v.ts,
        symbol: c.symbol,
        weight: c.weight,
        ray: c.ray,
        apy_eff: c.apyEff,
        peg_score: c.pegScore,
        liquidity_score: c.liquidityScore,
        counterparty_score: c.counterpartyScore,
        price: c.price,
        dev_bps: c.devBps,
        sigma_bps: c.sigmaBps,
        market_cap_usd: c.marketCapUsd,
        depth_usd: c.depthUsd,
        volume_24h_usd: c.volume24hUsd,
      },
    })),
  ],
  'ray.calculated': (v) => [
    {
      table: 'syi_ray',
      row: {
        symbol: v.symbol,
        ts: v.ts,
        apy_eff: v.apyEff,
        peg_score: v.pegScore,
        liquidity_score: v.liquidityScore,
        counterparty_score: v.counterpartyScore,
        ray_normal: v.rayNormal,
        ray_high_vol: v.rayHighVol,
        methodology_version: v.methodologyVersion,
      },
    },
  ],
  'syi.peg': (v) => [
    {
      table: 'syi_peg',
      row: {
        symbol: v.symbol,
        ts: v.ts,
        price: v.price,
        dev_bps: v.devBps,
        peg_score: v.pegScore,
        sigma_bps: v.sigmaBps,
        sample_count: v.sampleCount,
        methodology_version: v.methodologyVersion,
      },
    },
  ],
  'syi.liquidity': (v) => [
    {
      table: 'syi_liquidity',
      row: {
        symbol: v.symbol,
        ts: v.ts,
        depth_usd: v.depthUsd,
        volume_24h_usd: v.volume24hUsd,
        market_cap_usd: v.marketCapUsd,
        liquidity_score: v.liquidityScore,
        methodology_version: v.methodologyVersion,
      },
    },
  ],
  'pyth.prices': (v) => [
    {
      table: 'pyth_prices',
      row: {
        feed_id: v.feedId,
        publish_time: v.publishTime * 1000,
        symbol: v.symbol,
        price: v.price,
        conf: v.conf,
        ts: v.ts,
      },
    },
  ],
  'cc.prices': (v) => [
    {
      table: 'cc_prices',
      row: { symbol: v.symbol, venue: v.venue, ts: v.ts, price: v.price, volume_24h_usd: v.volume24hUsd },
    },
  ],
  'dl.apy': (v) => [
    {
      table: 'dl_apy',
      row: {
        pool: v.pool,
        ts: v.ts,
        project: v.project,
        chain: v.chain,
        symbol: v.symbol,
        tvl_usd: v.tvlUsd,
        apy_base: v.apyBase,
        apy_reward: v.apyReward,
        apy: v.apy,
      },
    },
  ],
  'ex.mktcap': (v) => [{ table: 'ex_mktcap', row: { symbol: v.symbol, ts: v.ts, market_cap_usd: v.marketCapUsd } }],
  'trad.tbill': (v) => [{ table: 'tbill', row: { series: v.series, date: v.date, rate: v.rate, ts: v.ts } }],
};

/** The rows one record becomes (syi.calculated: the index row plus one row per constituent). */
export function recordRows<T extends SinkTopic>(topic: T, value: TopicValues[T]): TableRow[] {
  return (MAPPERS[topic] as RowMapper<T>)(value);
}

export const isSinkTopic = (topic: string): topic is SinkTopic => (SINK_TOPICS as readonly string[]).includes(topic);

/** The catalog topic of a (possibly prefixed, for tests and benchmarks) topic name. */
export function catalogTopicOf(topic: string, prefix: string): SinkTopic {
  const name = topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  if (!isSinkTopic(name)) throw new Error(`topic "${topic}" is not one the sinks store`);
  return name;
}

/** The primary-key identity of a row, to collapse duplicates inside one batch. */
export const rowKey = (table: TableModel, row: Row): string => JSON.stringify(table.key.map((k) => row[k]));

const MIN_TIME = 0;
const MAX_TIME = Date.UTC(9999, 11, 31);

/**
 * Checks a row against the logical types (both sinks run it before writing): finite numbers,
 * integer ints, sane times, ISO dates. Returns the reason when the row cannot be stored.
 */
export function invalidReason(table: TableModel, row: Row): string | null {
  for (const c of table.columns) {
    const v = row[c.name];
    if (v === null || v === undefined) {
      if (c.nullable) continue;
      return `${table.name}.${c.name} is null`;
    }
    switch (c.type) {
      case 'text':
      case 'json':
        if (typeof v !== 'string') return `${table.name}.${c.name} is not a string`;
        break;
      case 'float':
        if (typeof v !== 'number' || !Number.isFinite(v))
          return `${table.name}.${c.name} is not a finite number (${String(v)})`;
        break;
      case 'int':
        if (typeof v !== 'number' || !Number.isSafeInteger(v))
          return `${table.name}.${c.name} is not an integer (${String(v)})`;
        break;
      case 'time':
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < MIN_TIME || v > MAX_TIME)
          return `${table.name}.${c.name} is not a time in 1970..9999 (${String(v)})`;
        break;
      case 'date':
        if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
          return `${table.name}.${c.name} is not a YYYY-MM-DD date (${String(v)})`;
        break;
      default: {
        const never: never = c.type;
        return `unknown column type ${String(never)}`;
      }
    }
  }
  return null;
}

/** Index aggregates the API reads (views in both databases): bucket, open, high, low, close, avg, samples. */
export const INDEX_AGGREGATES = [
  { name: 'syi_index_1m', interval: '1 minute', refresh: { start: '1 hour', end: '1 minute', every: '1 minute' } },
  { name: 'syi_index_5m', interval: '5 minutes', refresh: { start: '3 hours', end: '5 minutes', every: '5 minutes' } },
  { name: 'syi_index_1h', interval: '1 hour', refresh: { start: '2 days', end: '1 hour', every: '30 minutes' } },
  { name: 'syi_index_1d', interval: '1 day', refresh: { start: '30 days', end: '1 day', every: '1 hour' } },
] as const;
