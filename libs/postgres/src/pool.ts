import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { SinkMetrics, SinkName } from '@stableyield/sink-model';

/** Errors that mean the connection, not the data, failed (SQLSTATE 08, 57P0x, or a socket error). */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return (
    /^08|^57P0/.test(code) ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT'].includes(code) ||
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(
      (err as Error).message ?? '',
    )
  );
}

export interface PoolSettings {
  connectionString: string;
  max: number;
  connectionTimeoutMs?: number;
  /**
   * The server cancels a statement running longer than this (SQLSTATE 57014), so one slow query
   * cannot hold a pooled connection, and the request waiting on it, indefinitely. Unset: no limit.
   */
  statementTimeoutMs?: number;
}

/** A pg pool whose idle-client and connection failures are counted and logged instead of crashing the process. */
export function createPool(
  settings: PoolSettings,
  logger: Logger,
  metrics?: { metrics: SinkMetrics; sink: SinkName },
): Pool {
  const pool = new Pool({
    connectionString: settings.connectionString,
    max: settings.max,
    connectionTimeoutMillis: settings.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    ...(settings.statementTimeoutMs !== undefined ? { statement_timeout: settings.statementTimeoutMs } : {}),
    application_name: metrics ? `sink-${metrics.sink}` : 'stableyield',
  });
  const log = logger.child({ module: 'pg-pool' });
  pool.on('error', (err) => {
    metrics?.metrics.dbErrors.inc({ sink: metrics.sink });
    log.warn({ err }, 'pg_idle_client_error');
  });
  return pool;
}
