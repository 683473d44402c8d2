import { badRequest } from './errors';

/** Parses a time parameter (ISO 8601 with zone, or epoch ms) the schema has already shape-checked. */
export function parseTime(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(t)) throw badRequest(`query parameter "${name}" is not a valid time`);
  return t;
}

/**
 * The [from, to] of a request: `to` defaults to now, `from` to `to − defaultSpanMs`; `from`
 * must be before `to` and the span at most `maxSpanMs`.
 */
export function timeRange(query: { from?: string; to?: string }, now: number, defaultSpanMs: number, maxSpanMs: number): { from: number; to: number } {
  const to = parseTime('to', query.to) ?? now;
  const from = parseTime('from', query.from) ?? to - defaultSpanMs;
  if (from >= to) throw badRequest('query parameter "from" must be before "to"');
  if (to - from > maxSpanMs) throw badRequest(`query parameters "from".."to" span more than ${Math.round(maxSpanMs / 3_600_000)} h for this request; narrow the range or use a longer interval`);
  return { from, to };
}
