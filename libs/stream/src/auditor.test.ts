import type { SyiRecord } from '@stableyield/schemas';
import { partitionedMarket, publishLive, type LiveRun } from '../test/live-index';
import { IndexAuditor, deviation, type AuditResult } from './auditor';
import { recordDigest } from './digest';

/** The market read interleaved with 300 ms of skew and 200 ms of lateness: some inputs late. */
function scenario() {
  return publishLive(partitionedMarket(1, 150, [0, 5, 9]), [3, 1, 4], 200, 300);
}

function feedAll(auditor: IndexAuditor, s: LiveRun, records: readonly SyiRecord[], wall: number) {
  for (const p of s.partitions) auditor.partitionRead(p, true);
  for (const input of s.read) auditor.addInput(input);
  for (const id of s.late) auditor.addLateLetter(id);
  for (const r of records) auditor.addPublished(r, wall);
}

const forge = (r: SyiRecord): SyiRecord => {
  const { digest: _old, ...body } = { ...r, value: r.value * (1 + 1e-5) };
  return { ...body, digest: recordDigest(body) };
};

describe('IndexAuditor', () => {
  const s = scenario();

  it('matches every record a live processor published, with late inputs left out', () => {
    expect(s.published.length).toBeGreaterThan(60);
    expect(s.late.size).toBeGreaterThan(0);
    const auditor = new IndexAuditor({ settleMs: 1000 });
    feedAll(auditor, s, s.published, 0);
    expect(auditor.check(500)).toEqual([]); // not settled yet
    const results = auditor.check(1000);
    expect(results.map((r) => r.result)).toEqual(s.published.map(() => 'match'));
    expect(results.every((r) => r.deviation === 0)).toBe(true);
    expect(auditor.stats).toMatchObject({
      matched: s.published.length,
      mismatched: 0,
      pending: 0,
      checkedThrough: s.published.at(-1)?.ts,
      lastMismatch: null,
    });
    expect(auditor.check(5000)).toEqual([]); // judged once
  });

  it('gives the same verdicts when records and inputs arrive a little at a time', () => {
    const auditor = new IndexAuditor({ settleMs: 0 });
    for (const p of s.partitions) auditor.partitionRead(p, false);
    const results: AuditResult[] = [];
    let wall = 0;
    let nextRecord = 0;
    s.read.forEach((input, i) => {
      auditor.addInput(input);
      if (i % 50 === 0) {
        while (
          nextRecord < s.published.length &&
          (s.published[nextRecord] as SyiRecord).ts < (input.value as { ts: number }).ts - 5000
        )
          auditor.addPublished(s.published[nextRecord++] as SyiRecord, wall);
        results.push(...auditor.check((wall += 100)));
      }
    });
    for (const id of s.late) auditor.addLateLetter(id);
    for (const p of s.partitions) auditor.partitionRead(p, true);
    for (; nextRecord < s.published.length; nextRecord++)
      auditor.addPublished(s.published[nextRecord] as SyiRecord, wall);
    results.push(...auditor.check((wall += 100)));
    expect(results.filter((r) => r.result === 'mismatch')).toEqual([]);
    expect(results.map((r) => r.ts)).toEqual(s.published.map((r) => r.ts));
  });

  it('reports exactly a forged record as a mismatch once its grace has passed, and nothing else', () => {
    const k = 60;
    const target = s.published[k] as SyiRecord;
    const records = s.published.map((r, i) => (i === k ? forge(r) : r));
    const auditor = new IndexAuditor({ settleMs: 0, graceMs: 10_000 });
    feedAll(auditor, s, records, 0);
    const first = auditor.check(0);
    // every other record matches at once; the forged one is re-checked during its grace period
    expect(first.map((r) => r.ts)).toEqual(s.published.filter((_, i) => i !== k).map((r) => r.ts));
    expect(first.every((r) => r.result === 'match')).toBe(true);
    expect(auditor.stats).toMatchObject({ pending: s.published.length - k, checkedThrough: s.published[k - 1]?.ts });
    expect(auditor.check(5_000)).toEqual([]);
    const mismatches = auditor.check(10_000);
    expect(mismatches.map((r) => r.ts)).toEqual([target.ts]);
    expect(mismatches[0]?.deviation).toBeCloseTo(1e-5, 9);
    expect(mismatches[0]?.recomputedDigest).toBe(target.digest);
    expect(mismatches[0]?.problems.join('; ')).toMatch(/^value .*; digest /);
    expect(auditor.stats).toMatchObject({ matched: s.published.length - 1, mismatched: 1, pending: 0 });
    expect(auditor.stats.lastMismatch?.ts).toBe(target.ts);
  });

  it('waits for a late letter that arrives after the input instead of reporting a mismatch', () => {
    const auditor = new IndexAuditor({ settleMs: 0, graceMs: 10_000 });
    for (const p of s.partitions) auditor.partitionRead(p, true);
    for (const input of s.read) auditor.addInput(input);
    for (const r of s.published) auditor.addPublished(r, 0);
    const early = auditor.check(0);
    expect(early.length).toBeLessThan(s.published.length); // the first record a late input would change waits
    expect(early.every((r) => r.result === 'match')).toBe(true);
    for (const id of s.late) auditor.addLateLetter(id);
    const later = auditor.check(1_000);
    expect([...early, ...later].map((r) => r.result)).toEqual(s.published.map(() => 'match'));
  });

  it('judges nothing until every input partition is read past T', () => {
    const auditor = new IndexAuditor({ settleMs: 0 });
    for (const p of s.partitions) auditor.partitionRead(p, false);
    for (const r of s.published) auditor.addPublished(r, 0);
    expect(auditor.check(10_000)).toEqual([]);
    expect(auditor.stats.pending).toBe(s.published.length);
  });

  it('reports a record whose T does not increase', () => {
    const auditor = new IndexAuditor({ settleMs: 0 });
    feedAll(auditor, s, s.published.slice(0, 30), 0);
    auditor.check(0);
    auditor.addPublished(s.published[10] as SyiRecord, 0);
    const [again] = auditor.check(0);
    expect(again).toMatchObject({ ts: s.published[10]?.ts, result: 'mismatch' });
    expect(auditor.stats.recordsBehindBase).toBe(1);
  });
});

describe('deviation', () => {
  it('is relative to the recomputed value, absolute at 0, and 1 without one', () => {
    expect(deviation(2, 2)).toBe(0);
    expect(deviation(2.02, 2)).toBeCloseTo(0.01, 12);
    expect(deviation(0.5, 0)).toBe(0.5);
    expect(deviation(2, null)).toBe(1);
  });
});
