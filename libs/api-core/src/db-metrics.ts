import { Counter, type Registry } from '@stableyield/observability';
import type { Queryable } from './db';

/**
 * `db_connection_errors_total{sink="api"}` (docs/metrics.md): queries that failed because the
 * connection did, counted by wrapping the pool.
 */
export function countConnectionErrors(
  db: Queryable,
  registry: Registry,
  isConnectionError: (err: unknown) => boolean,
): { db: Queryable; counter: Counter<'sink'> } {
  const counter = new Counter({
    name: 'db_connection_errors_total',
    help: 'Failed connections or dropped pool clients',
    labelNames: ['sink'],
    registers: [registry],
  });
  counter.inc({ sink: 'api' }, 0);
  return {
    counter,
    db: {
      query: async (sql, params) => {
        try {
          return await db.query(sql, params);
        } catch (err) {
          if (isConnectionError(err)) counter.inc({ sink: 'api' });
          throw err;
        }
      },
    },
  };
}
