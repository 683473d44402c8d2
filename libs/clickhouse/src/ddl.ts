import { ALL_TABLES, INDEX_AGGREGATES, type Column, type ColumnType, type TableModel } from '@stableyield/sink-model';
import type { ClickHouse } from './client';
import { identifier } from './identifier';
import type { RowBinaryColumn, RowBinaryType } from './rowbinary';

/**
 * Types both ClickHouse 18.16 and 24+ accept: times are epoch milliseconds in UInt64 (no
 * DateTime64 in 18.16) and every table gets `event_time DateTime` (seconds) to partition by.
 */
const CH_TYPES: Record<ColumnType, RowBinaryType> = {
  text: 'String',
  float: 'Float64',
  int: 'Int64',
  time: 'UInt64',
  date: 'Date',
  json: 'String',
};

const columnType = (c: Column) => (c.nullable ? `Nullable(${CH_TYPES[c.type]})` : CH_TYPES[c.type]);

/** Columns every table has besides the model's: partition time and the Kafka position (the version). */
export const EXTRA_COLUMNS: readonly RowBinaryColumn[] = [
  { name: 'event_time', type: 'DateTime', nullable: false },
  { name: 'kafka_partition', type: 'UInt32', nullable: false },
  { name: 'kafka_offset', type: 'UInt64', nullable: false },
];

/** A table's columns in insert order, with their RowBinary encodings. */
export function insertColumns(t: TableModel): RowBinaryColumn[] {
  return [
    ...t.columns.map((c) => ({ name: c.name, type: CH_TYPES[c.type], nullable: c.nullable === true })),
    ...EXTRA_COLUMNS,
  ];
}

/**
 * ReplacingMergeTree keyed by the natural key: a replayed record becomes a duplicate row that
 * merges collapse; reads use FINAL (or argMax) to see collapsed rows at any time. The Kafka
 * offset is the version, so the latest record of a key wins, as in PostgreSQL.
 */
export function createTableSql(database: string, t: TableModel): string {
  const columns = [
    ...t.columns.map((c) => `${c.name} ${columnType(c)}`),
    ...EXTRA_COLUMNS.map((c) => `${c.name} ${c.type}`),
  ];
  return (
    `CREATE TABLE IF NOT EXISTS ${identifier(database)}.${t.name} (\n  ${columns.join(',\n  ')}\n) ` +
    `ENGINE = ReplacingMergeTree(kafka_offset)
PARTITION BY toYYYYMM(event_time)
ORDER BY (${t.key.join(', ')})`
  );
}

const BUCKET_FUNCTION: Record<(typeof INDEX_AGGREGATES)[number]['name'], string> = {
  syi_index_1m: 'toStartOfMinute',
  syi_index_5m: 'toStartOfFiveMinute',
  syi_index_1h: 'toStartOfHour',
  syi_index_1d: 'toStartOfDay',
};

/** The same index aggregates as PostgreSQL, as views over the collapsed rows (bucket as DateTime, UTC). */
export function aggregateViewSql(database: string): string[] {
  const db = identifier(database);
  return INDEX_AGGREGATES.map(
    (a) =>
      `CREATE VIEW IF NOT EXISTS ${db}.${a.name} AS
SELECT ${BUCKET_FUNCTION[a.name]}(event_time) AS bucket, argMin(value, ts) AS open, ` +
      `max(value) AS high, min(value) AS low,
       argMax(value, ts) AS close, avg(value) AS avg, count() AS samples
FROM ${db}.syi_index FINAL GROUP BY bucket`,
  );
}

/** Creates the database, tables and views; every statement is IF NOT EXISTS, so it is safe to repeat. */
export async function ensureSchema(client: Pick<ClickHouse, 'command'>, database: string): Promise<void> {
  await client.command(`CREATE DATABASE IF NOT EXISTS ${identifier(database)}`);
  for (const t of ALL_TABLES) await client.command(createTableSql(database, t));
  for (const sql of aggregateViewSql(database)) await client.command(sql);
}
