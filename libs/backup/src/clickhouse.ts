/**
 * ClickHouse backup without BACKUP (the local server is 18.16): for each table of the database
 * its `SHOW CREATE TABLE` statement and, for tables that hold data, every row in the Native
 * format; the restore creates the tables, then the views, in a database that must not hold any,
 * and inserts the rows back. Over HTTP, with the password in a Basic authorization header.
 */
import { createWriteStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export interface ClickHouseTarget {
  readonly url: string;
  readonly database: string;
  readonly user?: string;
  readonly password?: string;
}

export interface TableInfo {
  readonly name: string;
  readonly view: boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
export function checkIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain ClickHouse identifier: ${JSON.stringify(name)}`);
  return name;
}

function headers(t: ClickHouseTarget): Record<string, string> {
  if (t.user === undefined && t.password === undefined) return {};
  return { authorization: `Basic ${Buffer.from(`${t.user ?? 'default'}:${t.password ?? ''}`).toString('base64')}` };
}

async function request(t: ClickHouseTarget, query: string, body?: Buffer | string): Promise<Response> {
  const url = `${t.url.replace(/\/$/, '')}/?query=${encodeURIComponent(query)}`;
  const res = await fetch(url, { method: 'POST', headers: headers(t), ...(body !== undefined ? { body } : {}) });
  if (!res.ok)
    throw new Error(`ClickHouse answered ${res.status} to ${query.slice(0, 120)}: ${(await res.text()).slice(0, 500)}`);
  return res;
}

const text = async (t: ClickHouseTarget, query: string): Promise<string> => (await request(t, query)).text();

/** The database's tables, data tables before views (the order a restore creates them in). */
export async function listTables(t: ClickHouseTarget): Promise<TableInfo[]> {
  const db = checkIdentifier(t.database);
  const out = await text(
    t,
    `SELECT name, engine FROM system.tables WHERE database = '${db}' ORDER BY name FORMAT TabSeparated`,
  );
  return sortForRestore(
    out
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => {
        const [name, engine] = l.split('\t') as [string, string];
        return { name: checkIdentifier(name), view: engine === 'View' || engine === 'MaterializedView' };
      }),
  );
}

export const sortForRestore = (tables: readonly TableInfo[]): TableInfo[] =>
  [...tables].sort((a, b) => Number(a.view) - Number(b.view) || a.name.localeCompare(b.name));

/** A CREATE statement of database `from` rewritten for database `to` (every `from.` qualifier). */
export function retarget(statement: string, from: string, to: string): string {
  checkIdentifier(from);
  checkIdentifier(to);
  return statement.replace(new RegExp(`(?<![A-Za-z0-9_])(\`?)${from}\\1\\.`, 'g'), `$1${to}$1.`);
}

export async function countRows(t: ClickHouseTarget, table: string): Promise<number> {
  return Number(
    (
      await text(t, `SELECT count() FROM ${checkIdentifier(t.database)}.${checkIdentifier(table)} FORMAT TabSeparated`)
    ).trim(),
  );
}

export async function dumpTable(
  t: ClickHouseTarget,
  table: TableInfo,
  sqlFile: string,
  dataFile: string | undefined,
): Promise<void> {
  const qualified = `${checkIdentifier(t.database)}.${checkIdentifier(table.name)}`;
  const create = await text(t, `SHOW CREATE TABLE ${qualified} FORMAT TabSeparatedRaw`);
  await pipeline(Readable.from([create.trimEnd() + '\n']), createWriteStream(sqlFile));
  if (dataFile === undefined) return;
  const res = await request(t, `SELECT * FROM ${qualified} FORMAT Native`);
  if (!res.body) throw new Error(`no body for ${qualified}`);
  await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(dataFile));
}

/** Creates the target database; refuses one that already holds tables. */
export async function prepareDatabase(t: ClickHouseTarget): Promise<void> {
  const existing = await listTables(t).catch(() => []);
  if (existing.length > 0)
    throw new Error(
      `refusing to restore into ClickHouse database ${t.database}: it holds ${existing.map((e) => e.name).join(', ')}`,
    );
  await request(t, `CREATE DATABASE IF NOT EXISTS ${checkIdentifier(t.database)}`);
}

export async function restoreTable(
  t: ClickHouseTarget,
  sourceDatabase: string,
  table: TableInfo,
  sqlFile: string,
  dataFile: string | undefined,
): Promise<void> {
  await request(t, retarget(readFileSync(sqlFile, 'utf8').trim(), sourceDatabase, t.database));
  if (dataFile === undefined) return;
  await request(
    t,
    `INSERT INTO ${checkIdentifier(t.database)}.${checkIdentifier(table.name)} FORMAT Native`,
    readFileSync(dataFile),
  );
}
