import { createHash } from 'node:crypto';
import type { SyiRecord } from '@stableyield/schemas';

/**
 * Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, numbers and strings
 * as JSON.stringify writes them, arrays in order. Equal values give equal text.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** How a record's digest is computed; injectable because the processor owns the definition. */
export type DigestFunction = (record: SyiRecord) => string;

/** Default: `digest = sha256_hex(canonicalJson(record without its digest field))`. */
export const sha256RecordDigest: DigestFunction = (record) => {
  const { digest: _omitted, ...rest } = record;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
};

export type ChainProblemKind = 'digest_mismatch' | 'broken_link';

export interface ChainProblem {
  ts: number;
  kind: ChainProblemKind;
  expected: string | null;
  actual: string | null;
}

export interface ChainReport {
  checked: number;
  valid: boolean;
  firstTs: number | null;
  lastTs: number | null;
  /** Digest of the last record of the range. */
  headDigest: string | null;
  /** The first problems found (at most `maxProblems`), oldest first. */
  problems: ChainProblem[];
  problemCount: number;
}

/**
 * Checks a run of consecutive records (oldest first): each digest recomputes, and each
 * `prevDigest` names the digest of the record before it. `previous` is the record just before
 * the range (null when the range starts the chain or nothing is stored before it: then the
 * first link is not checked).
 */
export function verifyChain(records: readonly SyiRecord[], previous: SyiRecord | null, digestOf: DigestFunction = sha256RecordDigest, maxProblems = 100): ChainReport {
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  const report = (p: ChainProblem) => {
    problemCount++;
    if (problems.length < maxProblems) problems.push(p);
  };
  let before = previous;
  for (const record of records) {
    const recomputed = digestOf(record);
    if (recomputed !== record.digest) report({ ts: record.ts, kind: 'digest_mismatch', expected: recomputed, actual: record.digest });
    if (before && record.prevDigest !== before.digest) report({ ts: record.ts, kind: 'broken_link', expected: before.digest, actual: record.prevDigest });
    before = record;
  }
  const last = records.at(-1);
  return {
    checked: records.length,
    valid: problemCount === 0,
    firstTs: records[0]?.ts ?? null,
    lastTs: last?.ts ?? null,
    headDigest: last?.digest ?? null,
    problems,
    problemCount,
  };
}
