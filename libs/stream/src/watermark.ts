// The event-time watermark of a processor that reads many input partitions.
//
// watermark = min(max ts seen on any partition, max ts of every *lagging* partition) − allowed lateness
//
// A partition lags while its read position is behind the end offset we know for it (from the
// broker at start and from every fetch). A caught-up partition does not hold the watermark
// back whatever its last ts: a quiet input (DefiLlama hourly, FRED daily) never delays the index,
// and anything it sends later is judged by the lateness rule. A lagging partition always holds
// it unless `idleTimeoutMs` > 0: then one that delivers nothing that long while the others keep
// delivering stops holding it (a safety valve for a stuck partition, off by default — while
// catching up a backlog on a busy machine the consumer left partitions unfetched for more than
// 10 s and their records went late by hours). Idle time is counted on a reader clock that
// stands still while nothing is delivered at all: when the process itself stalls (a long commit,
// GC, a busy CPU), every partition would otherwise look idle at once, and the watermark would jump
// to the largest ts seen — hours ahead when a sparse input was read to its end — making every
// event still to read late. While catching up on a backlog the rule makes evaluation wait for
// the slowest partition, so a restart sees the same order of events as an uninterrupted run.
//
// Between events the watermark follows the reader's clock. Once every partition is read to its
// end, as a fetch response confirmed (`caughtUpAt`), event time is taken to have moved on by the
// wall time that passed between the newest event's arrival and that response (at most
// `clockAdvanceMaxMs`): a grid point is evaluated the allowed lateness after it, not when the
// next event happens to arrive (at one Hermes price a second, up to a second later). An event is
// then late in the same case as before, when it took the allowed lateness longer to arrive than
// the newest event did; only differences of this process's clock are used, so a constant offset
// between the ingesters' clocks and this one changes nothing. With no input at all for longer
// than the bound, the index waits for the next event, as it always did.

export interface PartitionProgress {
  /** largest event time seen (−Infinity before the first record) */
  maxTs: number;
  /** next offset to read */
  position: number;
  /** end offset (high watermark) last known */
  end: number;
  /** reader-clock time of the last record or position change */
  lastProgress: number;
}

export interface WatermarkOptions {
  allowedLatenessMs: number;
  idleTimeoutMs: number;
  /** the most wall time one gap between deliveries adds to the reader clock (default 2 s) */
  stallCapMs?: number;
  /**
   * How far past the newest event the clock may carry event time once every partition is read to
   * its end (unset or 0: only events move the watermark).
   */
  clockAdvanceMaxMs?: number;
  /**
   * Called once when a partition with unread records stops holding the watermark because it
   * delivered nothing for `idleTimeoutMs` (again after it delivers): its later records may be late.
   */
  onIdleRelease?: (partition: string, progress: Readonly<PartitionProgress>) => void;
}

export class Watermarks {
  private readonly partitions = new Map<string, PartitionProgress>();
  /** partitions released by the idle rule and not heard from since */
  private readonly released = new Set<string>();
  private globalMaxTs = -Infinity;
  /** wall time at which the newest event (globalMaxTs) arrived */
  private globalMaxArrival: number | undefined;
  /** wall time of the last fetch response after which every partition was read to its end */
  private caughtUpWall: number | undefined;
  private last = -Infinity;
  /** reader clock: wall time with every gap between deliveries capped at stallCapMs */
  private readerMs = 0;
  private lastDeliveryWall: number | undefined;

  constructor(private readonly options: WatermarkOptions) {}

  /** The reader clock at `wallNow` (the gap since the last delivery counts up to the cap). */
  private readerNow(wallNow: number): number {
    if (this.lastDeliveryWall === undefined) return this.readerMs;
    return this.readerMs + Math.min(Math.max(0, wallNow - this.lastDeliveryWall), this.options.stallCapMs ?? 2_000);
  }

  /** Something was delivered at `wallNow`: the reader clock moves on. */
  private delivered(wallNow: number): number {
    this.readerMs = this.readerNow(wallNow);
    this.lastDeliveryWall = wallNow;
    return this.readerMs;
  }

  private idle(p: PartitionProgress, wallNow: number): boolean {
    if (!(this.options.idleTimeoutMs > 0)) return false;
    return this.readerNow(wallNow) - p.lastProgress >= this.options.idleTimeoutMs;
  }

  /** Registers a partition with its read position and end offset (at start or assignment). */
  track(partition: string, position: number, end: number, wallNow: number, maxTs = -Infinity): void {
    this.partitions.set(partition, { maxTs, position, end, lastProgress: this.readerNow(wallNow) });
    if (maxTs > this.globalMaxTs) this.globalMaxTs = maxTs;
  }

  /** Restarts every partition's idle clock: call when reading actually begins. */
  touchAll(wallNow: number): void {
    const now = this.delivered(wallNow);
    for (const p of this.partitions.values()) p.lastProgress = now;
  }

  /** A record with event time `ts` was read from the partition. */
  observe(partition: string, ts: number, wallNow: number): void {
    const p = this.get(partition, wallNow);
    if (ts > p.maxTs) p.maxTs = ts;
    if (ts >= this.globalMaxTs) {
      this.globalMaxTs = ts;
      this.globalMaxArrival = wallNow;
    }
    p.lastProgress = this.delivered(wallNow);
    this.released.delete(partition);
  }

  /** The read position moved (after a fetched batch) and the broker reported this end offset. */
  advance(partition: string, nextOffset: number, highWatermark: number, wallNow: number): void {
    const p = this.get(partition, wallNow);
    if (nextOffset > p.position) {
      p.lastProgress = this.delivered(wallNow);
      this.released.delete(partition);
    }
    p.position = Math.max(p.position, nextOffset);
    p.end = Math.max(p.end, highWatermark);
  }

  private get(partition: string, wallNow: number): PartitionProgress {
    let p = this.partitions.get(partition);
    if (p === undefined) {
      p = { maxTs: -Infinity, position: 0, end: 0, lastProgress: this.readerNow(wallNow) };
      this.partitions.set(partition, p);
    }
    return p;
  }

  /** A partition's progress (undefined before it was tracked or read). */
  progress(partition: string): Readonly<PartitionProgress> | undefined {
    return this.partitions.get(partition);
  }

  /**
   * Every record of every partition that the broker held at `responseWall` has been handled (a
   * fetch response received then, and all its batches, were handled; call only then). Partitions
   * still behind their end offset keep the watermark where their events put it.
   */
  caughtUpAt(responseWall: number): void {
    if (this.caughtUpWall === undefined || responseWall > this.caughtUpWall) this.caughtUpWall = responseWall;
  }

  /** How far the clock moves event time past the newest event (0 unless every partition is read to its end). */
  private clockAdvance(): number {
    const max = this.options.clockAdvanceMaxMs ?? 0;
    if (!(max > 0) || this.caughtUpWall === undefined || this.globalMaxArrival === undefined) return 0;
    for (const p of this.partitions.values()) if (p.position < p.end) return 0;
    return Math.max(0, Math.min(this.caughtUpWall - this.globalMaxArrival, max));
  }

  /** Partitions that currently hold the watermark back. */
  lagging(wallNow: number): string[] {
    const out: string[] = [];
    for (const [name, p] of this.partitions) {
      if (p.position < p.end && !this.idle(p, wallNow)) out.push(name);
    }
    return out;
  }

  /** The watermark now (never moves back); −Infinity until a record was seen. */
  current(wallNow: number): number {
    let bound = this.globalMaxTs;
    for (const [name, p] of this.partitions) {
      if (p.position >= p.end) continue;
      if (!this.idle(p, wallNow)) {
        if (p.maxTs < bound) bound = p.maxTs;
      } else if (p.maxTs < bound && !this.released.has(name)) {
        this.released.add(name);
        this.options.onIdleRelease?.(name, p);
      }
    }
    const candidate = bound + this.clockAdvance() - this.options.allowedLatenessMs;
    if (candidate > this.last) this.last = candidate;
    return this.last;
  }

  /** Per-partition max ts and the watermark, for a checkpoint. */
  toJSON(): { watermark: number | null; maxTs: Record<string, number> } {
    const maxTs: Record<string, number> = {};
    for (const [name, p] of this.partitions) if (p.maxTs !== -Infinity) maxTs[name] = p.maxTs;
    return { watermark: this.last === -Infinity ? null : this.last, maxTs };
  }

  /**
   * Restores the watermark after a restart. The per-partition max ts are not restored: until a
   * partition that still has records to (re-)read delivers them, it holds the watermark back.
   */
  restore(saved: { watermark: number | null }): void {
    this.last = saved.watermark ?? -Infinity;
  }
}
