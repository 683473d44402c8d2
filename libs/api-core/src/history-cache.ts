import type { Queryable } from './db';
import type { Interval, OhlcPoint } from './queries';
import { INTERVAL_MS, indexHistory, indexHistorySince, newestIndexTs } from './queries';

/** Where the cache reads buckets from: the aggregates of libs/postgres (queries.ts), or a fake in tests. */
export interface BucketSource {
  /** Buckets whose start lies in [from, to), oldest first; `to` undefined: no upper bound. */
  buckets(interval: Interval, from: number, to: number | undefined): Promise<OhlcPoint[]>;
  /** `ts` of the newest stored index record, null when there is none. */
  newestTs(): Promise<number | null>;
}

/** The aggregates `syi_index_<interval>` and `syi_index` of libs/postgres. */
export const databaseBuckets = (db: Queryable): BucketSource => ({
  buckets: (interval, from, to) =>
    to === undefined ? indexHistorySince(db, interval, from) : indexHistory(db, interval, from, to),
  newestTs: () => newestIndexTs(db),
});

export interface HistoryCacheOptions {
  /** How old the open bucket (and everything newer) may be when served: one grid step. */
  maxTailAgeMs: number;
  /** Most closed buckets kept per interval; beyond it the oldest are dropped, older ranges are read from the source. */
  maxClosedBuckets: number;
  now: () => number;
}

export interface HistoryRead {
  points: OhlcPoint[];
  /** Every bucket of the range is closed: the answer for this range never changes. */
  final: boolean;
  /** Changes whenever the data of the interval may have: a reset (generation) or a new tail (version). */
  generation: number;
  version: number;
}

/**
 * Start of the bucket holding `t` (every interval divides a day, so the 2000-01-01 origin of the aggregates is
 * epoch-aligned).
 */
export const bucketStart = (t: number, widthMs: number) => t - (((t % widthMs) + widthMs) % widthMs);

/** Index of the first point whose bucket is at or after `t` (points sorted by bucket). */
function lowerBound(points: readonly OhlcPoint[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (points[mid]!.bucket < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const sameBuckets = (a: readonly OhlcPoint[], b: readonly OhlcPoint[]) =>
  a.length === b.length &&
  a.every((p, i) => {
    const q = b[i]!;
    return (
      p.bucket === q.bucket &&
      p.open === q.open &&
      p.high === q.high &&
      p.low === q.low &&
      p.close === q.close &&
      p.avg === q.avg &&
      p.samples === q.samples
    );
  });

/**
 * The buckets of one interval. `syi.calculated` is one partition written in `ts` order, one
 * batch per transaction, so once a record is stored every bucket that ends at or before the
 * start of its bucket is final: those "closed" buckets are kept here, contiguous over
 * [coveredFrom, sealedAt). The open bucket (the newest record's) and anything newer — the
 * tail — is read again when older than `maxTailAgeMs`; from half that age on, the next request
 * starts the read in the background and is served the current tail, so while the database
 * answers within half the age no request waits for it.
 */
class IntervalBuckets {
  private closed: OhlcPoint[] = [];
  private coveredFrom = 0;
  /** Start of the open bucket; null until the first read (or while nothing is stored). */
  private sealedAt: number | null = null;
  private tail: OhlcPoint[] = [];
  private tailReadAt = Number.NEGATIVE_INFINITY;
  private refreshingAhead: Promise<void> | undefined;
  private generation = 0;
  private version = 0;
  /** Every change of the state above runs in this chain, one at a time. */
  private lock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly interval: Interval,
    private readonly source: BucketSource,
    private readonly options: HistoryCacheOptions,
  ) {}

  private get width(): number {
    return INTERVAL_MS[this.interval];
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => undefined);
    return run;
  }

  async read(from: number, to: number): Promise<HistoryRead> {
    const asked = this.options.now();
    const { maxTailAgeMs } = this.options;
    if (asked - this.tailReadAt >= maxTailAgeMs) {
      await this.exclusive(async () => {
        // Another request may have refreshed it while this one waited.
        if (asked - this.tailReadAt >= maxTailAgeMs) await this.refreshTail();
      });
    } else if (asked - this.tailReadAt >= maxTailAgeMs / 2 && !this.refreshingAhead) {
      // Half its age: read the next tail in the background; this request is served the current one.
      this.refreshingAhead = this.exclusive(async () => {
        if (this.options.now() - this.tailReadAt >= maxTailAgeMs / 2) await this.refreshTail();
      })
        .catch(() => undefined)
        .finally(() => (this.refreshingAhead = undefined));
    }
    // Taken together before any await: a refresh meanwhile moves buckets from the tail to `closed`.
    const { sealedAt, tail, generation, version } = this;
    if (sealedAt === null) return { points: [], final: false, generation, version };
    const final = to <= sealedAt;
    if (from >= to) return { points: [], final, generation, version };
    const open = to > sealedAt ? tail.slice(lowerBound(tail, Math.max(from, sealedAt)), lowerBound(tail, to)) : [];
    const closed = from < sealedAt ? await this.closedSlice(from, Math.min(to, sealedAt)) : [];
    return {
      points: closed.length === 0 ? open : open.length === 0 ? closed : [...closed, ...open],
      final,
      generation,
      version,
    };
  }

  /** Reads the open bucket and everything after what is closed; buckets that closed meanwhile move to `closed`. */
  private async refreshTail(): Promise<void> {
    const readAt = this.options.now();
    const newest = await this.source.newestTs();
    if (newest === null) {
      if (this.sealedAt !== null || this.tail.length > 0) this.reset(null);
      this.tailReadAt = readAt;
      return;
    }
    const openAt = bucketStart(newest, this.width);
    // Stored history moved backwards (records deleted, a database restored): nothing held is trusted.
    if (this.sealedAt === null || openAt < this.sealedAt) this.reset(openAt);
    const rows = await this.source.buckets(this.interval, this.sealedAt!, undefined);
    const split = lowerBound(rows, openAt);
    if (split > 0) this.appendClosed(rows.slice(0, split), openAt);
    const tail = rows.slice(split);
    if (openAt !== this.sealedAt || !sameBuckets(tail, this.tail)) this.version++;
    this.sealedAt = openAt;
    this.tail = tail;
    this.tailReadAt = readAt;
  }

  private reset(sealedAt: number | null): void {
    this.generation++;
    this.version++;
    this.closed = [];
    this.tail = [];
    this.sealedAt = sealedAt;
    this.coveredFrom = sealedAt ?? 0;
  }

  private appendClosed(points: readonly OhlcPoint[], sealedAt: number): void {
    this.closed.push(...points);
    this.sealedAt = sealedAt;
    const excess = this.closed.length - this.options.maxClosedBuckets;
    if (excess > 0) {
      this.closed.splice(0, excess);
      this.coveredFrom = this.closed[0]?.bucket ?? sealedAt;
    }
  }

  /**
   * Closed buckets with start in [from, to), to ≤ sealedAt: from memory, after reading what is missing before
   * `coveredFrom`.
   */
  private async closedSlice(from: number, to: number): Promise<OhlcPoint[]> {
    if (from < this.coveredFrom) {
      const generation = this.generation;
      // A range too far back to keep is read from the source each time.
      if (Math.ceil((this.coveredFrom - from) / this.width) + this.closed.length > this.options.maxClosedBuckets) {
        return this.source.buckets(this.interval, from, to);
      }
      await this.exclusive(async () => {
        if (from >= this.coveredFrom || generation !== this.generation) return;
        const older = await this.source.buckets(this.interval, from, this.coveredFrom);
        if (generation !== this.generation) return;
        this.closed = older.length > 0 ? [...older, ...this.closed] : this.closed;
        this.coveredFrom = from;
      });
      // Reset meanwhile: read this range straight from the source.
      if (generation !== this.generation || from < this.coveredFrom)
        return this.source.buckets(this.interval, from, to);
    }
    return this.closed.slice(lowerBound(this.closed, from), lowerBound(this.closed, to));
  }
}

/**
 * OHLC buckets of the index per interval, as `queries.indexHistory` gives them, with the closed
 * buckets held in process and only the open one read again (at most every `maxTailAgeMs`).
 */
export class IndexHistoryCache {
  private readonly intervals = new Map<Interval, IntervalBuckets>();

  constructor(
    private readonly source: BucketSource,
    private readonly options: HistoryCacheOptions,
  ) {}

  read(interval: Interval, from: number, to: number): Promise<HistoryRead> {
    let buckets = this.intervals.get(interval);
    if (!buckets) {
      buckets = new IntervalBuckets(interval, this.source, this.options);
      this.intervals.set(interval, buckets);
    }
    return buckets.read(from, to);
  }
}
