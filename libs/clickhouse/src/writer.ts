import { invalidReason, recordRows, TABLES, type Row, type SinkRecord, type SinkTopic, type SinkWriter, type TableName, type WriteOutcome } from '@stableyield/db';
import { insertColumns } from './ddl';
import { isClickHouseConnectionError, type ClickHouseHttp } from './http';
import { encodeRowBinary } from './rowbinary';

export interface ClickHouseWriterOptions {
  client: ClickHouseHttp;
  database: string;
  /** Rows per INSERT request. */
  batchSize: number;
}

/** A row in ClickHouse's JSONEachRow form: the logical row plus partition time and Kafka position. */
export function toClickHouseRow(table: TableName, row: Row, record: Pick<SinkRecord, 'partition' | 'offset'>): Record<string, unknown> {
  const model = TABLES[table];
  return {
    ...row,
    event_time: Math.floor((row[model.time] as number) / 1000),
    kafka_partition: record.partition,
    kafka_offset: Number(record.offset),
  };
}

/** DateTime is UInt32 seconds and Date UInt16 days: times after 2106-02-07 do not fit. */
const MAX_DATETIME_MS = 4_294_967_295_000;

export function outOfClickHouseRange(table: TableName, row: Row): string | null {
  const time = row[TABLES[table].time] as number;
  return time > MAX_DATETIME_MS ? `${table}.${TABLES[table].time} is after 2106-02-07, beyond ClickHouse DateTime (${time})` : null;
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
    const byTable = new Map<TableName, Record<string, unknown>[]>();
    for (const record of records) {
      const rows = recordRows(topic, record.value as never);
      const reason = rows.map((r) => invalidReason(TABLES[r.table], r.row) ?? outOfClickHouseRange(r.table, r.row)).find((x) => x !== null);
      if (reason) {
        rejected.push({ record, reason });
        continue;
      }
      for (const r of rows) {
        const list = byTable.get(r.table) ?? [];
        list.push(toClickHouseRow(r.table, r.row, record));
        byTable.set(r.table, list);
      }
    }
    const rowsByTable = new Map<string, number>();
    for (const [table, rows] of byTable) {
      const columns = insertColumns(TABLES[table]);
      const names = columns.map((c) => c.name);
      for (let i = 0; i < rows.length; i += this.options.batchSize) {
        const body = encodeRowBinary(columns, rows.slice(i, i + this.options.batchSize));
        await this.options.client.insertRowBinary(this.options.database, table, names, body);
      }
      rowsByTable.set(table, rows.length);
    }
    return { rowsByTable, rejected };
  }
}
