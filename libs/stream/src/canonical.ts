// Canonical JSON and SHA-256: the encoding the digest chain of `syi.calculated` is defined on.
// The form is that of RFC 8785 (JCS) for the values we use: object keys sorted by UTF-16 code
// units, no whitespace, numbers in ECMAScript's shortest round-trip form (JSON.stringify),
// strings JSON-escaped, properties whose value is undefined left out. Anyone can recompute a
// digest with a JCS library in another language.
import { createHash } from 'node:crypto';

/** The canonical JSON text of a value; throws on values JSON cannot carry exactly. */
export function canonicalJSON(value: unknown): string {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot encode ${value}`);
      return JSON.stringify(value);
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((v: unknown) => (v === undefined ? 'null' : canonicalJSON(v))).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJSON(v)}`).join(',')}}`;
    }
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
  }
}

/** SHA-256 of a UTF-8 text, lower-case hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
