// The 24-hour peg window of one constituent: one deviation per minute boundary in a ring
// (NaN where P was undefined), plus moments of the stored part cached until it changes,
// so an evaluation only adds the few samples that are not stored yet.
//
// When the window moves, its moments are rebuilt from fixed blocks of boundaries (aligned on
// absolute time, so the result depends only on the window's content): complete blocks keep
// their moments until one of their samples is rewritten, only the partial blocks at the two
// ends are summed again, and the parts are merged with Chan's formula. A minute's move
// therefore costs about 2 × BLOCK samples instead of the whole window.

import { huberLoss } from './measures';

export interface Moments {
  count: number;
  mean: number;
  /** Σ (d − mean)² */
  m2: number;
  /** Σ h(d) */
  sumHuber: number;
}

export function emptyMoments(): Moments {
  return { count: 0, mean: 0, m2: 0, sumHuber: 0 };
}

/** Adds one sample (Welford's update, numerically stable). */
export function addSample(moments: Moments, d: number, huberDelta: number): void {
  moments.count += 1;
  const delta = d - moments.mean;
  moments.mean += delta / moments.count;
  moments.m2 += delta * (d - moments.mean);
  moments.sumHuber += huberLoss(d, huberDelta);
}

/** Adds the moments of another, disjoint set of samples (Chan et al.'s pairwise update). */
export function mergeMoments(into: Moments, other: Readonly<Moments>): void {
  if (other.count === 0) return;
  if (into.count === 0) {
    into.count = other.count;
    into.mean = other.mean;
    into.m2 = other.m2;
    into.sumHuber = other.sumHuber;
    return;
  }
  const count = into.count + other.count;
  const delta = other.mean - into.mean;
  into.mean += (delta * other.count) / count;
  into.m2 += other.m2 + (delta * delta * into.count * other.count) / count;
  into.sumHuber += other.sumHuber;
  into.count = count;
}

/** Boundaries per cached block (an hour of one-minute samples). */
const BLOCK = 60;

export class PegWindow {
  private readonly ring: Float64Array;
  private cacheFirst = NaN;
  private cacheThrough = NaN;
  private readonly cached = emptyMoments();
  /** moments of complete blocks, by block number modulo the cache size; `blockIds` says which block */
  private readonly blockIds: Float64Array;
  private readonly blockMoments: Moments[];
  private readonly part = emptyMoments();

  constructor(
    private readonly stepMs: number,
    readonly slots: number,
    private readonly huberDelta: number,
  ) {
    this.ring = new Float64Array(slots).fill(NaN);
    const blocks = Math.ceil(slots / BLOCK) + 2;
    this.blockIds = new Float64Array(blocks).fill(NaN);
    this.blockMoments = Array.from({ length: blocks }, emptyMoments);
  }

  private indexOf(boundary: number): number {
    return Math.round(boundary / this.stepMs);
  }

  private slotOfIndex(k: number): number {
    const slot = k % this.slots;
    return slot < 0 ? slot + this.slots : slot;
  }

  private cacheSlotOf(block: number): number {
    const n = this.blockIds.length;
    const slot = block % n;
    return slot < 0 ? slot + n : slot;
  }

  /** Stores the deviation at a minute boundary (NaN: no price then). */
  set(boundary: number, deviation: number): void {
    const k = this.indexOf(boundary);
    this.ring[this.slotOfIndex(k)] = deviation;
    const block = Math.floor(k / BLOCK);
    const cacheSlot = this.cacheSlotOf(block);
    if (this.blockIds[cacheSlot] === block) this.blockIds[cacheSlot] = NaN;
    this.cacheFirst = NaN;
  }

  /** Two-pass moments of the stored samples with indices from..to (inclusive) into `out`. */
  private sumRange(from: number, to: number, out: Moments): void {
    out.count = 0;
    out.mean = 0;
    out.m2 = 0;
    out.sumHuber = 0;
    const n = to - from + 1;
    if (n <= 0) return;
    const ring = this.ring;
    const first = this.slotOfIndex(from);
    let slot = first;
    let count = 0;
    let sum = 0;
    let sumHuber = 0;
    for (let i = 0; i < n; i++) {
      const d = ring[slot] as number;
      if (d === d) {
        count += 1;
        sum += d;
        sumHuber += huberLoss(d, this.huberDelta);
      }
      slot = slot + 1 === this.slots ? 0 : slot + 1;
    }
    if (count === 0) return;
    const mean = sum / count;
    let m2 = 0;
    slot = first;
    for (let i = 0; i < n; i++) {
      const d = ring[slot] as number;
      if (d === d) m2 += (d - mean) * (d - mean);
      slot = slot + 1 === this.slots ? 0 : slot + 1;
    }
    out.count = count;
    out.mean = mean;
    out.m2 = m2;
    out.sumHuber = sumHuber;
  }

  /** Moments of one complete block, from the cache or summed (and cached) now. */
  private blockMomentsOf(block: number): Readonly<Moments> {
    const cacheSlot = this.cacheSlotOf(block);
    const moments = this.blockMoments[cacheSlot] as Moments;
    if (this.blockIds[cacheSlot] !== block) {
      this.sumRange(block * BLOCK, block * BLOCK + BLOCK - 1, moments);
      this.blockIds[cacheSlot] = block;
    }
    return moments;
  }

  /**
   * Moments of the stored samples at the boundaries first, first + step, …, through.
   * The caller guarantees these are the boundaries currently held by the ring.
   */
  storedMoments(first: number, through: number): Readonly<Moments> {
    if (first === this.cacheFirst && through === this.cacheThrough) return this.cached;
    const m = this.cached;
    m.count = 0;
    m.mean = 0;
    m.m2 = 0;
    m.sumHuber = 0;
    const from = this.indexOf(first);
    const to = this.indexOf(through);
    // Blocks are always merged in ascending order: the same window gives the same bits.
    let k = from;
    while (k <= to) {
      const block = Math.floor(k / BLOCK);
      const blockEnd = block * BLOCK + BLOCK - 1;
      if (k === block * BLOCK && blockEnd <= to) {
        mergeMoments(m, this.blockMomentsOf(block));
      } else {
        this.sumRange(k, Math.min(blockEnd, to), this.part);
        mergeMoments(m, this.part);
      }
      k = blockEnd + 1;
    }
    this.cacheFirst = first;
    this.cacheThrough = through;
    return m;
  }

  /** Ring content by slot, null for "no sample", for checkpoints. */
  toJSON(): (number | null)[] {
    return Array.from(this.ring, (d) => (d === d ? d : null));
  }

  restore(values: readonly (number | null)[]): void {
    if (values.length !== this.slots)
      throw new Error(`peg window snapshot has ${values.length} slots, expected ${this.slots}`);
    values.forEach((d, i) => {
      this.ring[i] = d === null ? NaN : d;
    });
    this.blockIds.fill(NaN);
    this.cacheFirst = NaN;
  }
}
