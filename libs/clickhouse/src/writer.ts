import {
  invalidReason,
  recordRows,
  TABLES,
  type Row,
  type SinkRecord,
  type SinkTopic,
  type SinkWriter,
  type TableName,
  type WriteOutcome,
} from '@stableyield/sink-model';
import { insertColumns } from './ddl';
import type { ClickHouse } from './client';
import { isClickHouseConnectionError } from './errors';
import { RowBinaryWriter, type RowBinaryColumn } from './rowbinary';

export interface ClickHouseWriterOptions {
  client: Pick<ClickHouse, 'insertRowBinary'>;
  database: string;
  /** Rows per INSERT request. */
  batchSize: number;
}

/** Per table: the column names of an insert, and its model columns (the Kafka position columns follow them). */
const LAYOUTS = new Map(
  Object.entries(TABLES).map(([name, t]) => {
    const columns = insertColumns(t);
    return [name, { names: columns.map((c) => c.name), model: columns.slice(0, t.columns.length) }] as const;
  }),
);
const layoutOf = (table: TableName) => LAYOUTS.get(table) as { names: string[]; model: RowBinaryColumn[] };

/**
 * Appends one row in insert order (insertColumns): the model columns, then partition time
 * (`event_time`, seconds) and Kafka position — written straight into the buffer, without a
 * merged object per row (that copy cost more than the encoding itself).
 */
export function encodeTableRow(
  w: RowBinaryWriter,
  table: TableName,
  row: Row,
  record: Pick<SinkRecord, 'partition' | 'offset'>,
): void {
  w.row(layoutOf(table).model, row);
  w.write('DateTime', Math.floor((row[TABLES[table].time] as number) / 1000));
  w.write('UInt32', record.partition);
  w.write('UInt64', Number(record.offset));
}

/** DateTime is UInt32 seconds and Date UInt16 days: times after 2106-02-07 do not fit. */
const MAX_DATETIME_MS = 4_294_967_295_000;

export function outOfClickHouseRange(table: TableName, row: Row): string | null {
  const time = row[TABLES[table].time] as number;
  return time > MAX_DATETIME_MS
    ? `${table}.${TABLES[table].time} is after 2106-02-07, beyond ClickHouse DateTime (${time})`
    : null;
}

/**
 * Inserts a consumed batch as RowBinary and resolves after ClickHouse acknowledged every
 * insert. A redone batch inserts the same rows again; ReplacingMergeTree collapses them.
 * Rows failing validation are returned as rejected (ClickHouse 18.16 has no CHECK constraints).
 */
export class ClickHouseWriter implements SinkWriter {
  readonly sink = 'clickhouse' as const;

  constructor(private readonly options: ClickHouseWriterOptions) {}

  isConnectionError(err: unknown): boolean {
    return isClickHouseConnectionError(err);
  }

  async write(topic: SinkTopic, records: readonly SinkRecord[]): Promise<WriteOutcome> {
    const rejected: WriteOutcome['rejected'] = [];
    const pending = new Map<TableName, { writer: RowBinaryWriter; rows: number }>();
    const rowsByTable = new Map<string, number>();
    const flush = async (table: TableName): Promise<void> => {
      const batch = pending.get(table);
      if (!batch || batch.rows === 0) return;
      pending.delete(table);
      await this.options.client.insertRowBinary(
        this.options.database,
        table,
        layoutOf(table).names,
        batch.writer.finish(),
      );
      rowsByTable.set(table, (rowsByTable.get(table) ?? 0) + batch.rows);
    };
    for (const record of records) {
      const rows = recordRows(topic, record.value as never);
      const reason = rows
        .map((r) => invalidReason(TABLES[r.table], r.row) ?? outOfClickHouseRange(r.table, r.row))
        .find((x) => x !== null);
      if (reason) {
        rejected.push({ record, reason });
        continue;
      }
      for (const r of rows) {
        let batch = pending.get(r.table);
        if (!batch) pending.set(r.table, (batch = { writer: new RowBinaryWriter(), rows: 0 }));
        encodeTableRow(batch.writer, r.table, r.row, record);
        if (++batch.rows >= this.options.batchSize) await flush(r.table);
      }
    }
    for (const table of [...pending.keys()]) await flush(table);
    return { rowsByTable, rejected };
  }
}
