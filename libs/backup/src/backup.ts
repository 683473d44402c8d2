/**
 * `npm run backup` / `npm run restore`: TimescaleDB (pg_dump custom format) and ClickHouse (DDL
 * and Native rows per table) into one folder with a verified manifest, and back into empty
 * databases. Restore order and Kafka's part: docs/operations.md, "Disaster recovery".
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { countRows, dumpTable, listTables, prepareDatabase, restoreTable, type ClickHouseTarget } from './clickhouse';
import { FORMAT, describeFiles, readVerifiedManifest, writeManifest, type Manifest } from './manifest';
import { databaseName, dumpPostgres, restorePostgres } from './postgres';

export interface Targets {
  readonly postgresUrl?: string;
  readonly clickhouse?: ClickHouseTarget;
}

const PG_FILE = 'postgres.dump';
const chSql = (table: string): string => join('clickhouse', `${table}.sql`);
const chData = (table: string): string => join('clickhouse', `${table}.native`);

export async function backup(dir: string, targets: Targets, now: () => Date = () => new Date()): Promise<Manifest> {
  if (targets.postgresUrl === undefined && targets.clickhouse === undefined)
    throw new Error('nothing to back up: give a PostgreSQL URL, a ClickHouse database, or both');
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: a backup goes into a new folder`);
  const files: string[] = [];
  let postgres: Manifest['postgres'];
  if (targets.postgresUrl !== undefined) {
    const { timescaledb } = await dumpPostgres(targets.postgresUrl, join(dir, PG_FILE));
    postgres = { database: databaseName(targets.postgresUrl), file: PG_FILE, timescaledb };
    files.push(PG_FILE);
  }
  let clickhouse: Manifest['clickhouse'];
  if (targets.clickhouse !== undefined) {
    const ch = targets.clickhouse;
    mkdirSync(join(dir, 'clickhouse'));
    const tables = await listTables(ch);
    if (tables.length === 0) throw new Error(`ClickHouse database ${ch.database} has no tables`);
    const described = [];
    for (const t of tables) {
      // Rows counted before the dump: the sink may add more while it runs; the dump holds at least these.
      const rows = t.view ? 0 : await countRows(ch, t.name);
      await dumpTable(ch, t, join(dir, chSql(t.name)), t.view ? undefined : join(dir, chData(t.name)));
      files.push(chSql(t.name), ...(t.view ? [] : [chData(t.name)]));
      described.push({ name: t.name, view: t.view, rows });
    }
    clickhouse = { database: ch.database, tables: described };
  }
  const manifest: Manifest = {
    format: FORMAT,
    createdAt: now().toISOString(),
    ...(postgres ? { postgres } : {}),
    ...(clickhouse ? { clickhouse } : {}),
    files: await describeFiles(dir, files),
  };
  writeManifest(dir, manifest);
  return manifest;
}

export async function restore(dir: string, targets: Targets): Promise<Manifest> {
  const manifest = await readVerifiedManifest(dir);
  if (targets.postgresUrl !== undefined) {
    if (!manifest.postgres) throw new Error(`${dir} holds no PostgreSQL dump`);
    await restorePostgres(targets.postgresUrl, join(dir, manifest.postgres.file), manifest.postgres.timescaledb);
  }
  if (targets.clickhouse !== undefined) {
    if (!manifest.clickhouse) throw new Error(`${dir} holds no ClickHouse dump`);
    const ch = targets.clickhouse;
    await prepareDatabase(ch);
    for (const t of manifest.clickhouse.tables) {
      await restoreTable(
        ch,
        manifest.clickhouse.database,
        t,
        join(dir, chSql(t.name)),
        t.view ? undefined : join(dir, chData(t.name)),
      );
    }
  }
  return manifest;
}
