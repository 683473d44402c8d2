import { indexRollupsMigration } from './index-rollups';
import { ALL_TABLES, INDEX_AGGREGATES, type Column, type ColumnType, type TableModel } from '@stableyield/sink-model';

/** How the schema is laid out: TimescaleDB hypertables, or native range partitions of plain PostgreSQL. */
export type StorageVariant = 'timescaledb' | 'partitioned';

export const PG_TYPES: Record<ColumnType, string> = {
  text: 'text',
  float: 'double precision',
  int: 'integer',
  time: 'timestamptz',
  date: 'date',
  json: 'jsonb',
};

/** Array cast used by the `unnest` batch insert. */
export const PG_ARRAY_TYPES: Record<ColumnType, string> = {
  text: 'text[]',
  float: 'float8[]',
  int: 'int4[]',
  time: 'timestamptz[]',
  date: 'date[]',
  json: 'jsonb[]',
};

const columnDdl = (c: Column) => `${c.name} ${PG_TYPES[c.type]}${c.nullable ? '' : ' NOT NULL'}`;

/** Tables too small to be worth partitioning stay plain tables in both variants. */
export const isPartitioned = (t: TableModel) => t.name !== 'tbill';

export function createTableSql(t: TableModel, variant: StorageVariant): string {
  const body = [
    ...t.columns.map(columnDdl),
    `CONSTRAINT ${t.name}_pkey PRIMARY KEY (${t.key.join(', ')})`,
    ...(t.checks ?? []).map((check, i) => `CONSTRAINT ${t.name}_check_${i + 1} CHECK (${check})`),
  ].join(',\n  ');
  const partition = variant === 'partitioned' && isPartitioned(t) ? ` PARTITION BY RANGE (${t.time})` : '';
  return `CREATE TABLE IF NOT EXISTS ${t.name} (\n  ${body}\n)${partition}`;
}

/** TimescaleDB: hypertable, compression after a week, retention where the model asks for it. */
export function timescaleSql(t: TableModel): string[] {
  if (!isPartitioned(t)) return [];
  const statements = [
    `SELECT create_hypertable('${t.name}', '${t.time}', chunk_time_interval => INTERVAL '7 days', ` +
      `if_not_exists => TRUE, migrate_data => TRUE)`,
    `ALTER TABLE ${t.name} SET (timescaledb.compress` +
      (t.segmentBy ? `, timescaledb.compress_segmentby = '${t.segmentBy}'` : '') +
      `, timescaledb.compress_orderby = '${t.time} DESC')`,
    `SELECT add_compression_policy('${t.name}', INTERVAL '7 days', if_not_exists => TRUE)`,
  ];
  if (t.retentionDays)
    statements.push(
      `SELECT add_retention_policy('${t.name}', INTERVAL '${t.retentionDays} days', if_not_exists => TRUE)`,
    );
  return statements;
}

export function aggregateSql(variant: StorageVariant): string[] {
  return INDEX_AGGREGATES.flatMap((a) => {
    if (variant === 'timescaledb') {
      return [
        `CREATE MATERIALIZED VIEW IF NOT EXISTS ${a.name} WITH (timescaledb.continuous) AS
SELECT time_bucket(INTERVAL '${a.interval}', ts) AS bucket, first(value, ts) AS open, ` +
          `max(value) AS high, min(value) AS low,
       last(value, ts) AS close, avg(value) AS avg, count(*) AS samples
FROM syi_index GROUP BY bucket WITH NO DATA`,
        `SELECT add_continuous_aggregate_policy('${a.name}', start_offset => INTERVAL '${a.refresh.start}', ` +
          `end_offset => INTERVAL '${a.refresh.end}', ` +
          `schedule_interval => INTERVAL '${a.refresh.every}', if_not_exists => TRUE)`,
        // Real-time aggregation: buckets not yet materialised are computed from the raw rows.
        `ALTER MATERIALIZED VIEW ${a.name} SET (timescaledb.materialized_only = false)`,
      ];
    }
    // Plain PostgreSQL: a view over the (partitioned) raw table, always current. date_bin with a
    // UTC origin gives the same buckets as time_bucket, independent of the session time zone.
    return [
      `CREATE OR REPLACE VIEW ${a.name} AS
SELECT date_bin(INTERVAL '${a.interval}', ts, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
       (array_agg(value ORDER BY ts))[1] AS open, max(value) AS high, min(value) AS low,
       (array_agg(value ORDER BY ts DESC))[1] AS close, avg(value) AS avg, count(*) AS samples
FROM syi_index GROUP BY 1`,
    ];
  });
}

export interface Migration {
  version: number;
  name: string;
  statements: (variant: StorageVariant) => string[];
}

/**
 * Versioned migrations, applied in order at most once each (recorded in sink_schema_migrations).
 * Every statement is itself idempotent, so a half-applied migration can simply run again.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tables',
    statements: (variant) =>
      ALL_TABLES.flatMap((t) => [createTableSql(t, variant), ...(variant === 'timescaledb' ? timescaleSql(t) : [])]),
  },
  {
    version: 2,
    name: 'index_aggregates',
    statements: (variant) => aggregateSql(variant),
  },
  {
    version: 3,
    name: 'read_indexes',
    // The API reads the latest rows per symbol/feed; the primary keys already lead with them.
    statements: () => [
      'CREATE INDEX IF NOT EXISTS syi_constituents_ts_idx ON syi_constituents (ts)',
      'CREATE INDEX IF NOT EXISTS dl_apy_symbol_ts_idx ON dl_apy (symbol, ts)',
    ],
  },
  // Plain PostgreSQL: the aggregate views read materialised buckets (see index-rollups.ts).
  indexRollupsMigration(INDEX_AGGREGATES),
];
