import { performance } from 'node:perf_hooks';
import type { SyiRecord } from '@stableyield/schemas';

/** The latest index record with every form it is served in, encoded once per record. */
export interface LatestSnapshot {
  readonly record: SyiRecord;
  /** JSON of the record, UTF-8 encoded once (not per request): the body of `GET /api/index/latest`. */
  readonly body: Buffer;
  /** Strong validator of `body`. */
  readonly etag: string;
  /** `{"type":"syi", …record}`: the message of `/stream/syi/live`. */
  readonly liveMessage: Buffer;
  /** `{"type":"constituents", ts, methodologyVersion, constituents}`: the message of `/stream/syi/constituents`. */
  readonly constituentsMessage: Buffer;
  /** `performance.now()` when the record was accepted: the start of fan-out latency. */
  readonly acceptedAt: number;
}

export type SnapshotListener = (snapshot: LatestSnapshot) => void;

/** An ETag that changes with the record: its event time and the start of its digest. */
export function etagOf(record: SyiRecord): string {
  return `"${record.ts.toString(36)}-${record.digest.slice(0, 16)}"`;
}

export function snapshotOf(record: SyiRecord, acceptedAt = performance.now()): LatestSnapshot {
  const json = JSON.stringify(record);
  const constituents = {
    type: 'constituents',
    ts: record.ts,
    methodologyVersion: record.methodologyVersion,
    constituents: record.constituents,
  };
  return {
    record,
    body: Buffer.from(json),
    etag: etagOf(record),
    // The record's JSON already starts with "{": splice the type in front instead of re-encoding.
    liveMessage: Buffer.from(`{"type":"syi",${json.slice(1)}`),
    constituentsMessage: Buffer.from(JSON.stringify(constituents)),
    acceptedAt,
  };
}

/**
 * Holds the newest `syi.calculated` record. A record older than the one held (by event time)
 * is ignored, so re-reading the end of the topic or a late duplicate never moves it back;
 * an equal time replaces it (the later arrival wins, as in the methodology).
 */
export class LatestSyi {
  private current: LatestSnapshot | undefined;
  private readonly listeners = new Set<SnapshotListener>();

  get(): LatestSnapshot | undefined {
    return this.current;
  }

  /** Offers a record; true when it became the latest (listeners have then been told). */
  offer(record: SyiRecord): boolean {
    if (this.current && record.ts < this.current.record.ts) return false;
    const snapshot = snapshotOf(record);
    this.current = snapshot;
    for (const listener of this.listeners) listener(snapshot);
    return true;
  }

  /** Calls `listener` on every new latest record; returns the unsubscribe function. */
  subscribe(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
