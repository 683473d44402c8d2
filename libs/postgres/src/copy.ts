import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Row, TableModel } from '@stableyield/sink-model';

/** A value in COPY's text format: `\N` for NULL, backslash escapes for the characters COPY reserves. */
export function copyField(
  value: string | number | null | undefined,
  type: TableModel['columns'][number]['type'],
): string {
  if (value === null || value === undefined) return '\\N';
  if (type === 'time') return new Date(value).toISOString();
  if (typeof value === 'number') return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** Rows as COPY text: tab-separated fields, one line per row, columns in model order. */
export function copyText(t: TableModel, rows: readonly Row[]): string {
  let out = '';
  for (const r of rows) out += `${t.columns.map((c) => copyField(r[c.name], c.type)).join('\t')}\n`;
  return out;
}

/**
 * `COPY table (columns) FROM STDIN`: the fastest way into PostgreSQL. Any constraint
 * violation fails the whole COPY, so callers run it inside a savepoint. Returns rows copied.
 */
export async function copyRows(client: PoolClient, t: TableModel, rows: readonly Row[]): Promise<number> {
  const stream = client.query(copyFrom(`COPY ${t.name} (${t.columns.map((c) => c.name).join(', ')}) FROM STDIN`));
  await pipeline(Readable.from([copyText(t, rows)]), stream);
  return stream.rowCount;
}
