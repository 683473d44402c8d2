// The 24-hour peg window of one constituent: one deviation per minute boundary in a ring
// (NaN where P was undefined), plus moments of the stored part cached until it changes,
// so an evaluation only adds the few samples that are not stored yet.

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

export class PegWindow {
  private readonly ring: Float64Array;
  private cacheFirst = NaN;
  private cacheThrough = NaN;
  private readonly cached = emptyMoments();

  constructor(
    private readonly stepMs: number,
    readonly slots: number,
    private readonly huberDelta: number,
  ) {
    this.ring = new Float64Array(slots).fill(NaN);
  }

  private slotOf(boundary: number): number {
    const k = Math.round(boundary / this.stepMs) % this.slots;
    return k < 0 ? k + this.slots : k;
  }

  /** Stores the deviation at a minute boundary (NaN: no price then). */
  set(boundary: number, deviation: number): void {
    this.ring[this.slotOf(boundary)] = deviation;
    this.cacheFirst = NaN;
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
    if (through >= first) {
      const n = Math.round((through - first) / this.stepMs) + 1;
      let slot = this.slotOf(first);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const d = this.ring[slot] as number;
        if (d === d) {
          m.count += 1;
          sum += d;
          m.sumHuber += huberLoss(d, this.huberDelta);
        }
        slot = slot + 1 === this.slots ? 0 : slot + 1;
      }
      if (m.count > 0) {
        m.mean = sum / m.count;
        slot = this.slotOf(first);
        for (let i = 0; i < n; i++) {
          const d = this.ring[slot] as number;
          if (d === d) m.m2 += (d - m.mean) * (d - m.mean);
          slot = slot + 1 === this.slots ? 0 : slot + 1;
        }
      }
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
    if (values.length !== this.slots) throw new Error(`peg window snapshot has ${values.length} slots, expected ${this.slots}`);
    values.forEach((d, i) => {
      this.ring[i] = d === null ? NaN : d;
    });
    this.cacheFirst = NaN;
  }
}
