import type { SyiRecord } from '@stableyield/schemas';
import { syiRecord } from '@stableyield/live-feed/testing';
import { canonicalJson, sha256RecordDigest, verifyChain, verifyChainInSlices } from './verify';

/** A chain of n correctly linked records one second apart. */
function chain(n: number): SyiRecord[] {
  const out: SyiRecord[] = [];
  let prev: string | null = null;
  for (let i = 0; i < n; i++) {
    const unsigned = syiRecord({ ts: 1_000_000 + i * 1000, value: 4 + i / 100, prevDigest: prev, digest: '' });
    const record = { ...unsigned, digest: sha256RecordDigest(unsigned) };
    out.push(record);
    prev = record.digest;
  }
  return out;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 'x' }, null] })).toBe('{"a":[{"c":"x","d":2},null],"b":1}');
  });

  it('sorts by UTF-16 code units (upper case first)', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3 })).toBe('{"B":2,"a":3,"b":1}');
  });
});

describe('sha256RecordDigest', () => {
  it('ignores the digest field and key order', () => {
    const r = syiRecord();
    const reordered = Object.fromEntries(Object.entries({ ...r, digest: 'other' }).reverse()) as unknown as SyiRecord;
    expect(sha256RecordDigest(reordered)).toBe(sha256RecordDigest(r));
    expect(sha256RecordDigest(r)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes with any field', () => {
    const r = syiRecord();
    expect(sha256RecordDigest({ ...r, value: r.value + 1e-12 })).not.toBe(sha256RecordDigest(r));
  });
});

describe('verifyChain', () => {
  it('accepts a correctly linked chain', () => {
    const records = chain(5);
    const report = verifyChain(records.slice(1), records[0]!);
    expect(report).toMatchObject({
      checked: 4,
      valid: true,
      problemCount: 0,
      firstTs: records[1]!.ts,
      lastTs: records[4]!.ts,
      headDigest: records[4]!.digest,
    });
  });

  it('finds a record whose content no longer matches its digest', () => {
    const records = chain(4);
    records[2] = { ...records[2]!, value: 99 };
    const report = verifyChain(records, null);
    expect(report.valid).toBe(false);
    expect(report.problems).toEqual([
      {
        ts: records[2].ts,
        kind: 'digest_mismatch',
        expected: sha256RecordDigest(records[2]),
        actual: records[2].digest,
      },
    ]);
  });

  it('finds a broken link, including to the record before the range', () => {
    const records = chain(3);
    const stranger = { ...records[0]!, digest: 'f'.repeat(64) };
    const report = verifyChain(records.slice(1), stranger);
    expect(report.problems).toEqual([
      { ts: records[1]!.ts, kind: 'broken_link', expected: stranger.digest, actual: records[0]!.digest },
    ]);
  });

  it('uses the injected digest function and caps the problems listed', () => {
    const records = chain(5);
    const report = verifyChain(records, null, () => 'nope', 2);
    expect(report.problemCount).toBe(5);
    expect(report.problems).toHaveLength(2);
  });

  it('reports an empty range as valid with nothing checked', () => {
    expect(verifyChain([], null)).toMatchObject({ checked: 0, valid: true, firstTs: null, headDigest: null });
  });
});

describe('verifyChainInSlices', () => {
  it('gives the same report as verifyChain, problems included', async () => {
    const records = chain(1_000);
    records[500] = { ...records[500]!, value: 1 };
    expect(await verifyChainInSlices(records, null)).toEqual(verifyChain(records, null));
    expect(await verifyChainInSlices([], null)).toEqual(verifyChain([], null));
  });

  it('lets other work run while it checks a long range: no piece blocks the event loop for long', async () => {
    const records = chain(20_000);
    let longestGapMs = 0;
    let last = performance.now();
    let ticks = 0;
    const timer = setInterval(() => {
      const at = performance.now();
      longestGapMs = Math.max(longestGapMs, at - last);
      last = at;
      ticks++;
    }, 1);
    const started = performance.now();
    const report = await verifyChainInSlices(records, null);
    const totalMs = performance.now() - started;
    clearInterval(timer);
    expect(report.checked).toBe(20_000);
    expect(ticks).toBeGreaterThan(5);
    // In one piece the timer would wait for the whole check.
    expect(longestGapMs).toBeLessThan(Math.max(100, totalMs / 4));
  });
});
