import type { Pool, PoolClient } from 'pg';
import {
  invalidReason,
  recordRows,
  rowKey,
  TABLES,
  type Row,
  type SinkRecord,
  type SinkTopic,
  type SinkWriter,
  type TableModel,
  type TableName,
  type TableRow,
  type WriteOutcome,
} from '@stableyield/sink-model';
import { copyRows } from './copy';
import { PartitionManager } from './partitions';
import { isPartitioned, PG_ARRAY_TYPES, type StorageVariant } from './postgres-ddl';
import { isConnectionError } from './pool';

/** SQLSTATE classes of errors caused by a row's data (22 data exception, 23 integrity violation). */
export const isDataError = (err: unknown): boolean => /^2[23]/.test((err as { code?: string }).code ?? '');
const isUniqueViolation = (err: unknown): boolean => (err as { code?: string }).code === '23505';

/**
 * `INSERT … SELECT FROM unnest($1::type[], …)`: one statement and one parameter per column
 * whatever the row count, with `ON CONFLICT (natural key) DO NOTHING` when `idempotent`. The
 * writer's fast path is COPY; this idempotent form runs when COPY met rows already stored
 * (a redelivery or replay): the first write of a key wins, a replay changes nothing.
 */
export function insertSql(t: TableModel, idempotent: boolean): string {
  const cols = t.columns.map((c) => c.name);
  const params = t.columns.map((c, i) => `$${i + 1}::${PG_ARRAY_TYPES[c.type]}`);
  const insert = `INSERT INTO ${t.name} (${cols.join(', ')}) SELECT * FROM unnest(${params.join(', ')})`;
  return idempotent ? `${insert} ON CONFLICT (${t.key.join(', ')}) DO NOTHING` : insert;
}

/** Column arrays of rows for `upsertSql`; times become ISO strings (exact to the millisecond). */
export function columnArrays(t: TableModel, rows: readonly Row[]): unknown[] {
  return t.columns.map((c) =>
    rows.map((r) => {
      const v = r[c.name] ?? null;
      return c.type === 'time' && typeof v === 'number' ? new Date(v).toISOString() : v;
    }),
  );
}

interface PreparedRecord {
  record: SinkRecord;
  rows: TableRow[];
}

export interface PostgresWriterOptions {
  pool: Pool;
  variant: StorageVariant;
  /** Rows per INSERT statement; a batch larger than this takes several statements in one transaction. */
  batchSize: number;
}

/**
 * Writes one consumed batch in one transaction: a crash before COMMIT leaves nothing, and
 * a redelivered batch finds its rows stored and adds none. Records whose rows the database refuses
 * are isolated (savepoint per record) and returned as rejected, with the database's reason.
 */
export class PostgresWriter implements SinkWriter {
  readonly sink = 'timescale' as const;
  private readonly partitions = new PartitionManager();

  constructor(private readonly options: PostgresWriterOptions) {}

  isConnectionError(err: unknown): boolean {
    return isConnectionError(err);
  }

  async write(topic: SinkTopic, records: readonly SinkRecord[]): Promise<WriteOutcome> {
    const rejected: WriteOutcome['rejected'] = [];
    const prepared: PreparedRecord[] = [];
    for (const record of records) {
      const rows = recordRows(topic, record.value as never);
      const reason = rows.map((r) => invalidReason(TABLES[r.table], r.row)).find((x) => x !== null);
      if (reason) rejected.push({ record, reason });
      else prepared.push({ record, rows });
    }
    const rowsByTable = new Map<TableName, number>();
    if (prepared.length === 0) return { rowsByTable, rejected };

    const client = await this.options.pool.connect();
    let broken: unknown;
    try {
      await this.ensurePartitions(client, prepared);
      await client.query('BEGIN');
      try {
        const rows = prepared.flatMap((p) => p.rows);
        let inserted: Map<TableName, number>;
        await client.query('SAVEPOINT batch');
        try {
          inserted = await this.insertRows(client, rows, false);
          await client.query('RELEASE SAVEPOINT batch');
        } catch (err) {
          if (!isDataError(err)) throw err;
          await client.query('ROLLBACK TO SAVEPOINT batch');
          inserted = isUniqueViolation(err)
            ? await this.insertIdempotentOrIsolate(client, prepared, rows, rejected)
            : await this.insertOneByOne(client, prepared, rejected);
        }
        await client.query('COMMIT');
        for (const [table, n] of inserted) rowsByTable.set(table, n);
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
      return { rowsByTable, rejected };
    } catch (err) {
      broken = err;
      throw err;
    } finally {
      // A client that failed mid-transaction may be dead (server gone): drop it from the pool.
      client.release(broken !== undefined && !isDataError(broken) ? (broken as Error) : undefined);
    }
  }

  private async ensurePartitions(client: PoolClient, prepared: readonly PreparedRecord[]): Promise<void> {
    if (this.options.variant !== 'partitioned') return;
    const times = new Map<TableName, number[]>();
    for (const p of prepared) {
      for (const r of p.rows) {
        const model = TABLES[r.table];
        if (!isPartitioned(model)) continue;
        const list = times.get(r.table) ?? [];
        list.push(r.row[model.time] as number);
        times.set(r.table, list);
      }
    }
    for (const [table, list] of times) await this.partitions.ensure(client, TABLES[table], list);
  }

  /** Some rows are stored already: insert the rest; a data error left then is a bad record. */
  private async insertIdempotentOrIsolate(
    client: PoolClient,
    prepared: readonly PreparedRecord[],
    rows: readonly TableRow[],
    rejected: WriteOutcome['rejected'],
  ): Promise<Map<TableName, number>> {
    await client.query('SAVEPOINT again');
    try {
      const inserted = await this.insertRows(client, rows, true);
      await client.query('RELEASE SAVEPOINT again');
      return inserted;
    } catch (err) {
      if (!isDataError(err)) throw err;
      await client.query('ROLLBACK TO SAVEPOINT again');
      return this.insertOneByOne(client, prepared, rejected);
    }
  }

  /** Inserts rows grouped by table; the first row of a key wins within the batch. */
  private async insertRows(
    client: PoolClient,
    rows: readonly TableRow[],
    idempotent: boolean,
  ): Promise<Map<TableName, number>> {
    const inserted = new Map<TableName, number>();
    const byTable = new Map<TableName, Map<string, Row>>();
    for (const { table, row } of rows) {
      const unique = byTable.get(table) ?? new Map<string, Row>();
      const key = rowKey(TABLES[table], row);
      if (!unique.has(key)) unique.set(key, row);
      byTable.set(table, unique);
    }
    for (const [table, unique] of byTable) {
      const model = TABLES[table];
      const sql = insertSql(model, idempotent);
      const all = [...unique.values()];
      for (let i = 0; i < all.length; i += this.options.batchSize) {
        const chunk = all.slice(i, i + this.options.batchSize);
        // Fast path COPY; the idempotent INSERT … ON CONFLICT only when some rows may be stored already.
        const n = idempotent
          ? ((await client.query(sql, columnArrays(model, chunk))).rowCount ?? 0)
          : await copyRows(client, model, chunk);
        inserted.set(table, (inserted.get(table) ?? 0) + n);
      }
    }
    return inserted;
  }

  /** Isolates the records the database refuses: one savepoint per record. */
  private async insertOneByOne(
    client: PoolClient,
    prepared: readonly PreparedRecord[],
    rejected: WriteOutcome['rejected'],
  ): Promise<Map<TableName, number>> {
    const inserted = new Map<TableName, number>();
    for (const p of prepared) {
      await client.query('SAVEPOINT one');
      try {
        for (const [table, n] of await this.insertRows(client, p.rows, true))
          inserted.set(table, (inserted.get(table) ?? 0) + n);
        await client.query('RELEASE SAVEPOINT one');
      } catch (err) {
        if (!isDataError(err)) throw err;
        await client.query('ROLLBACK TO SAVEPOINT one');
        rejected.push({
          record: p.record,
          reason: `${(err as { code?: string }).code ?? ''} ${(err as Error).message}`.trim(),
        });
      }
    }
    return inserted;
  }
}
