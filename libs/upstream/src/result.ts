// The Result-style API every parser returns: records on success, or a reason string (which field, what was
// wrong) that an ingester sends to the DLQ together with the raw payload. Upstream error bodies are also
// failures, with the typed error attached so callers can back off on rate limits.
import { type z } from 'zod';
import { type UpstreamError } from './errors';

export type ParseResult<T> = { ok: true; records: T } | { ok: false; reason: string; error?: UpstreamError };

export function ok<T>(records: T): ParseResult<T> {
  return { ok: true, records };
}

export function fail<T>(reason: string, error?: UpstreamError): ParseResult<T> {
  return error === undefined ? { ok: false, reason } : { ok: false, reason, error };
}

/** "binary.data.0: expected string, received number" — at most three issues, each with its field path. */
export function describeZodError(source: string, error: z.ZodError): string {
  const issues = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
    return `${path}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (+${error.issues.length - 3} more)` : '';
  return `${source}: invalid payload: ${issues.join('; ')}${more}`;
}

/** Parses JSON text; a body that is not JSON is a failure with the parser's message. */
export function parseJsonText(source: string, text: string): ParseResult<unknown> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (err) {
    return fail(`${source}: body is not JSON: ${(err as Error).message}`);
  }
}
