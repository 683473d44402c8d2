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
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value)
        ? arrayJSON(value as readonly unknown[])
        : objectJSON(value as Record<string, unknown>);
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new TypeError(`canonical JSON cannot encode a ${typeof value}`);
  }
}

// Built by concatenation, without intermediate arrays: processor-syi encodes every input event
// and the peg sample rings at every grid point, and this was its largest cost.
function arrayJSON(values: readonly unknown[]): string {
  // Finite numbers only (the peg sample rings): the native encoder writes exactly this form.
  if (values.every((v) => typeof v === 'number' && Number.isFinite(v))) return JSON.stringify(values);
  let out = '[';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) out += ',';
    const v = values[i];
    out += v === undefined ? 'null' : canonicalJSON(v);
  }
  return out + ']';
}

function objectJSON(object: Record<string, unknown>): string {
  // Array.prototype.sort without a comparator orders by UTF-16 code units, as JCS does.
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = object[key];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += JSON.stringify(key) + ':' + canonicalJSON(v);
  }
  return out + '}';
}

/** SHA-256 of a UTF-8 text, lower-case hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
