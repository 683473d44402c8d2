import { type SyiRecord } from '@stableyield/schemas';
import { LatestSyi, etagOf, snapshotOf } from './latest';
import { syiRecord } from './testing';

describe('LatestSyi', () => {
  it('keeps the newest record by event time and tells listeners', () => {
    const latest = new LatestSyi();
    const seen: number[] = [];
    latest.subscribe((s) => seen.push(s.record.ts));
    expect(latest.offer(syiRecord({ ts: 2000 }))).toBe(true);
    expect(latest.offer(syiRecord({ ts: 1000 }))).toBe(false);
    expect(latest.offer(syiRecord({ ts: 3000 }))).toBe(true);
    expect(latest.get()?.record.ts).toBe(3000);
    expect(seen).toEqual([2000, 3000]);
  });

  it('replaces a record of the same time (later arrival wins)', () => {
    const latest = new LatestSyi();
    latest.offer(syiRecord({ ts: 1000, value: 1 }));
    expect(latest.offer(syiRecord({ ts: 1000, value: 2 }))).toBe(true);
    expect(latest.get()?.record.value).toBe(2);
  });

  it('stops telling a listener after it unsubscribes', () => {
    const latest = new LatestSyi();
    const listener = jest.fn();
    const unsubscribe = latest.subscribe(listener);
    unsubscribe();
    latest.offer(syiRecord());
    expect(listener).not.toHaveBeenCalled();
  });
});

describe('snapshotOf', () => {
  it('encodes the REST body and both stream messages from one record', () => {
    const record = syiRecord({ ts: 1_767_226_020_000, value: 2.5 });
    const s = snapshotOf(record);
    expect(JSON.parse(s.body.toString())).toEqual(record);
    expect(JSON.parse(s.liveMessage.toString())).toEqual({ type: 'syi', ...record });
    const constituents = JSON.parse(s.constituentsMessage.toString()) as {
      type: string;
      ts: number;
      constituents: unknown;
    };
    expect(constituents).toEqual({
      type: 'constituents',
      ts: record.ts,
      methodologyVersion: 'v1',
      constituents: record.constituents,
    });
  });

  it('gives different ETags to different records', () => {
    const a: SyiRecord = syiRecord({ ts: 1000, digest: 'a'.repeat(64) });
    expect(etagOf(a)).not.toBe(etagOf({ ...a, ts: 2000 }));
    expect(etagOf(a)).not.toBe(etagOf({ ...a, digest: 'b'.repeat(64) }));
    expect(etagOf(a)).toMatch(/^"[^"]+"$/);
  });
});
