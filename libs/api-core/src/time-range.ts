import { badRequest } from './errors';

/** Parses a time parameter (ISO 8601 with zone, or epoch ms) the schema has already shape-checked. */
export function parseTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(t)) throw badRequest(`query parameter "${name}" is not a valid time`);
  return t;
}

export interface TimeRange {
  from: number;
  to: number;
  /** The request asked for more than the route serves at once; the range was cut (see timeRange). */
  clipped: boolean;
}

/**
 * The range of a request: `to` defaults to now, `from` to `to − defaultSpanMs`. A range longer
 * than `maxSpanMs` is cut to its newest part (or its oldest, for routes that page forwards) and
 * marked `clipped`; the caller answers the range it served so a client can ask for the next
 * page. `from` after `to` is an empty range, not an error: every schema-valid request is served.
 */
export function timeRange(
  query: { from?: string; to?: string },
  now: number,
  defaultSpanMs: number,
  maxSpanMs: number,
  keep: 'newest' | 'oldest' = 'newest',
): TimeRange {
  const to = parseTime('to', query.to) ?? now;
  const from = parseTime('from', query.from) ?? to - defaultSpanMs;
  if (to - from <= maxSpanMs) return { from, to, clipped: false };
  return keep === 'newest'
    ? { from: to - maxSpanMs, to, clipped: true }
    : { from, to: from + maxSpanMs, clipped: true };
}
