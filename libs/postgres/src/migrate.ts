import type { Pool, PoolClient } from 'pg';
import type { Logger } from 'pino';
import { MIGRATIONS, type Migration, type StorageVariant } from './postgres-ddl';

const MIGRATION_LOCK = 7_231_001; // pg_advisory_lock key: one migrator at a time per database

export interface MigrationResult {
  variant: StorageVariant;
  applied: number[];
}

/**
 * TimescaleDB when the extension is installed (or can be created), plain partitioned tables
 * otherwise. A database keeps the variant it was first migrated with.
 */
export async function chooseVariant(client: PoolClient, logger: Logger): Promise<StorageVariant> {
  const recorded = await client.query<{ variant: StorageVariant }>(
    'SELECT variant FROM sink_schema_migrations ORDER BY version LIMIT 1',
  );
  if (recorded.rows[0]) return recorded.rows[0].variant;
  const installed = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'");
  if (installed.rowCount) return 'timescaledb';
  const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'");
  if (!available.rowCount) return 'partitioned';
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    return 'timescaledb';
  } catch (err) {
    // Available but not loadable (e.g. missing shared_preload_libraries): plain PostgreSQL still works.
    logger.warn({ err }, 'timescaledb_unusable_falling_back');
    return 'partitioned';
  }
}

/** Applies the migrations not yet recorded, each in its own transaction; safe to run any number of times. */
export async function migrate(
  pool: Pool,
  logger: Logger,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  const log = logger.child({ module: 'migrate' });
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS sink_schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, variant text NOT NULL, ` +
        `applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const variant = await chooseVariant(client, log);
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM sink_schema_migrations')).rows.map(
        (r) => r.version,
      ),
    );
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        for (const sql of m.statements(variant)) await client.query(sql);
        await client.query('INSERT INTO sink_schema_migrations (version, name, variant) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          variant,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(m.version);
      log.info({ version: m.version, name: m.name, variant }, 'migration_applied');
    }
    log.info({ variant, applied: applied.length }, 'migrations_done');
    return { variant, applied };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
}
