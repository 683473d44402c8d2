import type { Queryable } from './db';
import { HttpError } from './errors';

/** How long a client should wait before asking again while the database is unreachable. */
export const DATABASE_RETRY_AFTER_S = 5;

export const databaseUnavailable = () =>
  new HttpError(503, 'the database is unreachable for the moment; retry later', {
    'retry-after': String(DATABASE_RETRY_AFTER_S),
  });

/**
 * The database, with a lost connection answered as what it is for the client — the service
 * unavailable for a moment (503 + Retry-After) — rather than a server bug (500). Other errors pass.
 */
export function unavailableWhenUnreachable(db: Queryable, isUnreachable: (err: unknown) => boolean): Queryable {
  return {
    query: <R extends object>(sql: string, params?: unknown[]) =>
      db.query<R>(sql, params).catch((err: unknown) => {
        throw isUnreachable(err) ? databaseUnavailable() : err;
      }),
  };
}
