/**
 * The sink's schema and RowBinary inserts on current ClickHouse, beside the Debian 18.16 server
 * the other tests use. Current ClickHouse comes embedded (chdb-core from PyPI, installed by
 * `scripts/stack/stack.sh install clickhouse`); it has no server, so the statements the sink
 * would send over HTTP are captured here and run in one `python -m chdb` process: the same DDL,
 * the same RowBinary bodies (`INSERT … FROM INFILE … FORMAT RowBinary`), then reads under FINAL.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordRows, SINK_TOPICS, TABLES, type Row, type SinkRecord, type TableName } from '@stableyield/sink-model';
import { sampleRecords } from '@stableyield/sink-model/testing';
import { ensureSchema } from './ddl';
import { ClickHouseWriter } from './writer';

const python = process.env.CHDB_PYTHON ?? join(homedir(), '.cache/stableyield/chdb-26.9.0/bin/python');
const DB = 'current_ch';
const dir = mkdtempSync(join(tmpdir(), 'chdb-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs statements (separated by `;`) in one embedded ClickHouse; the SELECTs' JSONEachRow lines. */
function chdb(statements: readonly string[]): Record<string, unknown>[] {
  const out = execFileSync(python, ['-m', 'chdb', statements.join(';\n'), 'JSONEachRow'], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const asRecords = (topic: string, values: { key: string; value: unknown }[]): SinkRecord[] =>
  values.map((v, i) => ({
    topic,
    partition: 2,
    offset: String(1000 + i),
    key: v.key,
    value: v.value,
    timestamp: 0,
    headers: {},
  }));

const keyOf = (table: TableName, row: Record<string, unknown>): string =>
  JSON.stringify(TABLES[table].key.map((k) => row[k]));
const byKey = (table: TableName, rows: readonly Record<string, unknown>[]) =>
  [...rows].sort((a, b) => (keyOf(table, a) < keyOf(table, b) ? -1 : keyOf(table, a) > keyOf(table, b) ? 1 : 0));

it('takes the sink schema and stores every topic exactly; a replayed batch collapses under FINAL', async () => {
  const [version] = chdb(['SELECT version() AS version']);
  console.log(`current ClickHouse under test: ${String(version?.version)} (chdb)`);

  const statements: string[] = ['SET output_format_json_quote_64bit_integers = 0'];
  await ensureSchema({ command: (sql) => Promise.resolve(void statements.push(sql)) }, DB);
  // Twice: every statement of the schema is safe to repeat.
  await ensureSchema({ command: (sql) => Promise.resolve(void statements.push(sql)) }, DB);

  let files = 0;
  const writer = new ClickHouseWriter({
    database: DB,
    batchSize: 64,
    client: {
      insertRowBinary: (database, table, columns, body) => {
        const file = join(dir, `${files++}.bin`);
        writeFileSync(file, body);
        statements.push(
          `INSERT INTO ${database}.${table} (${columns.join(', ')}) FROM INFILE '${file}' FORMAT RowBinary`,
        );
        return Promise.resolve();
      },
    },
  });
  const expected = new Map<TableName, Row[]>();
  for (const topic of SINK_TOPICS) {
    const values = sampleRecords(topic, 'cur', 150);
    const records = asRecords(topic, values);
    const outcome = await writer.write(topic, records);
    expect(outcome.rejected).toEqual([]);
    await writer.write(topic, records.slice(0, 40)); // redelivered after a crash
    for (const v of values)
      for (const r of recordRows(topic, v.value as never))
        expected.set(r.table, [...(expected.get(r.table) ?? []), r.row]);
  }

  const tables = Object.keys(TABLES) as TableName[];
  for (const table of tables) {
    const columns = TABLES[table].columns.map((c) => c.name).join(', ');
    statements.push(`SELECT '${table}' AS _table, ${columns} FROM ${DB}.${table} FINAL`);
  }
  statements.push(
    `SELECT '_aggregates' AS _table, (SELECT sum(samples) FROM ${DB}.syi_index_1m) AS m1, ` +
      `(SELECT sum(samples) FROM ${DB}.syi_index_1d) AS d1`,
  );
  const rows = chdb(statements);

  for (const table of tables) {
    const stored = rows.filter((r) => r._table === table).map(({ _table, ...row }) => row);
    expect([table, byKey(table, stored)]).toEqual([table, byKey(table, expected.get(table) ?? [])]);
    expect(stored.length).toBeGreaterThan(0);
  }
  const indexRows = expected.get('syi_index')?.length;
  expect(rows.find((r) => r._table === '_aggregates')).toEqual({ _table: '_aggregates', m1: indexRows, d1: indexRows });
});
