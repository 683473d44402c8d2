import { ClickHouseError } from '@clickhouse/client';

/** Node's socket and DNS failures: ClickHouse was not reached, or the connection broke. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Duck-typed: errors from Node's core (sockets) are not `instanceof Error` inside another realm, e.g. under jest. */
const errorLike = (err: unknown): { message: string; name?: unknown; code?: unknown } | null =>
  typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string'
    ? (err as { message: string })
    : null;

/**
 * The `Code: N` of an error answered by the server, whichever version wrote it; null when the server did not
 * answer.
 */
export function serverErrorCode(err: unknown): number | null {
  if (err instanceof ClickHouseError) return Number(err.code);
  // 18.16 writes "Code: 81, e.displayText() = …", which the client does not parse into a ClickHouseError.
  const match = /^Code: (\d+)[,.]/.exec(errorLike(err)?.message ?? '');
  return match ? Number(match[1]) : null;
}

/** Whether an error means ClickHouse was unreachable (network failure or timeout) rather than refused the request. */
export function isClickHouseConnectionError(err: unknown): boolean {
  const e = errorLike(err);
  if (!e || serverErrorCode(err) !== null) return false;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  // The client rejects a request past request_timeout with this message; an abort is ours.
  return (
    e.message === 'Timeout error.' ||
    e.message.startsWith('socket hang up') ||
    e.name === 'AbortError' ||
    e.name === 'TimeoutError'
  );
}
