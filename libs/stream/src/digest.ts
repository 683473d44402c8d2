// The digest chain of the published index. Each `syi.calculated` record carries
//   inputsDigest = SHA-256 of the inputs in force used at T               (see inputs-ledger.ts)
//   prevDigest   = the previous record's digest (null for the first record)
//   digest       = SHA-256(canonicalJSON(record without its `digest` field))
// so that changing any published record, or dropping or inserting one, breaks the chain.
import type { IndexRecord } from '@stableyield/index-engine';
import type { SyiRecord } from '@stableyield/schemas';
import { canonicalJSON, sha256Hex } from './canonical';

/** digest = sha256(canonicalJSON(record without digest)) */
export function recordDigest(record: Omit<SyiRecord, 'digest'> | SyiRecord): string {
  const { digest: _ignored, ...rest } = record as SyiRecord;
  return sha256Hex(canonicalJSON(rest));
}

/** The published record of an index evaluation: the §4 fields, the version and the chain links. */
export function chainRecord(index: IndexRecord, inputsDigest: string, prevDigest: string | null): SyiRecord {
  const body: Omit<SyiRecord, 'digest'> = {
    ts: index.ts,
    value: index.value,
    tbillRate: index.tbillRate,
    rpl: index.rpl,
    mode: index.mode,
    eligible: index.eligible,
    constituents: index.constituents.map((c) => ({ ...c })),
    methodologyVersion: index.methodologyVersion,
    inputsDigest,
    prevDigest,
  };
  return { ...body, digest: recordDigest(body) };
}

export interface ChainProblem {
  readonly ts: number;
  readonly problem: string;
}

/**
 * Checks a contiguous run of records: each digest recomputes, each prevDigest is the digest of
 * the record before it (the first one is checked against `prevOfFirst` when given), time increases.
 */
export function verifyChain(records: readonly SyiRecord[], prevOfFirst?: string | null): ChainProblem[] {
  const problems: ChainProblem[] = [];
  let prev: SyiRecord | undefined;
  for (const r of records) {
    const recomputed = recordDigest(r);
    if (recomputed !== r.digest)
      problems.push({ ts: r.ts, problem: `digest ${r.digest} does not match the record (recomputed ${recomputed})` });
    if (prev !== undefined) {
      if (r.prevDigest !== prev.digest)
        problems.push({
          ts: r.ts,
          problem: `prevDigest ${String(r.prevDigest)} is not the digest of the record at ${prev.ts} (${prev.digest})`,
        });
      if (r.ts <= prev.ts)
        problems.push({ ts: r.ts, problem: `time does not increase (previous record at ${prev.ts})` });
    } else if (prevOfFirst !== undefined && r.prevDigest !== prevOfFirst) {
      problems.push({
        ts: r.ts,
        problem:
          `prevDigest ${String(r.prevDigest)} is not the digest of the record ` +
          `before the range (${String(prevOfFirst)})`,
      });
    }
    prev = r;
  }
  return problems;
}
